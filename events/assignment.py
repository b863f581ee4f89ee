"""Assignments: a story to cover, from planning to filing (选题, 派单, 接单).

planned → assigned → accepted | declined → on scene → filed → closed; cancelled from any open state.
A declined or not yet started assignment can be assigned again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from events.base import Location, NewsroomAggregate, require_text
from events.channels import parse_channels
from events.errors import InvalidValue, NotPermitted, RuleBroken
from events.roles import Actor, Role

PRIORITIES = ("low", "normal", "high", "urgent")
STATES = ("planned", "assigned", "accepted", "declined", "on_scene", "filed", "closed", "cancelled")
OPEN_STATES = frozenset(STATES) - {"closed", "cancelled"}
DESK = (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)  # write on any assignment


class Assignment(NewsroomAggregate):
    """A story to cover: who goes, where, by when, for which channels."""

    class Planned(NewsroomAggregate.Created):
        title: str
        brief: str
        location: dict[str, Any]
        priority: str
        due: datetime | None
        channels: list[str]

    class ReporterAssigned(NewsroomAggregate.Event):
        reporter: str

        def apply(self, a: Assignment) -> None:
            a.reporter = self.reporter
            a.state = "assigned"

    class Accepted(NewsroomAggregate.Event):
        def apply(self, a: Assignment) -> None:
            a.state = "accepted"

    class Declined(NewsroomAggregate.Event):
        reason: str

        def apply(self, a: Assignment) -> None:
            a.state = "declined"

    class CheckedIn(NewsroomAggregate.Event):
        lat: float
        lon: float

        def apply(self, a: Assignment) -> None:
            a.state = "on_scene"
            a.position = (self.lat, self.lon)

    class Filed(NewsroomAggregate.Event):
        def apply(self, a: Assignment) -> None:
            a.state = "filed"

    class Closed(NewsroomAggregate.Event):
        def apply(self, a: Assignment) -> None:
            a.state = "closed"

    class Cancelled(NewsroomAggregate.Event):
        reason: str

        def apply(self, a: Assignment) -> None:
            a.state = "cancelled"

    def __init__(
        self,
        title: str,
        brief: str,
        location: dict[str, Any],
        priority: str,
        due: datetime | None,
        channels: list[str],
        actor: str,
    ) -> None:
        self.title = title
        self.brief = brief
        self.location = location
        self.priority = priority
        self.due = due
        self.channels = tuple(channels)
        self.planner = actor
        self.reporter: str | None = None
        self.state = "planned"
        self.position: tuple[float, float] | None = None

    @classmethod
    def plan(
        cls,
        *,
        id: UUID,
        at: datetime,
        actor: Actor,
        title: str,
        brief: str,
        location: Location,
        priority: str,
        due: datetime | None,
        channels: list[str],
    ) -> Assignment:
        actor.require(Role.DISPATCHER, doing="plan assignments")
        if priority not in PRIORITIES:
            raise InvalidValue(f"priority {priority!r} is not one of {', '.join(PRIORITIES)}")
        if due is not None and due.tzinfo is None:
            raise InvalidValue("due must carry a time zone")
        return cls._create(
            cls.Planned,
            id=id,
            timestamp=at,
            actor=actor.name,
            title=require_text(title, "title", max_length=200),
            brief=brief.strip(),
            location=location.as_dict(),
            priority=priority,
            due=due,
            channels=list(parse_channels(channels, allow_empty=True)),
        )

    def assign(self, *, at: datetime, actor: Actor, reporter: str) -> None:
        actor.require(Role.DISPATCHER, doing="assign reporters")
        self._require_state("assign a reporter to", "planned", "assigned", "declined", "accepted")
        if reporter == self.reporter and self.state in ("assigned", "accepted"):
            raise RuleBroken(f"assignment {self.title!r} is already assigned to {reporter}")
        self.trigger_event(self.ReporterAssigned, timestamp=at, actor=actor.name, reporter=reporter)

    def accept(self, *, at: datetime, actor: Actor) -> None:
        self._require_reporter(actor, "accept")
        self._require_state("accept", "assigned")
        self.trigger_event(self.Accepted, timestamp=at, actor=actor.name)

    def decline(self, *, at: datetime, actor: Actor, reason: str) -> None:
        self._require_reporter(actor, "decline")
        self._require_state("decline", "assigned")
        reason = require_text(reason, "a reason for declining", max_length=1000)
        self.trigger_event(self.Declined, timestamp=at, actor=actor.name, reason=reason)

    def check_in(self, *, at: datetime, actor: Actor, lat: float, lon: float) -> None:
        self._require_reporter(actor, "check in on")
        self._require_state("check in on", "accepted", "on_scene")
        Location("check-in", lat, lon)  # validates the coordinates
        self.trigger_event(self.CheckedIn, timestamp=at, actor=actor.name, lat=lat, lon=lon)

    def file(self, *, at: datetime, actor: Actor) -> None:
        self._require_reporter(actor, "file")
        self._require_state("file", "accepted", "on_scene")
        self.trigger_event(self.Filed, timestamp=at, actor=actor.name)

    def close(self, *, at: datetime, actor: Actor) -> None:
        actor.require(Role.DISPATCHER, doing="close assignments")
        self._require_state("close", "filed")
        self.trigger_event(self.Closed, timestamp=at, actor=actor.name)

    def cancel(self, *, at: datetime, actor: Actor, reason: str) -> None:
        actor.require(Role.DISPATCHER, doing="cancel assignments")
        self._require_state("cancel", *sorted(OPEN_STATES))
        reason = require_text(reason, "a reason for cancelling", max_length=1000)
        self.trigger_event(self.Cancelled, timestamp=at, actor=actor.name, reason=reason)

    def require_story_writer(self, actor: Actor) -> None:
        """A story on this assignment is written by its reporter, or by the desk (editors up)."""
        if actor.has(*DESK) or (self.reporter is not None and actor.name == self.reporter):
            return
        whose = f"{self.reporter}'s" if self.reporter else "nobody's yet"
        raise NotPermitted(
            f"{actor.name} may not write a story on assignment {self.title!r}: it is {whose}, "
            "and only its reporter or an editor, desk head or chief editor may"
        )

    def _require_reporter(self, actor: Actor, doing: str) -> None:
        if actor.name != self.reporter:
            whose = f"{self.reporter}'s" if self.reporter else "nobody's yet"
            raise NotPermitted(
                f"{actor.name} may not {doing} assignment {self.title!r}: it is {whose}"
            )

    def _require_state(self, doing: str, *states: str) -> None:
        if self.state not in states:
            state = self.state.replace("_", " ")
            raise RuleBroken(f"cannot {doing} assignment {self.title!r} while it is {state}")
