"""Dispatch commands to people in the field: issued → delivered → acknowledged (指挥调度)."""

from __future__ import annotations

from datetime import datetime
from typing import Unpack
from uuid import UUID

from events.base import Kept, Making, Moved, NewsroomAggregate, require_text
from events.errors import RuleBroken
from events.messages import N_
from events.roles import Actor, Role


class Instruction(Kept):
    """A command: to whom, for which assignment, and what it says."""

    to: str
    assignment: UUID | None
    text: str


class DispatchCommand(Instruction, NewsroomAggregate):
    """An instruction to a person ("go live at 14:00"); unacknowledged ones escalate on the wall."""

    class Issued(Instruction, NewsroomAggregate.Created):
        pass

    class Delivered(NewsroomAggregate.Event):
        via: str

        def apply(self, c: DispatchCommand) -> None:
            c.state = "delivered" if c.state == "issued" else c.state

    class Acknowledged(Moved):
        state = "acknowledged"

    def __init__(self, actor: str) -> None:
        self.issuer = actor
        self.state = "issued"

    @classmethod
    def issue(
        cls, *, to: str, assignment: UUID | None, text: str, **making: Unpack[Making]
    ) -> DispatchCommand:
        making["actor"].require(Role.DISPATCHER, Role.TECHNICIAN, doing=N_("send commands"))
        return cls._make(
            cls.Issued,
            making,
            to=to,
            assignment=assignment,
            text=require_text(text, N_("command text"), max_length=500),
        )

    def deliver(self, *, at: datetime, actor: Actor, via: str) -> None:
        """Records that the hub pushed the command to the recipient's device."""
        if self.state != "issued":
            return  # delivered already (several devices); nothing new happened
        self._record(self.Delivered, at, actor.name, via=via)

    def acknowledge(self, *, at: datetime, actor: Actor) -> None:
        actor.require_to_be(self.to, "{actor} may not acknowledge a command sent to {person}")
        if self.state == "acknowledged":
            raise RuleBroken("command '{text}' is already acknowledged", text=self.text)
        self._record(self.Acknowledged, at, actor.name)
