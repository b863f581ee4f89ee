"""Which driver errors mean the store cannot be used (503, retry later), and which are ours."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
import sqlalchemy.exc

from hub.config import Settings
from hub.errors import StoreUnavailable
from hub.newsroom import Newsroom
from hub.store.errors import is_unavailable
from hub.store.sqlite_file import FileGone


def sqlite_error(tmp_path: Path, sql: str, database: str = "db.sqlite3") -> sqlite3.Error:
    """The error SQLite itself raises for `sql` on `database` (a real one, with its code)."""
    try:
        with sqlite3.connect(tmp_path / database) as conn:
            conn.execute(sql)
    except sqlite3.Error as error:
        return error
    raise AssertionError(f"{sql} did not fail")


def test_postgresql_connection_trouble_is_unavailable_and_the_rest_is_not() -> None:
    assert is_unavailable(psycopg.OperationalError("connection failed: Connection refused"))
    assert is_unavailable(psycopg.InterfaceError("the connection is closed"))
    assert is_unavailable(psycopg.errors.AdminShutdown("terminating connection"))  # 57P01
    assert is_unavailable(psycopg.errors.CannotConnectNow("the database system is starting up"))
    assert is_unavailable(psycopg.errors.DiskFull("could not extend file"))  # 53100
    assert not is_unavailable(psycopg.errors.SerializationFailure("retry"))  # 40001
    assert not is_unavailable(psycopg.errors.UndefinedTable("no such table"))
    wrapped = sqlalchemy.exc.OperationalError("SELECT 1", {}, psycopg.OperationalError("lost"))
    assert is_unavailable(wrapped)
    assert not is_unavailable(ValueError("a bug of ours"))


def test_sqlite_file_trouble_is_unavailable_and_a_bad_statement_is_not(tmp_path: Path) -> None:
    (tmp_path / "a-folder").mkdir()
    cannot_open = sqlite_error(tmp_path, "SELECT 1", database="a-folder")
    assert is_unavailable(cannot_open)  # SQLITE_CANTOPEN
    (tmp_path / "not-a-db").write_bytes(b"x" * 4096)
    assert is_unavailable(sqlite_error(tmp_path, "SELECT * FROM t", database="not-a-db"))
    assert not is_unavailable(sqlite_error(tmp_path, "SELECT * FROM missing"))
    assert is_unavailable(FileGone("the database file is gone"))


def test_the_recorder_raises_store_unavailable_and_marks_the_store_lost(tmp_path: Path) -> None:
    """On SQLite here; a stopped PostgreSQL is tested on a private cluster (tests/hub)."""
    database = tmp_path / "hub.sqlite3"
    newsroom = Newsroom(Settings(data_dir=tmp_path, database_url=f"sqlite:///{database}"))
    try:
        store = newsroom.store
        store.read_log(after=0, limit=10)
        database.rename(tmp_path / "away.sqlite3")
        with pytest.raises(StoreUnavailable, match="is gone"):
            store.read_log(after=0, limit=10)
        assert not store.watch.reachable and "is gone" in store.watch.status.reason
        (tmp_path / "away.sqlite3").rename(database)
        store.read_log(after=0, limit=10)
        assert store.watch.reachable
    finally:
        newsroom.close()
