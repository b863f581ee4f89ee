"""Assignments: a story to cover, from planning to filing (选题, 派单, 接单).

planned → assigned → accepted | declined → on scene → filed → closed; cancelled from any open state.
A declined or not yet started assignment can be assigned again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Unpack
from uuid import UUID

from events.base import (
    Kept,
    Location,
    Making,
    Moved,
    NewsroomAggregate,
    require_one_of,
    require_text,
)
from events.channels import parse_channels
from events.errors import InvalidValue, NotPermitted, RuleBroken
from events.messages import N_, Message
from events.roles import Actor, Role

PRIORITIES = ("low", "normal", "high", "urgent")
STATES = ("planned", "assigned", "accepted", "declined", "on_scene", "filed", "closed", "cancelled")
STATE_WORDS = {
    "planned": N_("planned"),
    "assigned": N_("assigned"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "on_scene": N_("on scene"),
    "filed": N_("filed"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
}
PRIORITY_WORDS = {
    "low": N_("low"),
    "normal": N_("normal"),
    "high": N_("high"),
    "urgent": N_("urgent"),
}
OPEN_STATES = frozenset(STATES) - {"closed", "cancelled"}
DESK = (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)  # write on any assignment
# Who plans and assigns: the dispatchers, and for a topic the meeting approved, its chairs too.
PLANNERS = (Role.DISPATCHER,)
TOPIC_PLANNERS = (Role.DISPATCHER, Role.DESK_HEAD, Role.CHIEF_EDITOR)


class Plan(Kept):
    """What an assignment is about, where (a `Location` as a dict), how urgent and by when."""

    title: str
    brief: str
    location: dict[str, Any]
    priority: str
    due: datetime | None


class Assignment(Plan, NewsroomAggregate):
    """A story to cover: who goes, where, by when, for which channels."""

    class Planned(Plan, NewsroomAggregate.Created):
        channels: list[str]
        topic: UUID | None  # the topic the meeting approved, when it came from one

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["topic"] = None

    class ReporterAssigned(NewsroomAggregate.Event):
        reporter: str

        def apply(self, a: Assignment) -> None:
            a.reporter = self.reporter
            a.state = "assigned"

    class Accepted(Moved):
        state = "accepted"

    class Declined(Moved):
        state = "declined"
        reason: str

    class CheckedIn(NewsroomAggregate.Event):
        lat: float
        lon: float

        def apply(self, a: Assignment) -> None:
            a.state = "on_scene"
            a.position = (self.lat, self.lon)

    class Filed(Moved):
        state = "filed"

    class Closed(Moved):
        state = "closed"

    class Cancelled(Moved):
        state = "cancelled"
        reason: str

    def __init__(self, channels: list[str], topic: UUID | None, actor: str) -> None:
        self.topic = topic
        self.channels = tuple(channels)
        self.planner = actor
        self.reporter: str | None = None
        self.state = "planned"
        self.position: tuple[float, float] | None = None

    @classmethod
    def plan(
        cls,
        *,
        title: str,
        brief: str,
        location: Location,
        priority: str,
        due: datetime | None,
        channels: list[str],
        topic: UUID | None = None,
        **making: Unpack[Making],
    ) -> Assignment:
        making["actor"].require(
            *(TOPIC_PLANNERS if topic else PLANNERS), doing=N_("plan assignments")
        )
        require_one_of(
            PRIORITIES, N_("priority '{priority}' is not one of {known}"), priority=priority
        )
        if due is not None and due.tzinfo is None:
            raise InvalidValue("due must carry a time zone")
        return cls._make(
            cls.Planned,
            making,
            title=require_text(title, N_("title"), max_length=200),
            brief=brief.strip(),
            location=location.as_dict(),
            priority=priority,
            due=due,
            channels=list(parse_channels(channels, allow_empty=True)),
            topic=topic,
        )

    def assign(self, *, at: datetime, actor: Actor, reporter: str) -> None:
        planners = TOPIC_PLANNERS if self.topic else PLANNERS
        actor.require(*planners, doing=N_("assign reporters"))
        self._require_state(
            N_("assign a reporter to"), "planned", "assigned", "declined", "accepted"
        )
        if reporter == self.reporter and self.state in ("assigned", "accepted"):
            raise RuleBroken(
                "assignment '{title}' is already assigned to {reporter}",
                title=self.title,
                reporter=reporter,
            )
        self._record(self.ReporterAssigned, at, actor.name, reporter=reporter)

    def accept(self, *, at: datetime, actor: Actor) -> None:
        self._require_reporter(actor, N_("accept"))
        self._require_state(N_("accept"), "assigned")
        self._record(self.Accepted, at, actor.name)

    def decline(self, *, at: datetime, actor: Actor, reason: str) -> None:
        self._require_reporter(actor, N_("decline"))
        self._require_state(N_("decline"), "assigned")
        reason = require_text(reason, N_("a reason for declining"), max_length=1000)
        self._record(self.Declined, at, actor.name, reason=reason)

    def check_in(self, *, at: datetime, actor: Actor, lat: float, lon: float) -> None:
        self._require_reporter(actor, N_("check in on"))
        self._require_state(N_("check in on"), "accepted", "on_scene")
        Location("check-in", lat, lon)  # validates the coordinates
        self._record(self.CheckedIn, at, actor.name, lat=lat, lon=lon)

    def file(self, *, at: datetime, actor: Actor) -> None:
        self._require_reporter(actor, N_("file"))
        self._require_state(N_("file"), "accepted", "on_scene")
        self._record(self.Filed, at, actor.name)

    def close(self, *, at: datetime, actor: Actor) -> None:
        actor.require(Role.DISPATCHER, doing=N_("close assignments"))
        self._require_state(N_("close"), "filed")
        self._record(self.Closed, at, actor.name)

    def cancel(self, *, at: datetime, actor: Actor, reason: str) -> None:
        actor.require(Role.DISPATCHER, doing=N_("cancel assignments"))
        self._require_state(N_("cancel"), *sorted(OPEN_STATES))
        reason = require_text(reason, N_("a reason for cancelling"), max_length=1000)
        self._record(self.Cancelled, at, actor.name, reason=reason)

    def require_story_writer(self, actor: Actor) -> None:
        """A story on this assignment is written by its reporter, or by the desk (editors up)."""
        if actor.has(*DESK) or (self.reporter is not None and actor.name == self.reporter):
            return
        raise NotPermitted(
            "{actor} may not write a story on assignment '{title}': it is {whose}, "
            "and only its reporter or an editor, desk head or chief editor may",
            actor=actor.name,
            title=self.title,
            whose=self._whose(),
        )

    def _require_reporter(self, actor: Actor, doing: str) -> None:
        actor.require_to_be(
            self.reporter,
            "{actor} may not {doing} assignment '{title}': it is {whose}",
            doing=Message(doing),
            title=self.title,
            whose=self._whose(),
        )

    def _whose(self) -> Message:
        if self.reporter:
            return Message("{reporter}'s", reporter=self.reporter)
        return Message("nobody's yet")

    def _require_state(self, doing: str, *states: str) -> None:
        if self.state not in states:
            raise RuleBroken(
                "cannot {doing} assignment '{title}' while it is {state}",
                doing=Message(doing),
                title=self.title,
                state=Message(STATE_WORDS[self.state]),
            )
