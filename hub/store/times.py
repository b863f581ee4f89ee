"""How the store keeps a time: `recorded_at` is microseconds since the epoch (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_micros(micros: int) -> datetime:
    """A `recorded_at` (µs since the epoch) as a time."""
    return EPOCH + timedelta(microseconds=micros)


def to_micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)
