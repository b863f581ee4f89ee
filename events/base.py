"""The base aggregate: every event records who (`actor`) and when (`timestamp`, given)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate

from events.errors import InvalidValue
from events.messages import Message


class NewsroomAggregate(Aggregate):
    """An aggregate whose events all carry the acting user's name."""

    class Event(Aggregate.Event):
        actor: str

    class Created(Event, Aggregate.Created):
        pass


@dataclass(frozen=True, slots=True)
class Location:
    """A named place with WGS-84 coordinates."""

    name: str
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat <= 90.0 or not -180.0 <= self.lon <= 180.0:
            raise InvalidValue("position {lat}, {lon} is not on Earth", lat=self.lat, lon=self.lon)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "lat": self.lat, "lon": self.lon}


def require_text(value: str, what: str, *, max_length: int = 10_000) -> str:
    """Returns the stripped text, refusing an empty or oversized one; `what` is a message id."""
    text = value.strip()
    if not text:
        raise InvalidValue("{what} must not be empty", what=Message(what))
    if len(text) > max_length:
        raise InvalidValue(
            "{what} is longer than {max_length} characters",
            what=Message(what),
            max_length=max_length,
        )
    return text
