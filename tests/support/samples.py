"""Commands several tests send alike: a rainstorm alert, a submission from an origin hub."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.commands.alerts import DraftAlert
from hub.commands.submissions import ReceiveSubmission

STORM: dict[str, Any] = {
    "event": "暴雨",
    "urgency": "Immediate",
    "severity": "Severe",
    "certainty": "Observed",
    "headline": "暴雨红色预警",
    "description": "河水上涨",
    "area": "城关镇",
    "reason": "气象台预警",
}  # an alert's fields but `expires`, as the API takes them


def storm_alert(expires: datetime) -> DraftAlert:
    """A red rainstorm warning for 城关镇 until `expires`."""
    return DraftAlert(**STORM, expires=expires)


def harvest_submission(origin: str) -> ReceiveSubmission:
    """Publication 1 of `origin` ("Harvest") as the signed endpoint takes it from that hub."""
    return ReceiveSubmission(
        origin=origin,
        message_id="msg_1",
        uri="https://county.test/p/1",
        publication=1,
        headline="Harvest",
        body="",
        document={},
        reply_to="https://county.test/hooks/outlets/up/decisions",
    )
