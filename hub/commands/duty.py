"""The duty roster: shifts, handovers and the safe-broadcast inspection (docs/duty.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal
from uuid import UUID

from pydantic import Field

from events.duty import LEADER_ROLES, ROSTER_ROLES, Handover, Inspection, Shift
from events.errors import InvalidValue, NotPermitted
from events.roles import Role
from hub import duty
from hub.commands.base import ById, Create, Http
from hub.commands.fields import Moment, Name, Reason, lines

if TYPE_CHECKING:
    from hub.newsroom import Newsroom, Request

TAG = "duty"
S = "/api/duty/shifts/{id}"
H = "/api/duty/handovers/{id}"
I = "/api/duty/inspections/{id}"  # noqa: E741
# Who walks the inspection and writes handovers: the people who take duty in the hall.
ON_DUTY_ROLES = (
    Role.DISPATCHER,
    Role.TECHNICIAN,
    Role.EDITOR,
    Role.DESK_HEAD,
    Role.CHIEF_EDITOR,
)


class ScheduleShift(Create):
    """Schedule a shift."""

    http = Http("POST", "/api/duty/shifts", TAG, roles=ROSTER_ROLES, creates=S)
    start: Moment
    end: Moment
    on_duty: list[Name] = Field(min_length=1, max_length=20)
    leader: Name

    def make(self, newsroom: Newsroom, r: Request) -> Shift:
        for name in self.on_duty:
            newsroom.user(name)
        leader = newsroom.user(self.leader)
        if not set(leader.roles) & {role.value for role in LEADER_ROLES}:
            raise InvalidValue(
                "{name} cannot lead a shift: it needs a desk head or the chief editor",
                name=self.leader,
            )
        return self.new(Shift.schedule, r)


class CancelShift(ById, on=Shift):
    """Cancel a shift."""

    http = Http("POST", f"{S}/cancel", TAG, roles=ROSTER_ROLES)
    calls = "cancel"
    reason: Reason


class WriteHandover(Create):
    """Hand over the duty to the person arriving."""

    http = Http("POST", "/api/duty/handovers", TAG, roles=ON_DUTY_ROLES, creates=H)
    arriving: Name
    note: str = lines(5000, default="")

    def make(self, newsroom: Newsroom, r: Request) -> Handover:
        newsroom.user(self.arriving)
        now = duty.now(newsroom, r.at)
        if r.actor.name not in now["on_duty"] and r.actor.name != now["leader"]:
            raise NotPermitted("{actor} is not on duty now", actor=r.actor.name)
        shifts = [s for s in now["shifts"] if r.actor.name in (*s["on_duty"], s["leader"])]
        seen = duty.handover_lists(newsroom, r.at)
        return self.new(Handover.write, r, shift=UUID(shifts[-1]["id"]) if shifts else None, **seen)


class CountersignHandover(ById, on=Handover):
    """Countersign a handover (the person arriving)."""

    http = Http("POST", f"{H}/countersign", TAG)
    calls = "countersign"


class StartInspection(Create):
    """Start a safe-broadcast inspection."""

    http = Http("POST", "/api/duty/inspections", TAG, roles=ON_DUTY_ROLES, creates=I)

    def make(self, newsroom: Newsroom, r: Request) -> Inspection:
        now = duty.now(newsroom, r.at)
        shifts = [s for s in now["shifts"] if r.actor.name in (*s["on_duty"], s["leader"])]
        shift = UUID(shifts[-1]["id"]) if shifts else None
        return self.new(Inspection.start, r, shift=shift)


class OnInspection(ById, on=Inspection, abstract=True):
    """A step of the inspection the path names."""


class TickInspectionItem(OnInspection):
    """Tick one item of the inspection, with what was found."""

    http = Http("POST", f"{I}/items", TAG, roles=ON_DUTY_ROLES)
    calls = "check"
    item: Literal["signal", "backup_path", "recording", "output"]
    ok: bool
    finding: str = lines(2000, default="")


class CompleteInspection(OnInspection):
    """Complete the inspection once every item is ticked."""

    http = Http("POST", f"{I}/complete", TAG, roles=ON_DUTY_ROLES)
    calls = "complete"
