"""The application recorder: lean inserts that number, time-stamp and hash-chain each event.

Every insert transaction first takes the chain head (a row lock on PostgreSQL, `BEGIN IMMEDIATE`
on SQLite), so writers are serialised: positions are gap-free and committed in order (a tailing
reader never skips one), the recording time comes from the database clock inside the transaction
and never runs backwards, and each event's hash covers its predecessor's.

The hot paths use the DBAPI connection of SQLAlchemy's pool with one SQL text for both databases;
the ORM path of eventsourcing-sqlalchemy measured 2x slower on writes and 4-5x on reads.

Every statement goes through `read_cursor` or `write_cursor`, which is where the database driver's
word that the store cannot be used (a refused or lost connection, a server shutting down, a
database file that cannot be opened or written) becomes `hub.errors.StoreUnavailable`, the
connection is dropped from the pool, and the store's status (`watch`) is marked lost; the next
statement that succeeds marks it reached again.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    Notification,
    StoredEvent,
    Subscription,
)
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.recorders import SQLAlchemyRecorder, SQLAlchemySubscription
from sqlalchemy import Connection, Engine, insert, select, text, update

from hub.credentials import SECRET_FIELD
from hub.errors import StoreUnavailable
from hub.store import schema
from hub.store.chain import GENESIS, ChainHead, link
from hub.store.errors import is_unavailable
from hub.store.sqlite_file import DatabaseFile
from hub.store.status import StoreWatch, reason_of

HEAD = "events"


class DuplicateRequest(Exception):
    """The idempotency key was used already: the first result stands."""


@dataclass(frozen=True)
class LoggedNotification(Notification):
    """A notification with the database's recording time (µs) and its chain hash."""

    recorded_at: int
    hash: bytes


@dataclass(frozen=True, slots=True)
class Versions:
    """Which of an aggregate's events `select_events` asks for, and in which order."""

    gt: int | None = None
    lte: int | None = None
    desc: bool = False
    limit: int | None = None

    def admit(self, version: int) -> bool:
        return (self.gt is None or version > self.gt) and (self.lte is None or version <= self.lte)


@dataclass(frozen=True, slots=True)
class IdempotentResult:
    """What a command answered the first time its idempotency key was used."""

    actor: str
    key: str
    command: str
    result: str


