"""The duty roster (值班与领导带班): shifts, handovers between them, and the broadcast inspection.

A shift names the people on duty and the leader in charge (带班领导) for a span of time; the desk
sets the roster up to two months ahead. A handover (交接班) is written and so signed by the
person leaving, listing what the read models showed at that moment (open warnings, overdue items,
what is on air), and countersigned by the person arriving. The safe-broadcast inspection (巡查)
ticks each item of its checklist with the time and what was found.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Unpack
from uuid import UUID

from events.base import Kept, Making, Marks, NewsroomAggregate, require_text
from events.errors import InvalidValue, RuleBroken
from events.messages import N_, Message
from events.roles import Actor, Role

LONGEST_SHIFT = timedelta(hours=24)
AHEAD = timedelta(days=62)  # the roster is set a month ahead; two months is the horizon
MOST_ON_DUTY = 20
ROSTER_ROLES = (Role.DESK_HEAD, Role.CHIEF_EDITOR)
LEADER_ROLES = (Role.DESK_HEAD, Role.CHIEF_EDITOR, Role.ADMIN)
# The safe-broadcast inspection's checklist (安全播出巡查), in the order it is walked.
CHECKS = ("signal", "backup_path", "recording", "output")
CHECK_WORDS = {
    "signal": N_("signal"),
    "backup_path": N_("backup path"),
    "recording": N_("recording"),
    "output": N_("output"),
}


class Span(Kept):
    """From when to when, who is on duty, and who of them leads."""

    start: datetime
    end: datetime
    on_duty: list[str]
    leader: str


class Shift(Span, NewsroomAggregate):
    """A span of duty: who is on duty and who leads."""

    class Scheduled(Span, NewsroomAggregate.Created):
        pass

    class Cancelled(Marks):
        marks = {"cancelled": True}
        reason: str

    def __init__(self) -> None:
        self.cancelled = False

    @classmethod
    def schedule(
        cls,
        *,
        start: datetime,
        end: datetime,
        on_duty: list[str],
        leader: str,
        **making: Unpack[Making],
    ) -> Shift:
        making["actor"].require(*ROSTER_ROLES, doing=N_("set the duty roster"))
        if end <= start:
            raise InvalidValue("a shift must end after it starts")
        if end - start > LONGEST_SHIFT:
            raise InvalidValue("a shift lasts at most 24 hours")
        if end <= making["at"]:
            raise RuleBroken("a shift that is over cannot be scheduled")
        if start - making["at"] > AHEAD:
            raise InvalidValue("the roster is set at most two months ahead")
        people = list(dict.fromkeys(on_duty))
        if not people:
            raise InvalidValue("a shift needs someone on duty")
        if len(people) > MOST_ON_DUTY:
            raise InvalidValue("a shift has at most {most} people on duty", most=MOST_ON_DUTY)
        return cls._make(cls.Scheduled, making, start=start, end=end, on_duty=people, leader=leader)

    def cancel(self, *, at: datetime, actor: Actor, reason: str) -> None:
        actor.require(*ROSTER_ROLES, doing=N_("set the duty roster"))
        if self.cancelled:
            raise RuleBroken("the shift is cancelled already")
        if self.end <= at:
            raise RuleBroken("the shift is over")
        reason = require_text(reason, N_("reason"), max_length=2000)
        self._record(self.Cancelled, at, actor.name, reason=reason)


class Handover(NewsroomAggregate):
    """A handover note (交接班): written by the person leaving, countersigned by the arriving."""

    class Written(NewsroomAggregate.Created):
        shift: UUID | None
        arriving: str
        note: str
        open_warnings: list[dict[str, Any]]
        overdue: list[dict[str, Any]]
        on_air: list[dict[str, Any]]

    class Countersigned(Marks):
        marks = {"signed": True}

    def __init__(self, arriving: str, actor: str) -> None:
        self.leaving = actor
        self.arriving = arriving
        self.signed = False

    @classmethod
    def write(
        cls,
        *,
        shift: UUID | None,
        arriving: str,
        note: str,
        open_warnings: list[dict[str, Any]],
        overdue: list[dict[str, Any]],
        on_air: list[dict[str, Any]],
        **making: Unpack[Making],
    ) -> Handover:
        leaving = making["actor"].name
        if arriving == leaving:
            raise RuleBroken(
                "a handover is between two people: {name} cannot take over from themselves",
                name=leaving,
            )
        return cls._make(
            cls.Written,
            making,
            shift=shift,
            arriving=arriving,
            note=note.strip(),
            open_warnings=open_warnings,
            overdue=overdue,
            on_air=on_air,
        )

    def countersign(self, *, at: datetime, actor: Actor) -> None:
        actor.require_to_be(self.arriving, "only {person} countersigns this handover, not {actor}")
        if self.signed:
            raise RuleBroken("the handover is countersigned already")
        self._record(self.Countersigned, at, actor.name)


class Inspection(NewsroomAggregate):
    """The safe-broadcast inspection (巡查): each item ticked with its time and what was found."""

    class Started(NewsroomAggregate.Created):
        shift: UUID | None

    class Checked(NewsroomAggregate.Event):
        item: str
        ok: bool
        finding: str

        def apply(self, i: Inspection) -> None:
            i.checked[self.item] = self.ok

    class Completed(Marks):
        marks = {"completed": True}

    def __init__(self, actor: str) -> None:
        self.inspector = actor
        self.checked: dict[str, bool] = {}
        self.completed = False

    @classmethod
    def start(cls, *, shift: UUID | None, **making: Unpack[Making]) -> Inspection:
        return cls._make(cls.Started, making, shift=shift)

    def check(self, *, at: datetime, actor: Actor, item: str, ok: bool, finding: str) -> None:
        self._by_inspector(actor)
        if item not in CHECKS:
            raise InvalidValue(
                "unknown inspection item '{item}'; the items are: {items}",
                item=item,
                items=list(CHECKS),
            )
        if item in self.checked:
            raise RuleBroken("{item} is ticked already", item=Message(CHECK_WORDS[item]))
        finding = finding.strip()
        if not ok and not finding:
            raise InvalidValue(
                "say what was found when {item} is not in order", item=Message(CHECK_WORDS[item])
            )
        self._record(self.Checked, at, actor.name, item=item, ok=ok, finding=finding)

    def complete(self, *, at: datetime, actor: Actor) -> None:
        self._by_inspector(actor)
        missing = [Message(CHECK_WORDS[c]) for c in CHECKS if c not in self.checked]
        if missing:
            raise RuleBroken("the inspection still lacks {items}", items=missing)
        self._record(self.Completed, at, actor.name)

    def _by_inspector(self, actor: Actor) -> None:
        actor.require_to_be(self.inspector, "this inspection is {person}'s, not {actor}'s")
        if self.completed:
            raise RuleBroken("the inspection is complete")
