"""Dispatch commands to people in the field: issue, deliver, acknowledge."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from events.assignment import Assignment
from events.dispatch import DispatchCommand
from events.roles import Role
from hub.commands.base import ById, Create, Http
from hub.commands.fields import Name, line, lines

if TYPE_CHECKING:
    from hub.newsroom import Newsroom, Request

C = "/api/commands/{id}"
TAG = "dispatch"


class IssueCommand(Create):
    """Send a dispatch command."""

    http = Http("POST", "/api/commands", TAG, roles=(Role.DISPATCHER, Role.TECHNICIAN), creates=C)
    to: Name
    assignment: UUID | None = None
    text: str = lines(500, min_length=1)

    def make(self, newsroom: Newsroom, r: Request) -> DispatchCommand:
        newsroom.user(self.to)
        if self.assignment is not None:
            newsroom.get(Assignment, self.assignment)
        return self.new(DispatchCommand.issue, r)


class OnCommand(ById, on=DispatchCommand, noun="command", abstract=True):
    """A change to the dispatch command the path names."""


class DeliverCommand(OnCommand):
    """Record that a dispatch command reached its person (by push, page or phone)."""

    calls = "deliver"
    via: str = line(40, min_length=1)


class AcknowledgeCommand(OnCommand):
    """Acknowledge a dispatch command."""

    http = Http("POST", f"{C}/ack", TAG)
    calls = "acknowledge"