class HubRecorder(SQLAlchemyRecorder, ApplicationRecorder):
    """Records events with gap-free positions, database time and a hash chain."""

    def __init__(self, datastore: SQLAlchemyDatastore, **_: Any) -> None:
        super().__init__(datastore)
        self.engine: Engine = cast(Engine, datastore.engine)
        self.dialect: str = self.engine.dialect.name
        self.is_postgres = self.dialect == "postgresql"
        self.channel_name = "hub_events"  # LISTEN/NOTIFY channel on PostgreSQL
        self._local_write_lock = threading.Lock()  # spares SQLite's busy-wait between our threads
        self._listeners: list[Callable[[int], None]] = []
        self.sql = _Statements(self.is_postgres)
        self.watch = StoreWatch()
        self.file = DatabaseFile(None if self.is_postgres else self.engine.url.database)

    # -- schema ---------------------------------------------------------------------------------

    def create_table(self) -> None:
        schema.metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            exists = conn.execute(
                select(schema.chain_head.c.position).where(schema.chain_head.c.name == HEAD)
            ).first()
            if exists is None:
                conn.execute(
                    insert(schema.chain_head).values(
                        name=HEAD, position=0, hash=GENESIS, recorded_at=0
                    )
                )
            if self.is_postgres:
                conn.execute(text(_PG_NOTIFY_FUNCTION))
                conn.execute(text(_PG_NOTIFY_TRIGGER))
            _withhold_kept_secrets(conn)

    # -- writing --------------------------------------------------------------------------------

    def add_listener(self, listener: Callable[[int], None]) -> None:
        """Calls `listener(last_position)` in the writing thread after each commit."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[int], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        idempotency: tuple[str, str, str, str] | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        """Appends events in one transaction; `idempotency` is (actor, key, command, result).
        The listeners hear of the last position once it is committed."""
        ids = self._append(stored_events, idempotency)
        if ids:
            for listener in list(self._listeners):
                listener(ids[-1])
        return ids

    def _append(
        self, stored_events: Sequence[StoredEvent], idempotency: tuple[str, str, str, str] | None
    ) -> list[int]:
        """Commits the events and the idempotency record; returns the events' positions."""
        if not stored_events and idempotency is None:
            return []
        with self.write_cursor() as cur:
            cur.execute(self.sql.lock_head, (HEAD,))
            position, previous, last_time, now = cur.fetchone()
            recorded_at = max(int(now), int(last_time))
            rows = []
            for event in stored_events:
                position += 1
                previous = link(
                    bytes(previous),
                    position,
                    _as_uuid(event.originator_id),
                    event.originator_version,
                    event.topic,
                    event.state,
                    recorded_at,
                )
                rows.append(
                    (
                        position,
                        self._id_param(event.originator_id),
                        event.originator_version,
                        event.topic,
                        event.state,
                        recorded_at,
                        previous,
                    )
                )
            if idempotency is not None:
                try:
                    cur.execute(self.sql.insert_idempotency, (*idempotency, position))
                except self._integrity_errors() as error:
                    raise DuplicateRequest(idempotency[1]) from error
            try:
                cur.executemany(self.sql.insert_event, rows)
            except self._integrity_errors() as error:
                raise IntegrityError(error) from error
            cur.execute(self.sql.update_head, (position, previous, recorded_at, HEAD))
        return [row[0] for row in rows]

    @contextmanager
    def write_cursor(self) -> Iterator[Any]:
        """A DBAPI cursor in a write transaction (serialised with other writers on SQLite)."""
        lock: contextlib.AbstractContextManager[Any] = (
            contextlib.nullcontext() if self.is_postgres else self._local_write_lock
        )
        with lock, self._connection() as conn:
            cur = conn.cursor()
            if not self.is_postgres:
                cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
                conn.commit()
            except BaseException:
                conn.rollback()
                raise

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        """A pooled DBAPI connection; a failure that means the store cannot be used is raised as
        StoreUnavailable, and that connection never goes back to the pool."""
        try:
            self.file.check()
            conn = self.engine.raw_connection()
        except Exception as error:
            if is_unavailable(error):
                raise self._lost(error) from error
            raise
        try:
            yield conn
        except Exception as error:
            if not is_unavailable(error):
                raise
            with contextlib.suppress(Exception):
                conn.invalidate(error)
            raise self._lost(error) from error
        finally:
            with contextlib.suppress(Exception):
                conn.close()
        self.watch.reached()

    def _lost(self, error: BaseException) -> StoreUnavailable:
        self.watch.lost(error)
        return StoreUnavailable(
            "the store cannot be used right now: {reason}", reason=reason_of(error)
        )

    def _integrity_errors(self) -> tuple[type[Exception], ...]:
        if self.is_postgres:
            import psycopg

            return (psycopg.errors.UniqueViolation,)
        return (sqlite3.IntegrityError,)

    def _id_param(self, originator_id: UUID | str) -> UUID | str:
        return _as_uuid(originator_id) if self.is_postgres else _as_uuid(originator_id).hex

    # -- reading --------------------------------------------------------------------------------

    @contextmanager
    def read_cursor(self) -> Iterator[Any]:
        """A DBAPI cursor for reading; the transaction is rolled back afterwards."""
        with self._connection() as conn:
            try:
                yield conn.cursor()
            finally:
                conn.rollback()

    def select_events(
        self,
        originator_id: UUID | str,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        return self._select_events(originator_id, Versions(gt, lte, desc, limit))

    def _select_events(self, originator_id: UUID | str, versions: Versions) -> list[StoredEvent]:
        sql = "SELECT originator_version, topic, state FROM hub_events WHERE originator_id = ?"
        params: list[Any] = [self._id_param(originator_id)]
        if versions.gt is not None:
            sql += " AND originator_version > ?"
            params.append(versions.gt)
        if versions.lte is not None:
            sql += " AND originator_version <= ?"
            params.append(versions.lte)
        sql += " ORDER BY originator_version" + (" DESC" if versions.desc else "")
        if versions.limit is not None:
            sql += " LIMIT ?"
            params.append(versions.limit)
        with self.read_cursor() as cur:
            cur.execute(self.sql.placeholders(sql), params)
            return [
                StoredEvent(
                    originator_id=originator_id,
                    originator_version=version,
                    topic=topic,
                    state=bytes(state),
                )
                for version, topic, state in cur.fetchall()
            ]

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> list[Notification]:
        return list(
            self.read_log(
                after=None if start is None else start - (1 if inclusive_of_start else 0),
                limit=limit,
                upto=stop,
                topics=topics,
            )
        )

    def read_log(
        self,
        after: int | None,
        limit: int,
        upto: int | None = None,
        topics: Sequence[str] = (),
    ) -> list[LoggedNotification]:
        """Returns up to `limit` stored events after position `after`, in global order."""
        return self._read_log(after or 0, limit, upto, topics)

    def _read_log(
        self, after: int, limit: int, upto: int | None, topics: Sequence[str]
    ) -> list[LoggedNotification]:
        sql = (
            "SELECT id, originator_id, originator_version, topic, state, recorded_at, hash"
            " FROM hub_events WHERE id > ?"
        )
        params: list[Any] = [after]
        if upto is not None:
            sql += " AND id <= ?"
            params.append(upto)
        if topics:
            sql += f" AND topic IN ({', '.join('?' for _ in topics)})"
            params.extend(topics)
        sql += " ORDER BY id LIMIT ?"
        params.append(limit)
        with self.read_cursor() as cur:
            cur.execute(self.sql.placeholders(sql), params)
            rows = cur.fetchall()
        return [
            LoggedNotification(
                id=row[0],
                originator_id=_as_uuid(row[1]),
                originator_version=row[2],
                topic=row[3],
                state=bytes(row[4]),
                recorded_at=row[5],
                hash=bytes(row[6]),
            )
            for row in rows
        ]

    def max_notification_id(self) -> int | None:
        with self.read_cursor() as cur:
            cur.execute("SELECT MAX(id) FROM hub_events")
            value = cur.fetchone()[0]
        return int(value) if value is not None else None

    def position_at(self, recorded_at: int) -> int:
        """Returns the last position recorded at or before the time (µs), 0 if none."""
        with self.read_cursor() as cur:
            cur.execute(
                self.sql.placeholders("SELECT MAX(id) FROM hub_events WHERE recorded_at <= ?"),
                (recorded_at,),
            )
            value = cur.fetchone()[0]
        return int(value or 0)

    def chain_head(self) -> ChainHead:
        """Returns the chain head as the hub last published it."""
        with self.read_cursor() as cur:
            cur.execute(
                self.sql.placeholders(
                    "SELECT position, hash, recorded_at FROM hub_chain_head WHERE name = ?"
                ),
                (HEAD,),
            )
            row = cur.fetchone()
        if row is None:
            return ChainHead(0, GENESIS, 0)
        return ChainHead(int(row[0]), bytes(row[1]), int(row[2]))

    def find_idempotent(self, actor: str, key: str) -> IdempotentResult | None:
        """Returns the stored answer of an earlier command with this key, if any."""
        with self.read_cursor() as cur:
            cur.execute(
                self.sql.placeholders(
                    "SELECT command, result FROM hub_idempotency WHERE actor = ? AND key = ?"
                ),
                (actor, key),
            )
            row = cur.fetchone()
        return None if row is None else IdempotentResult(actor, key, row[0], row[1])

    def keep_secret(self, owner: UUID, secret_id: str, secret: str) -> None:
        """Keeps a signing secret (outside the log); a secret id is never reused."""
        with self.engine.begin() as conn:
            conn.execute(
                insert(schema.signing_secrets).values(
                    owner=str(owner), secret_id=secret_id, secret=secret
                )
            )

    def secret(self, owner: UUID, secret_id: str) -> str | None:
        table = schema.signing_secrets
        with self.engine.connect() as conn:
            found = conn.execute(
                select(table.c.secret).where(
                    table.c.owner == str(owner), table.c.secret_id == secret_id
                )
            ).scalar()
        return None if found is None else str(found)

    def tracked(self, model: str) -> int:
        """The position a worker outside the read models (the delivery outbox) reached."""
        table = schema.tracking
        with self.engine.connect() as conn:
            found = conn.execute(select(table.c.position).where(table.c.model == model)).scalar()
        return int(found or 0)

    def track(self, model: str, position: int) -> None:
        table = schema.tracking
        with self.engine.begin() as conn:
            moved = conn.execute(
                update(table).where(table.c.model == model).values(position=position)
            )
            if moved.rowcount == 0:
                conn.execute(insert(table).values(model=model, position=position))

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        if not self.is_postgres:
            msg = "subscribe() needs PostgreSQL; on SQLite use add_listener() and polling"
            raise NotImplementedError(msg)
        return SQLAlchemySubscription(recorder=self, gt=gt, topics=topics)  # type: ignore[arg-type]


def _withhold_kept_secrets(conn: Connection) -> None:
    """Blanks the token secrets that answers kept by earlier hubs still hold: a token is shown
    once, in the first answer, and only its hash is kept."""
    table = schema.idempotency
    holding = table.c.result.like(f'%"{SECRET_FIELD}": "%')
    kept = conn.execute(select(table.c.actor, table.c.key, table.c.result).where(holding))
    for actor, key, result in kept.all():
        answer = json.loads(result)
        answer[SECRET_FIELD] = None
        conn.execute(
            update(table)
            .where(table.c.actor == actor, table.c.key == key)
            .values(result=json.dumps(answer, sort_keys=True))
        )


def _as_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


class _Statements:
    """The SQL of the hot paths, in the placeholder style of the driver."""

    def __init__(self, is_postgres: bool) -> None:
        self.is_postgres = is_postgres
        if is_postgres:
            now = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)"
            lock = " FOR UPDATE"
        else:
            now = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"
            lock = ""
        self.lock_head = self.placeholders(
            f"SELECT position, hash, recorded_at, {now} FROM hub_chain_head WHERE name = ?{lock}"
        )
        self.insert_event = self.placeholders(
            "INSERT INTO hub_events (id, originator_id, originator_version, topic, state,"
            " recorded_at, hash) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        self.update_head = self.placeholders(
            "UPDATE hub_chain_head SET position = ?, hash = ?, recorded_at = ? WHERE name = ?"
        )
        self.insert_idempotency = self.placeholders(
            "INSERT INTO hub_idempotency (actor, key, command, result, position)"
            " VALUES (?, ?, ?, ?, ?)"
        )

    def placeholders(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.is_postgres else sql


_PG_NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION hub_events_notify() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('hub_events', NEW.position::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql
"""

_PG_NOTIFY_TRIGGER = """
CREATE OR REPLACE TRIGGER hub_events_notify AFTER UPDATE ON hub_chain_head
FOR EACH ROW EXECUTE FUNCTION hub_events_notify()
"""
