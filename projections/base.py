"""What every read model shares: logged events in, JSON-able state and changes out.

A read model folds events in global order. It remembers the last position it applied, can be
saved as a checkpoint (its state as plain JSON) and restored from one, and reports what each event
changed, so that live views (the wall's WebSocket) send changes rather than whole snapshots.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import singledispatchmethod
from typing import Any, ClassVar
from uuid import UUID

# A change is ["set", section, key, value], ["del", section, key] or ["push", section, value].
Change = list[Any]


@dataclass(frozen=True, slots=True)
class Logged:
    """A domain event as the log holds it: global position and the database's recording time."""

    position: int
    recorded_at: datetime
    event: Any  # an events.* aggregate event


def by_event_type(fold: Any) -> Callable[..., Any]:
    """Returns a fast caller of a `singledispatchmethod` fold: `call(self, event, *args)`.

    Python 3.11's singledispatchmethod builds a new wrapper on every attribute access, which
    measured as a quarter of a rebuild's time; dispatching on the registry directly does not.
    """
    dispatch = fold.dispatcher.dispatch

    def call(self: Any, event: Any, *args: Any) -> Any:
        return dispatch(type(event))(self, event, *args)

    return call


def event_fold() -> singledispatchmethod[None]:
    """A model's `_on`: the model registers on it what each event it keeps does to its state;
    other events change nothing."""

    def nothing(self: Any, event: Any) -> None:
        return None

    return singledispatchmethod(nothing)


def iso(moment: datetime | None) -> str | None:
    """Times in read models are ISO 8601 strings in UTC."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def kept(e: Any) -> dict[str, Any]:
    """The fields of the event's `Kept` bases (what its aggregate keeps as they are), as a read
    model holds them: ids and moments as text, sequences as lists."""
    return {name: _held(getattr(e, name)) for name in e.kept}


def _held(value: object) -> object:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, list | tuple):
        return [_held(each) for each in value]
    return value


class SectionsModel:
    """A read model whose state is one `Sections` dict with its position: restored from a
    checkpoint as it is, or started from `empty()`, and copied for callers that keep it."""

    name: ClassVar[str]
    # The state's sections as a new model holds them, after its position (see `empty`).
    sections: ClassVar[Mapping[str, Any]]
    _fold_event: ClassVar[Callable[..., Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A model's `_on` (a `singledispatchmethod`) is what `apply` folds each event through."""
        super().__init_subclass__(**kwargs)
        on = vars(cls).get("_on")
        if on is not None:
            cls._fold_event = staticmethod(by_event_type(on))

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self._s = Sections(state if state is not None else self.empty())

    def apply(self, logged: Logged) -> list[Change]:
        """Folds one event, moves to its position, and says what it changed."""
        self._fold_event(self, logged.event)
        self._s.data["position"] = logged.position
        return self._s.take_changes()

    @classmethod
    def empty(cls) -> dict[str, Any]:
        """The state of a model that has folded nothing: position 0 and empty sections."""
        return {"position": 0, **copy.deepcopy(cls.sections)}

    @property
    def position(self) -> int:
        return int(self._s.data["position"])

    def _add(self, section: str, e: Any, fields: dict[str, Any], keep: int | None = None) -> str:
        """Puts the item of the event's aggregate in `section`, keyed and `id`-ed by its id; with
        `keep`, the section keeps only that many of its newest items."""
        key = str(e.originator_id)
        self._s.set(section, key, {"id": key, **fields})
        if keep is not None:
            for old in list(self._s.data[section])[:-keep]:
                self._s.delete(section, old)
        return key

    def _add_named(self, section: str, e: Any, fields: dict[str, Any]) -> None:
        """Puts the item of the event's aggregate in `section`, keyed and `name`-d by its name,
        which `titles` keeps by the aggregate's id for `_name`."""
        self._s.data["titles"][str(e.originator_id)] = e.name
        self._s.set(section, e.name, {"name": e.name, **fields})

    def _name(self, e: Any) -> str:
        """The name under which `_add_named` keeps the item of the event's aggregate (later events
        carry only the aggregate's id), or "" if it keeps none."""
        return str(self._s.data["titles"].get(str(e.originator_id), ""))

    def _mark(self, section: str, e: Any, **fields: Any) -> dict[str, Any] | None:
        """Changes fields of the event's aggregate's item in `section`, if the model has it."""
        return self._s.update(section, str(e.originator_id), **fields)

    def state(self) -> dict[str, Any]:
        return self._s.data

    def snapshot(self) -> dict[str, Any]:
        """A deep copy that callers may keep while the model moves on."""
        return copy.deepcopy(self._s.data)


class Sections:
    """A state made of named sections (dicts by key, or bounded lists) that logs its changes."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.data = state
        self.changes: list[Change] = []

    def set(self, section: str, key: str, value: dict[str, Any]) -> None:
        self.data[section][key] = value
        self.changes.append(["set", section, key, value])

    def update(self, section: str, key: str, **fields: Any) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.data[section].get(key)
        if item is None:
            return None
        item.update(fields)
        self.changes.append(["set", section, key, item])
        return item

    def delete(self, section: str, key: str) -> None:
        if self.data[section].pop(key, None) is not None:
            self.changes.append(["del", section, key])

    def push(self, section: str, value: dict[str, Any], keep: int) -> None:
        items: list[dict[str, Any]] = self.data[section]
        items.append(value)
        del items[:-keep]
        self.changes.append(["push", section, value])

    def take_changes(self) -> list[Change]:
        changes, self.changes = self.changes, []
        return changes
