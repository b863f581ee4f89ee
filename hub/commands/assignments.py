"""Assignments: plan, assign, accept or decline, check in, file, close, cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from uuid import UUID, uuid4

from pydantic import Field

from events.assignment import Assignment
from events.roles import Role
from events.topic import Topic
from hub.commands.base import Change, Create, Http
from hub.commands.fields import (
    Channel,
    Latitude,
    Longitude,
    Moment,
    Name,
    Place,
    Priority,
    Reason,
    Title,
    lines,
)
from hub.errors import NotFound

if TYPE_CHECKING:
    from hub.newsroom import Newsroom, Request

A = "/api/assignments/{id}"
TAG = "assignments"


class PlanAssignment(Create):
    """Plan an assignment."""

    http = Http("POST", "/api/assignments", TAG, roles=(Role.DISPATCHER,), creates=A)

    title: Title
    brief: str = lines(10_000, default="")
    location: Place
    priority: Priority = "normal"
    due: Moment | None = None
    channels: list[Channel] = Field(default_factory=list, max_length=10)
    topic: UUID | None = Field(default=None, description="the approved topic it comes from")

    def make(self, newsroom: Newsroom, r: Request) -> Assignment:
        if self.topic is not None:
            newsroom.get(Topic, self.topic).require_approved(r.actor)
        return Assignment.plan(
            id=uuid4(),
            at=r.at,
            actor=r.actor,
            title=self.title,
            brief=self.brief,
            location=self.location.location(),
            priority=self.priority,
            due=self.due,
            channels=list(self.channels),
            topic=self.topic,
        )


class OnAssignment(Change):
    """A change to the assignment the path names."""

    abstract: ClassVar[bool] = True
    noun: ClassVar[str] = "assignment"

    aggregate: ClassVar = Assignment
    id: UUID

    def target(self, newsroom: Newsroom) -> UUID:
        return self.id


class AssignReporter(OnAssignment):
    """Assign a reporter."""

    http = Http("POST", f"{A}/assign", TAG, roles=(Role.DISPATCHER,))
    reporter: Name

    def check(self, newsroom: Newsroom, r: Request) -> None:
        if Role.REPORTER.value not in newsroom.user(self.reporter).roles:
            raise NotFound("{name} is not a reporter", name=self.reporter)

    def decide(self, a: Assignment, r: Request) -> None:
        a.assign(at=r.at, actor=r.actor, reporter=self.reporter)


class AcceptAssignment(OnAssignment):
    """Accept an assignment."""

    http = Http("POST", f"{A}/accept", TAG, roles=(Role.REPORTER,))

    def decide(self, a: Assignment, r: Request) -> None:
        a.accept(at=r.at, actor=r.actor)


class DeclineAssignment(OnAssignment):
    """Decline an assignment."""

    http = Http("POST", f"{A}/decline", TAG, roles=(Role.REPORTER,))
    reason: Reason

    def decide(self, a: Assignment, r: Request) -> None:
        a.decline(at=r.at, actor=r.actor, reason=self.reason)


class CheckIn(OnAssignment):
    """Check in on scene."""

    http = Http("POST", f"{A}/check-in", TAG, roles=(Role.REPORTER,))
    lat: Latitude
    lon: Longitude

    def decide(self, a: Assignment, r: Request) -> None:
        a.check_in(at=r.at, actor=r.actor, lat=self.lat, lon=self.lon)


class FileAssignment(OnAssignment):
    """File an assignment."""

    http = Http("POST", f"{A}/file", TAG, roles=(Role.REPORTER,))

    def decide(self, a: Assignment, r: Request) -> None:
        a.file(at=r.at, actor=r.actor)


class CloseAssignment(OnAssignment):
    """Close an assignment."""

    http = Http("POST", f"{A}/close", TAG, roles=(Role.DISPATCHER,))

    def decide(self, a: Assignment, r: Request) -> None:
        a.close(at=r.at, actor=r.actor)


class CancelAssignment(OnAssignment):
    """Cancel an assignment."""

    http = Http("POST", f"{A}/cancel", TAG, roles=(Role.DISPATCHER,))
    reason: Reason

    def decide(self, a: Assignment, r: Request) -> None:
        a.cancel(at=r.at, actor=r.actor, reason=self.reason)
