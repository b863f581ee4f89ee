"""The emergency alerts (应急广播): every CAP message, its decision, and which are on air.

Whether an approved alert is on air depends on the clock (its `effective` and `expires` times),
so the model keeps the times and `on_air(state, now)` answers for a moment; a later approved
Update or Cancel that refers to an alert takes it off air at once (it is `superseded`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from events.alert import EmergencyAlert
from projections.base import SectionsModel, event_fold, iso, kept


class EmergencyAlerts(SectionsModel):
    """Alert id → the CAP message's fields, its author, approver, state and supersession."""

    name: ClassVar[str] = "alerts"
    sections: ClassVar[dict[str, Any]] = {"alerts": {}}
    _on = event_fold()

    @_on.register
    def _(self, e: EmergencyAlert.Drafted) -> None:
        self._add(
            "alerts",
            e,
            {
                **kept(e),  # the CAP message
                "drafted_at": iso(e.timestamp),
                "author": e.actor,
                "draft_reason": e.reason,
                "state": "drafted",
                "approver": None,
                "approved_at": None,
                "decision_reason": None,
                "superseded_by": None,
                "aired_on": [],
                "spoken": None,
                "font": None,
            },
        )

    @_on.register
    def _(self, e: EmergencyAlert.Approved) -> None:
        key = str(e.originator_id)
        alert = self._s.update(
            "alerts",
            key,
            state="approved",
            approver=e.actor,
            approved_at=iso(e.timestamp),
            decision_reason=e.reason,
        )
        if alert is None:
            return
        for earlier in alert["references"]:
            self._s.update("alerts", earlier, superseded_by=key)

    @_on.register
    def _(self, e: EmergencyAlert.Rejected) -> None:
        self._mark("alerts", e, state="rejected", decision_reason=e.reason)

    @_on.register
    def _(self, e: EmergencyAlert.Aired) -> None:
        self._mark(
            "alerts",
            e,
            aired_on=list(e.outputs),
            spoken=e.spoken,
            font=e.font,
        )


def on_air(state: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """The alerts on air at `now`: approved Alerts and Updates, in effect, not superseded, the
    most severe first (a Cancel is never on air: it only ends another)."""
    live = [
        a
        for a in state["alerts"].values()
        if a["state"] == "approved"
        and a["msg_type"] != "Cancel"
        and a["superseded_by"] is None
        and datetime.fromisoformat(a["effective"]) <= now < datetime.fromisoformat(a["expires"])
    ]
    order = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
    return sorted(live, key=lambda a: (order.index(a["severity"]), a["approved_at"] or ""))
