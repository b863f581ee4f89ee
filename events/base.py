"""The base aggregate: every event records who (`actor`) and when (`timestamp`, given)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypedDict
from uuid import UUID

from eventsourcing.domain import Aggregate

from events.errors import InvalidValue
from events.messages import Message

if TYPE_CHECKING:
    from events.roles import Actor


class Making(TypedDict):
    """What every factory is given besides the new aggregate's fields: the id it is made under,
    when, and by whom. A factory takes it as `**making: Unpack[Making]`, so that callers pass
    `id=`, `at=` and `actor=` by name like any field (`Command.new` does)."""

    id: UUID
    at: datetime
    actor: Actor


class Kept:
    """Fields that events record and their aggregate keeps as they are, declared once.

    A class of annotations only that the aggregate and its events name as a base: an event stores
    the fields (they are its dataclass fields, ahead of its own), and the aggregate has them as
    attributes (a list or a dict copied), set by the first event's `apply` and by a later event
    that calls `self.keep(aggregate)` (a product's `Edited`).

        class Place(Kept):
            url: str

        class Outlet(Place, NewsroomAggregate):
            class Added(Place, NewsroomAggregate.Created): ...
    """


class NewsroomAggregate(Aggregate):
    """An aggregate whose events all carry the acting user's name.

    The fields of its first event that it keeps as they are come from a `Kept` base both share;
    an `__init__` sets what the event does not say (the library passes it only the event's
    fields that it names, `eventsourcing.domain.CanInitAggregate.mutate`).
    """

    class Event(Aggregate.Event):
        """An event; the fields of its `Kept` bases come ahead of its own, and `keep` copies
        them to its aggregate (a first event does so itself)."""

        actor: str
        kept: ClassVar[tuple[str, ...]] = ()

        def __init_subclass__(cls, **kwargs: Any) -> None:
            # Only the Kept classes it names itself, in the order named: an event the library
            # redefines as a subclass of its aggregate's `Event` inherits `kept` as it was.
            kept = {
                name: kind
                for base in cls.__bases__
                if issubclass(base, Kept) and not issubclass(base, Aggregate.Event)
                for each in reversed(base.__mro__)
                if issubclass(each, Kept)
                for name, kind in vars(each).get("__annotations__", {}).items()
            }
            if kept:
                cls.__annotations__ = {**kept, **vars(cls).get("__annotations__", {})}
                cls.kept = tuple(kept)
            super().__init_subclass__(**kwargs)

        def keep(self, aggregate: Any) -> None:
            """Gives the aggregate the fields of this event's `Kept` bases, as they are."""
            for name in self.kept:
                setattr(aggregate, name, _kept(getattr(self, name)))

    class Created(Event, Aggregate.Created):
        """A first event; the fields of its `Kept` bases become its aggregate's attributes."""

        def apply(self, aggregate: Any) -> None:
            self.keep(aggregate)

    @classmethod
    def _record_new(
        cls, event: type[Created], id: UUID, at: datetime, actor: str, /, **fields: Any
    ) -> Self:
        """Makes the aggregate from its first event, which `actor` (a name) caused at `at`."""
        return cls._create(event, id=id, timestamp=at, actor=actor, **fields)

    @classmethod
    def _make(cls, event: type[Created], making: Making, /, **fields: Any) -> Self:
        """Makes the aggregate from its first event, as `making` says."""
        return cls._record_new(event, making["id"], making["at"], making["actor"].name, **fields)

    def _record(self, event: type[Event], at: datetime, actor: str, /, **fields: Any) -> None:
        """Records that `event` happened at `at`, caused by `actor` (a name)."""
        self.trigger_event(event, timestamp=at, actor=actor, **fields)


class Moved(NewsroomAggregate.Event):
    """An event after which its aggregate is in `state`, and that changes nothing else."""

    state: ClassVar[str]

    def apply(self, aggregate: Any) -> None:
        aggregate.state = self.state


class Marks(NewsroomAggregate.Event):
    """An event after which its aggregate's attributes named in `marks` have those values, and
    that changes nothing else (its own fields say why)."""

    marks: ClassVar[Mapping[str, object]]

    def apply(self, aggregate: Any) -> None:
        for name, value in self.marks.items():
            setattr(aggregate, name, value)


class Sets(NewsroomAggregate.Event):
    """An event whose own fields become its aggregate's attributes of the same names (a list or
    a dict copied), and that changes nothing else."""

    def apply(self, aggregate: Any) -> None:
        for name in _own_fields(type(self)):
            setattr(aggregate, name, _kept(getattr(self, name)))


@cache
def _own_fields(event: type[NewsroomAggregate.Event]) -> tuple[str, ...]:
    common = {field.name for field in dataclasses.fields(NewsroomAggregate.Event)}
    return tuple(f.name for f in dataclasses.fields(event) if f.name not in common)


def _kept(value: object) -> object:
    """What an aggregate keeps of an event's value: its own copy of a list or a dict."""
    return copy(value) if isinstance(value, list | dict) else value


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


def require_one_of(known: Collection[str], words: str, **named: str) -> None:
    """Refuses the one value `named` unless it is one of `known`; `words` is a message id that
    names the value by its keyword, and `{known}`."""
    (value,) = named.values()
    if value not in known:
        raise InvalidValue(words, known=list(known), **named)


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
