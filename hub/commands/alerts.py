"""Emergency alerts (应急广播): draft a CAP message, and a second person approves or rejects it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from events.alert import EmergencyAlert
from events.errors import RuleBroken
from events.roles import Role
from hub import duty
from hub.commands.base import ById, Create, Http
from hub.commands.fields import Moment, Reason, line, lines

if TYPE_CHECKING:
    from hub.newsroom import Done, Newsroom, Request

A = "/api/alerts/{id}"
# The chief editor decides; so does the leader of the duty shift (a desk head, docs/duty.md).
DECIDERS = (Role.DESK_HEAD, Role.CHIEF_EDITOR)
TAG = "emergency"


class DraftAlert(Create):
    """Draft an emergency alert (a CAP 1.2 message); another person must approve it."""

    http = Http(
        "POST",
        "/api/alerts",
        TAG,
        roles=(Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR),
        creates=A,
    )
    msg_type: Literal["Alert", "Update", "Cancel"] = "Alert"
    references: list[UUID] = Field(default_factory=list, max_length=10)
    category: Literal[
        "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport",
        "Infra", "CBRNE", "Other",
    ] = "Safety"  # fmt: skip
    event: str = line(100, min_length=1, description="what happens, e.g. 暴雨")
    urgency: Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
    severity: Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
    certainty: Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]
    headline: str = line(80, min_length=1)
    description: str = lines(2000, min_length=1)
    instruction: str = lines(2000, default="")
    area: str = line(200, min_length=1, description="the area, in words")
    effective: Moment | None = Field(default=None, description="now when absent")
    expires: Moment
    reason: Reason

    def make(self, newsroom: Newsroom, r: Request) -> EmergencyAlert:
        for earlier in self.references:
            if newsroom.get(EmergencyAlert, earlier).state != "approved":
                raise RuleBroken("an Update or a Cancel refers to an approved alert")
        return self.new(EmergencyAlert.draft, r)


class OnAlert(ById, on=EmergencyAlert, noun="alert", abstract=True):
    """A change to the alert the path names."""


class DecideAlert(OnAlert, abstract=True):
    """The second person's decision: the chief editor's, or the duty shift's leader's."""

    verb: ClassVar[str]  # the aggregate's method: approve or reject
    reason: Reason

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        leading = leads_now(newsroom, r)
        return self.change(
            newsroom,
            r,
            lambda a: getattr(a, self.verb)(
                at=r.at, actor=r.actor, reason=self.reason, leading=leading
            ),
        )


def leads_now(newsroom: Newsroom, r: Request) -> bool:
    """Whether the sender leads the duty shift now (hub/duty.py); no roster running: no."""
    try:
        return bool(duty.now(newsroom, r.at)["leader"] == r.actor.name)
    except duty.NotFollowing:
        return False


class ApproveAlert(DecideAlert):
    """Approve an emergency alert: it goes on air and on the CAP feed (never its author's call)."""

    http = Http("POST", f"{A}/approve", TAG, roles=DECIDERS)
    verb = "approve"


class RejectAlert(DecideAlert):
    """Reject a drafted emergency alert, with a reason."""

    http = Http("POST", f"{A}/reject", TAG, roles=DECIDERS)
    verb = "reject"


class RecordAlertAired(OnAlert):
    """Record which outputs carried an alert, and whether it was spoken (sent by the hub)."""

    calls = "record_aired"
    outputs: list[str] = Field(max_length=100)
    spoken: bool
    font: bool
