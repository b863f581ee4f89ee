"""The duty roster's read model: shifts, handovers and inspections, and who is on duty when.

Who is on duty depends on the moment asked about, so the fold keeps the shifts and `on_duty_at`
answers for any moment it is given (now, or a replayed one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from events.duty import CHECKS, Handover, Inspection, Shift
from projections.base import SectionsModel, event_fold, iso, kept

KEEP_NOTES = 200  # handovers and inspections kept in the model (older ones are in the log)


class DutyRoster(SectionsModel):
    """Shifts, handovers and inspections."""

    name: ClassVar[str] = "duty"
    sections: ClassVar[dict[str, Any]] = {"shifts": {}, "handovers": {}, "inspections": {}}
    _on = event_fold()

    @_on.register
    def _(self, e: Shift.Scheduled) -> None:
        key = str(e.originator_id)
        self._s.set("shifts", key, shift_item(e))

    @_on.register
    def _(self, e: Shift.Cancelled) -> None:
        self._mark("shifts", e, cancelled=True, reason=e.reason)

    def _note(self, section: str, e: Handover.Written | Inspection.Started, **fields: Any) -> None:
        """A handover or an inspection, with the shift it belongs to, among the newest kept."""
        self._add(section, e, {"shift": str(e.shift) if e.shift else None, **fields}, KEEP_NOTES)

    @_on.register
    def _(self, e: Handover.Written) -> None:
        self._note(
            "handovers",
            e,
            leaving=e.actor,
            arriving=e.arriving,
            note=e.note,
            open_warnings=e.open_warnings,
            overdue=e.overdue,
            on_air=e.on_air,
            written_at=iso(e.timestamp),
            countersigned_at=None,
        )

    @_on.register
    def _(self, e: Handover.Countersigned) -> None:
        self._mark("handovers", e, countersigned_at=iso(e.timestamp))

    @_on.register
    def _(self, e: Inspection.Started) -> None:
        self._note(
            "inspections",
            e,
            inspector=e.actor,
            started_at=iso(e.timestamp),
            items=[],
            completed_at=None,
        )

    @_on.register
    def _(self, e: Inspection.Checked) -> None:
        item = self._s.data["inspections"].get(str(e.originator_id))
        if item is not None:
            ticked = {"item": e.item, "ok": e.ok, "finding": e.finding, "at": iso(e.timestamp)}
            self._s.update("inspections", item["id"], items=[*item["items"], ticked])

    @_on.register
    def _(self, e: Inspection.Completed) -> None:
        self._mark("inspections", e, completed_at=iso(e.timestamp))


def shift_item(e: Shift.Scheduled) -> dict[str, Any]:
    return {
        "id": str(e.originator_id),
        **kept(e),
        "set_by": e.actor,
        "cancelled": False,
    }


def on_duty_at(state: dict[str, Any], moment: datetime) -> dict[str, Any]:
    """Who is on duty at `moment` and who leads: the leader of the latest-started shift that
    holds the moment (shifts may overlap: a day desk inside a leader's 24 hours)."""
    shifts = sorted(
        (
            s
            for s in state["shifts"].values()
            if not s["cancelled"] and moment_of(s["start"]) <= moment < moment_of(s["end"])
        ),
        key=lambda s: moment_of(s["start"]),
    )
    people = list(dict.fromkeys(p for s in shifts for p in s["on_duty"]))
    return {
        "at": iso(moment),
        "shifts": shifts,
        "on_duty": people,
        "leader": shifts[-1]["leader"] if shifts else None,
    }


def moment_of(text: str) -> datetime:
    """A read model's ISO time back as a datetime (text order is not time order: fractions)."""
    return datetime.fromisoformat(text)


def is_on_duty(state: dict[str, Any], moment: datetime, name: str) -> bool:
    now = on_duty_at(state, moment)
    return name in now["on_duty"] or name == now["leader"]


def open_checks(inspection: dict[str, Any]) -> list[str]:
    done = {i["item"] for i in inspection["items"]}
    return [c for c in CHECKS if c not in done]
