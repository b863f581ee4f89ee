"""Actors and times for pure domain tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import TypeVar
from uuid import uuid4

from events.roles import Actor

_ticks = count()
T = TypeVar("T")


def at() -> datetime:
    """A fresh, later moment on every call."""
    return datetime(2026, 11, 23, 8, 0, tzinfo=UTC) + timedelta(seconds=next(_ticks))


def new(create: Callable[..., T], fields: Mapping[str, object], **changes: object) -> T:
    """What `create` (an aggregate's first command) makes of `fields` and `changes`, with a fresh
    id at a fresh moment unless they say otherwise."""
    return create(**{"id": uuid4(), "at": at(), **fields, **changes})


def person(name: str, *roles: str) -> Actor:
    return Actor(name, frozenset(roles))


DISPATCHER = person("dana", "dispatcher")
REPORTER = person("rui", "reporter")
OTHER_REPORTER = person("lin", "reporter")
EDITOR = person("eddie", "editor")
EDITOR_2 = person("erin", "editor")
DESK_HEAD = person("dora", "desk_head")
CHIEF = person("chen", "chief_editor")
ADMIN = person("root", "admin")
