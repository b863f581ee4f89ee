"""Assignments: plan, assign, accept or decline, check in, file, close, cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from pydantic import Field

from events.assignment import Assignment
from events.roles import Role
from events.topic import Topic
from hub.commands.base import ById, Create, Http
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
        return self.planned(r)

    def planned(self, r: Request, id: UUID | None = None, /) -> Assignment:
        """The assignment as planned (its topic, if it names one, checked already)."""
        return self.new(Assignment.plan, r, id, location=self.location.location())


class OnAssignment(ById, on=Assignment, noun="assignment", abstract=True):
    """A change to the assignment the path names."""


class AssignReporter(OnAssignment):
    """Assign a reporter."""

    http = Http("POST", f"{A}/assign", TAG, roles=(Role.DISPATCHER,))
    calls = "assign"
    reporter: Name

    def check(self, newsroom: Newsroom, r: Request) -> None:
        if Role.REPORTER.value not in newsroom.user(self.reporter).roles:
            raise NotFound("{name} is not a reporter", name=self.reporter)


class AcceptAssignment(OnAssignment):
    """Accept an assignment."""

    http = Http("POST", f"{A}/accept", TAG, roles=(Role.REPORTER,))
    calls = "accept"


class DeclineAssignment(OnAssignment):
    """Decline an assignment."""

    http = Http("POST", f"{A}/decline", TAG, roles=(Role.REPORTER,))
    calls = "decline"
    reason: Reason


class CheckIn(OnAssignment):
    """Check in on scene."""

    http = Http("POST", f"{A}/check-in", TAG, roles=(Role.REPORTER,))
    calls = "check_in"
    lat: Latitude
    lon: Longitude


class FileAssignment(OnAssignment):
    """File an assignment."""

    http = Http("POST", f"{A}/file", TAG, roles=(Role.REPORTER,))
    calls = "file"


class CloseAssignment(OnAssignment):
    """Close an assignment."""

    http = Http("POST", f"{A}/close", TAG, roles=(Role.DISPATCHER,))
    calls = "close"


class CancelAssignment(OnAssignment):
    """Cancel an assignment."""

    http = Http("POST", f"{A}/cancel", TAG, roles=(Role.DISPATCHER,))
    calls = "cancel"
    reason: Reason
