"""The duty roster's reads: who is on duty now and who leads, the shifts ahead, the latest
handovers and inspections (docs/duty.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field

from projections.duty import moment_of, on_duty_at
from web.endpoints import Call, Endpoint
from web.schemas import Answer

RECENT = 20  # handovers and inspections shown


class ShiftItem(Answer):
    id: str
    start: str
    end: str
    on_duty: list[str]
    leader: str
    cancelled: bool


class DutyNow(Answer):
    at: str
    on_duty: list[str] = Field(description="everyone on duty at this moment")
    leader: str | None = Field(description="the leader in charge (带班领导), if a shift runs")
    shifts: list[ShiftItem]


class Roster(Answer):
    now: DutyNow
    shifts: list[ShiftItem] = Field(description="shifts not over yet, soonest first")
    handovers: list[dict[str, Any]]
    inspections: list[dict[str, Any]]


def roster(state: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The roster as the page shows it at `at`."""
    ahead = [s for s in state["shifts"].values() if moment_of(s["end"]) > at - timedelta(hours=12)]
    ahead.sort(key=lambda s: moment_of(s["start"]))
    handovers = list(state["handovers"].values())[-RECENT:][::-1]
    inspections = list(state["inspections"].values())[-RECENT:][::-1]
    return {
        "now": on_duty_at(state, at),
        "shifts": ahead,
        "handovers": handovers,
        "inspections": inspections,
    }


async def get_duty(call: Call) -> dict[str, Any]:
    at = datetime.now(UTC)
    return await call.read_models(lambda m: roster(m.duty.snapshot(), at))


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/api/duty",
        get_duty,
        "Read the duty roster",
        "duty",
        Roster,
        description="Who is on duty now and who leads, the shifts ahead, the latest handovers "
        "and inspections.",
    ),
]
