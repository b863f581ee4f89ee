"""The event log as people and outside tools read it: API pages and audit exports."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Transcoder

from hub.store.recorder import LoggedNotification

HIDDEN_FIELDS = frozenset({"password_hash", "token_hash"})


def plain(value: Any) -> Any:
    """Turns decoded event state into JSON-ready values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, UUID | Decimal):
        return str(value)
    return value


def event_type(topic: str) -> str:
    """'events.story:Story.Approved' -> 'Story.Approved'."""
    return topic.rpartition(":")[2]


def record(notification: LoggedNotification, transcoder: Transcoder) -> dict[str, Any]:
    """One event with its position, database time, type, aggregate, actor, payload and hash."""
    from hub.store.times import from_micros

    state = transcoder.decode(notification.state)
    actor = state.pop("actor", None)
    timestamp = state.pop("timestamp", None)
    state.pop("originator_topic", None)
    payload = {k: ("(hidden)" if k in HIDDEN_FIELDS else v) for k, v in state.items()}
    return {
        "position": notification.id,
        "recorded_at": plain(from_micros(notification.recorded_at)),
        "occurred_at": plain(timestamp),
        "type": event_type(notification.topic),
        "aggregate_id": str(notification.originator_id),
        "version": notification.originator_version,
        "actor": actor,
        "payload": plain(payload),
        "hash": notification.hash.hex(),
    }
