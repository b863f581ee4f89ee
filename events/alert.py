"""Emergency alerts (应急广播): a CAP 1.2 message drafted by one person and approved by another.

drafted → approved (on air until it expires or a later message cancels or updates it)
        → rejected (with a reason; never on air)

Cancelling or updating an alert is a new alert whose `msg_type` is Cancel or Update and whose
`references` name the earlier one; it goes through the same two people. The fields are CAP's own
(OASIS Common Alerting Protocol 1.2), so the document on the feed is the alert as approved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Unpack
from uuid import UUID

from events.base import Kept, Making, Moved, NewsroomAggregate, require_text
from events.errors import InvalidValue, NotPermitted, RuleBroken
from events.messages import N_
from events.roles import Actor, Role

AUTHORS = (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)
APPROVERS = (Role.CHIEF_EDITOR,)
MSG_TYPES = ("Alert", "Update", "Cancel")
CATEGORIES = (
    "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
    "CBRNE", "Other",
)  # fmt: skip
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise InvalidValue(
            "{what} must be one of {allowed}, not '{value}'",
            what=what,
            allowed=list(allowed),
            value=value,
        )
    return value


class CapMessage(Kept):
    """What a CAP message says, in CAP's own fields."""

    msg_type: str
    references: list[UUID]
    category: str
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str
    description: str
    instruction: str
    area: str
    effective: datetime
    expires: datetime


class EmergencyAlert(CapMessage, NewsroomAggregate):
    """One CAP message: what it says, who drafted it, who approved it, and for how long."""

    class Drafted(CapMessage, NewsroomAggregate.Created):
        reason: str

    class Approved(NewsroomAggregate.Event):
        """Carries what goes on air, so that a view of the air needs no other event."""

        reason: str
        msg_type: str
        references: list[UUID]
        headline: str
        area: str
        severity: str
        effective: datetime
        expires: datetime

        def apply(self, a: EmergencyAlert) -> None:
            a.state = "approved"
            a.approver = self.actor
            a.approved_at = self.timestamp

    class Rejected(Moved):
        state = "rejected"
        reason: str

    class Aired(NewsroomAggregate.Event):
        """The hub put the alert on these outputs, read aloud (`spoken`) or with the tone, its
        card set in a CJK font (`font`) or in Latin letters only."""

        outputs: list[str]
        spoken: bool
        font: bool

        def apply(self, a: EmergencyAlert) -> None:
            a.aired_on = list(self.outputs)

    def __init__(self, actor: str) -> None:
        self.author = actor
        self.state = "drafted"
        self.approver: str | None = None
        self.approved_at: datetime | None = None
        self.aired_on: list[str] = []

    @classmethod
    def draft(
        cls,
        *,
        msg_type: str,
        references: list[UUID],
        category: str,
        event: str,
        urgency: str,
        severity: str,
        certainty: str,
        headline: str,
        description: str,
        instruction: str,
        area: str,
        effective: datetime | None,
        expires: datetime,
        reason: str,
        **making: Unpack[Making],
    ) -> EmergencyAlert:
        making["actor"].require(*AUTHORS, doing=N_("draft emergency alerts"))
        _one_of(msg_type, MSG_TYPES, "msg_type")
        if (msg_type == "Alert") != (not references):
            raise InvalidValue("an Update or a Cancel names the alert it refers to; an Alert none")
        starts = effective or making["at"]
        if expires <= starts:
            raise InvalidValue("an alert must expire after it takes effect")
        return cls._make(
            cls.Drafted,
            making,
            msg_type=msg_type,
            references=list(dict.fromkeys(references)),
            category=_one_of(category, CATEGORIES, "category"),
            event=require_text(event, N_("the event"), max_length=100),
            urgency=_one_of(urgency, URGENCIES, "urgency"),
            severity=_one_of(severity, SEVERITIES, "severity"),
            certainty=_one_of(certainty, CERTAINTIES, "certainty"),
            headline=require_text(headline, N_("the headline"), max_length=80),
            description=require_text(description, N_("the description"), max_length=2000),
            instruction=instruction.strip()[:2000],
            area=require_text(area, N_("the area"), max_length=200),
            effective=starts,
            expires=expires,
            reason=require_text(reason, N_("a reason"), max_length=2000),
        )

    def approve(self, *, at: datetime, actor: Actor, reason: str, leading: bool = False) -> None:
        """The second person: the chief editor, or the leader of the duty shift (`leading`), and
        never the author (admins too: the rule names two real people)."""
        self._decide(actor, leading)
        if at >= self.expires:
            raise RuleBroken("the alert '{headline}' has already expired", headline=self.headline)
        self._record(
            self.Approved,
            at,
            actor.name,
            reason=require_text(reason, N_("a reason"), max_length=2000),
            msg_type=self.msg_type,
            references=list(self.references),
            headline=self.headline,
            area=self.area,
            severity=self.severity,
            effective=self.effective,
            expires=self.expires,
        )

    def record_aired(
        self, *, at: datetime, actor: Actor, outputs: list[str], spoken: bool, font: bool
    ) -> None:
        if self.state != "approved":
            raise RuleBroken("the alert '{headline}' is not approved", headline=self.headline)
        self._record(self.Aired, at, actor.name, outputs=outputs, spoken=spoken, font=font)

    def reject(self, *, at: datetime, actor: Actor, reason: str, leading: bool = False) -> None:
        self._decide(actor, leading)
        self._record(
            self.Rejected,
            at,
            actor.name,
            reason=require_text(reason, N_("a reason for rejecting"), max_length=2000),
        )

    def _decide(self, actor: Actor, leading: bool) -> None:
        if not leading:
            actor.require(*APPROVERS, doing=N_("approve emergency alerts"))
        if actor.name == self.author:
            raise NotPermitted(
                "{actor} drafted the alert '{headline}'; another person must approve it",
                actor=actor.name,
                headline=self.headline,
            )
        if self.state != "drafted":
            raise RuleBroken(
                "the alert '{headline}' has been decided already", headline=self.headline
            )
