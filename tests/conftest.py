"""Shared fixtures: a fresh store per test on SQLite and on a real PostgreSQL.

Each test run creates its own PostgreSQL database (dropped at the end) and each test its own
schema in it, so runs and tests never see each other's events. HUB_TEST_POSTGRES_URL names the
server (default: the local cluster, trust auth).
"""

from __future__ import annotations

import gc
import hashlib
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from events.base import Location
from events.roles import SYSTEM_ACTOR, Actor
from hub.commands.assignments import PlanAssignment
from hub.commands.opinion import CollectItem
from hub.commands.people import RegisterUser
from hub.commands.stories import RegisterCapture
from hub.config import Settings
from hub.credentials import Passwords
from hub.newsroom import Newsroom, Request
from tests.support.untranslated import pytest_configure, pytest_sessionfinish

__all__ = ["pytest_configure", "pytest_sessionfinish"]  # hooks: a word said untranslated fails

ADMIN_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ("sqlite", "postgres")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of this test run's own on the PostgreSQL server."""
    name = f"hub_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_postgres_url(pg_database: str) -> str:
    """A new schema in the run's database, selected by the connection's search_path."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{pg_database}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store: SQLite in the test's folder, or a schema on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    pg_database: str = request.getfixturevalue("pg_database")
    return fresh_postgres_url(pg_database)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def newsroom(settings: Settings) -> Iterator[Newsroom]:
    app = Newsroom(settings, passwords=Passwords(time_cost=1, memory_cost=1024))
    yield app
    app.close()


class Clock:
    """A hand-driven clock: commands take the time as an argument."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def tick(self, seconds: float = 60) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """A settled collector (hub/heap.py) is the whole test process's: the tests that follow get
    CPython's back."""
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        gc.collect()


@pytest.fixture
def clock() -> Clock:
    return Clock()


class Staff:
    """The people of a small newsroom, registered through the application."""

    NAMES = {
        "dana": ["dispatcher"],
        "rui": ["reporter"],
        "lin": ["reporter"],
        "eddie": ["editor"],
        "erin": ["editor"],
        "dora": ["desk_head"],
        "chen": ["chief_editor"],
        "tess": ["technician"],
        "audrey": ["auditor"],
        "wally": ["wall"],
    }

    def __init__(self, newsroom: Newsroom, clock: Clock) -> None:
        self.newsroom = newsroom
        self.clock = clock
        self.tokens: dict[str, str] = {}
        for name, roles in self.NAMES.items():
            done = newsroom.handle(
                Request(SYSTEM_ACTOR, clock.tick(1)),
                RegisterUser(name=name, roles=roles, password=f"{name}-password"),
            )
            self.tokens[name] = done.extra["token"]

    def actor(self, name: str) -> Actor:
        return Actor(name, frozenset(self.NAMES[name]))

    def req(self, name: str, **kwargs: object) -> Request:
        return Request(self.actor(name), self.clock.tick(), **kwargs)  # type: ignore[arg-type]

    def collected(self, title: str, level: str, hits: list[str]) -> uuid.UUID:
        """A 舆情 item the hub's collector took in from a feed, graded `level`."""
        item = CollectItem(
            feed="f",
            url="https://news.example/1",
            title=title,
            text="",
            published=None,
            fingerprint="s1",
            negative=0.5,
            hits=hits,
            level=level,
            reasons=[],
        )
        return self.newsroom.handle(Request(SYSTEM_ACTOR, self.clock.tick()), item).id


def flood_planned(staff: Staff, brief: str, channels: list[str]) -> uuid.UUID:
    """dana's urgent assignment to the flood at the east bridge, due in four hours."""
    flood = PlanAssignment(
        title="Flood at the east bridge",
        brief=brief,
        location=Location("East bridge", 30.251, 120.171),
        priority="urgent",
        due=staff.clock.now + timedelta(hours=4),
        channels=channels,
    )
    return staff.newsroom.handle(staff.req("dana"), flood).id


def capture_of(filename: str, content_type: str, **fields: Any) -> RegisterCapture:
    """An upload's registration, of nothing assigned and with a stand-in size and hash, but for
    the `fields` given."""
    plain = {"assignment": None, "kind": "upload", "size": 1, "sha256": "0" * 64}
    return RegisterCapture(filename=filename, content_type=content_type, **(plain | fields))


def capture_of_file(
    path: Path, data_dir: Path, content_type: str, **fields: Any
) -> RegisterCapture:
    """The registration of the file at `path`, kept in the hub's `data_dir`, by its name unless
    `fields` give another."""
    data = path.read_bytes()
    kept = {
        "filename": path.name,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "details": {"path": str(path.relative_to(data_dir))},
    }
    return capture_of(**(kept | fields), content_type=content_type)


@pytest.fixture
def staff(newsroom: Newsroom, clock: Clock) -> Staff:
    return Staff(newsroom, clock)
