"""Topics: what the topic meeting (选题会) hears, decides and turns into assignments.

A topic is proposed (报题) by a reporter, an editor or the desk, or comes from a lead, for the
meeting of a day, with its angle, the outlets (channels) it is for and the resources it needs.
The meeting decides: approve, defer (to the meeting of a later day) or drop, always with a
reason; the decisions of a day are that meeting's minutes. An approved topic becomes one or more
assignments, each naming the topic.

proposed → approved (then assignments are planned from it, any number, each naming it)
proposed → deferred → (decided again at a later meeting) ; proposed | deferred → dropped
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Unpack
from uuid import UUID

from events.base import Kept, Making, NewsroomAggregate, require_one_of, require_text
from events.channels import parse_channels
from events.errors import InvalidValue, RuleBroken
from events.messages import N_, Message
from events.roles import Actor, Role

DECISIONS = ("approve", "defer", "drop")
STATES = ("proposed", "approved", "deferred", "dropped")
STATE_WORDS = {
    "proposed": N_("proposed"),
    "approved": N_("approved"),
    "deferred": N_("deferred"),
    "dropped": N_("dropped"),
}
ORIGINS = ("reporter", "desk", "lead")
PROPOSERS = (Role.REPORTER, Role.DISPATCHER, Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)
DECIDERS = (Role.DESK_HEAD, Role.CHIEF_EDITOR)  # who chairs the meeting and decides
ASSIGNERS = (Role.DISPATCHER, Role.DESK_HEAD, Role.CHIEF_EDITOR)  # who turns a topic into work


def parse_day(value: str) -> str:
    """A meeting's day as ISO text (2026-12-07), refusing anything else."""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InvalidValue("'{value}' is not a day like 2026-12-07", value=value) from None


def next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


class Pitch(Kept):
    """What a topic is about, and from which angle."""

    title: str
    angle: str


class Topic(Pitch, NewsroomAggregate):
    """A proposal for the topic meeting, its decisions, and the assignments made from it."""

    class Proposed(Pitch, NewsroomAggregate.Created):
        channels: list[str]
        resources: str
        day: str
        origin: str
        lead: UUID | None

    class Decided(NewsroomAggregate.Event):
        decision: str
        reason: str
        day: str  # the meeting that decided (its minutes hold this decision)
        next_day: str | None  # a deferred topic comes up again at this meeting

        def apply(self, t: Topic) -> None:
            t.state = {"approve": "approved", "defer": "deferred", "drop": "dropped"}[self.decision]
            if self.next_day is not None:
                t.day = self.next_day

    def __init__(
        self,
        channels: list[str],
        resources: str,
        day: str,
        origin: str,
        lead: UUID | None,
        actor: str,
    ) -> None:
        """What `Proposed` says after the pitch: the channels as a tuple, the rest as they are."""
        self.channels = tuple(channels)
        self.resources = resources
        self.day = day
        self.origin = origin
        self.lead = lead
        self.proposer = actor
        self.state = "proposed"

    @classmethod
    def propose(
        cls,
        *,
        title: str,
        angle: str,
        channels: list[str],
        resources: str,
        day: str,
        lead: UUID | None = None,
        **making: Unpack[Making],
    ) -> Topic:
        making["actor"].require(*PROPOSERS, doing=N_("propose topics"))
        if lead is not None:
            origin = "lead"
        elif making["actor"].has(Role.DISPATCHER, Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR):
            origin = "desk"
        else:
            origin = "reporter"
        return cls._make(
            cls.Proposed,
            making,
            title=require_text(title, N_("title"), max_length=200),
            angle=angle.strip(),
            channels=list(parse_channels(channels, allow_empty=True)),
            resources=resources.strip(),
            day=parse_day(day),
            origin=origin,
            lead=lead,
        )

    def decide(
        self,
        *,
        at: datetime,
        actor: Actor,
        decision: str,
        reason: str,
        defer_to: str | None = None,
    ) -> None:
        """Records the meeting's decision; a deferred topic comes up at a later day's meeting."""
        actor.require(*DECIDERS, doing=N_("decide on topics"))
        require_one_of(
            DECISIONS, N_("decision must be one of {known}, not '{decision}'"), decision=decision
        )
        if self.state not in ("proposed", "deferred"):
            raise RuleBroken(
                "topic '{title}' is {state}; it was decided already",
                title=self.title,
                state=Message(STATE_WORDS[self.state]),
            )
        reason = require_text(reason, N_("a reason for the decision"), max_length=2000)
        later = None
        if decision == "defer":
            later = parse_day(defer_to) if defer_to else next_day(self.day)
            if later <= self.day:
                raise InvalidValue(
                    "a deferred topic goes to a later meeting than {day}, not {later}",
                    day=self.day,
                    later=later,
                )
        self._record(
            self.Decided,
            at,
            actor.name,
            decision=decision,
            reason=reason,
            day=self.day,
            next_day=later,
        )

    def require_approved(self, actor: Actor) -> None:
        """Assignments are made only from an approved topic, by the desk or the dispatchers."""
        actor.require(*ASSIGNERS, doing=N_("make assignments from topics"))
        if self.state != "approved":
            raise RuleBroken(
                "topic '{title}' is {state}; only an approved topic becomes assignments",
                title=self.title,
                state=Message(STATE_WORDS[self.state]),
            )
