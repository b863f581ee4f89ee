"""An event store in memory (HUB_DATABASE_URL=memory:), to measure what persistence costs.

It keeps the recorder's contract: gap-free positions, a monotonic recording time, the same hash
chain, idempotency records, optimistic concurrency (a taken aggregate version is an
IntegrityError) and commit listeners, so that the application and its read models run on it
unchanged. The read models' own tables (checkpoints, the audit timeline, tracking) live in a private
in-memory SQLite database behind one lock: they are the projections' side, not the event log.
Nothing survives the process; this store is for benchmarks and experiments only.
"""

from __future__ import annotations

import bisect
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    StoredEvent,
    Subscription,
)
from eventsourcing.popo import POPOFactory
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from hub.store import schema
from hub.store.chain import GENESIS, ChainHead, link
from hub.store.recorder import (
    DuplicateRequest,
    HubRecorder,
    IdempotentResult,
    LoggedNotification,
    Versions,
    _Statements,
)
from hub.store.status import StoreWatch

MEMORY_URL = "memory:"
SIDE_TABLES = (
    schema.checkpoints,
    schema.audit_timeline,
    schema.tracking,
    schema.intake_secrets,
    schema.signing_secrets,
)


class MemoryRecorder(HubRecorder):
    """The hub's recorder with its event log in Python lists.

    It subclasses HubRecorder for its type (the application asks for one), and deliberately does
    not call its constructor, which would open a database: every method that touches the log is
    overridden here (for the eventsourcing API, the hooks behind it: `_append`, `_select_events`,
    `_read_log`).
    """

    def __init__(self) -> None:
        self.dialect = "memory"
        self.is_postgres = False
        self.channel_name = ""
        self.sql = _Statements(False)
        self.watch = StoreWatch()  # never lost: the log is in this process
        self._listeners: list[Callable[[int], None]] = []
        self._lock = threading.Lock()
        self._log: list[LoggedNotification] = []
        self._times: list[int] = []  # recorded_at of each position, for position_at
        self._aggregates: dict[UUID, list[StoredEvent]] = {}
        self._idempotency: dict[tuple[str, str], IdempotentResult] = {}
        self._head = ChainHead(0, GENESIS, 0)
        self._side = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._side_lock = threading.RLock()
        self.engine = create_engine("sqlite://", creator=lambda: self._side, poolclass=StaticPool)
        schema.metadata.create_all(self.engine, tables=list(SIDE_TABLES))

    def create_table(self) -> None:
        """The side tables exist from the start; the log needs none."""

    # -- writing --------------------------------------------------------------------------------

    def _append(
        self, stored_events: Sequence[StoredEvent], idempotency: tuple[str, str, str, str] | None
    ) -> list[int]:
        with self._lock:
            if idempotency is not None and (idempotency[0], idempotency[1]) in self._idempotency:
                raise DuplicateRequest(idempotency[1])
            self._check_versions(stored_events)
            position, previous = self._head.position, self._head.hash
            recorded_at = max(time.time_ns() // 1000, self._head.recorded_at)
            for event in stored_events:
                position += 1
                originator = _as_uuid(event.originator_id)
                previous = link(
                    previous,
                    position,
                    originator,
                    event.originator_version,
                    event.topic,
                    event.state,
                    recorded_at,
                )
                self._log.append(
                    LoggedNotification(
                        id=position,
                        originator_id=originator,
                        originator_version=event.originator_version,
                        topic=event.topic,
                        state=event.state,
                        recorded_at=recorded_at,
                        hash=previous,
                    )
                )
                self._times.append(recorded_at)
                self._aggregates.setdefault(originator, []).append(event)
            if idempotency is not None:
                self._idempotency[(idempotency[0], idempotency[1])] = IdempotentResult(*idempotency)
            self._head = ChainHead(position, previous, recorded_at)
        return list(range(position - len(stored_events) + 1, position + 1))

    def _check_versions(self, stored_events: Sequence[StoredEvent]) -> None:
        """A version already taken (or taken twice in the batch) is a conflict, as in SQL."""
        expected: dict[UUID, int] = {}
        for event in stored_events:
            originator = _as_uuid(event.originator_id)
            if originator not in expected:
                history = self._aggregates.get(originator, [])
                expected[originator] = history[-1].originator_version if history else 0
            if event.originator_version <= expected[originator]:
                raise IntegrityError(f"{originator} version {event.originator_version} is taken")
            expected[originator] = event.originator_version

    @contextmanager
    def write_cursor(self) -> Iterator[Any]:
        with self._side_lock:
            cur = self._side.cursor()
            cur.execute("BEGIN")
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    # -- reading --------------------------------------------------------------------------------

    @contextmanager
    def read_cursor(self) -> Iterator[Any]:
        with self._side_lock:
            yield self._side.cursor()

    def _select_events(self, originator_id: UUID | str, versions: Versions) -> list[StoredEvent]:
        with self._lock:
            events = list(self._aggregates.get(_as_uuid(originator_id), []))
        chosen = [e for e in events if versions.admit(e.originator_version)]
        if versions.desc:
            chosen.reverse()
        return chosen[: versions.limit] if versions.limit is not None else chosen

    def _read_log(
        self, after: int, limit: int, upto: int | None, topics: Sequence[str]
    ) -> list[LoggedNotification]:
        with self._lock:
            end = len(self._log) if upto is None else min(upto, len(self._log))
            window = self._log[max(after, 0) : end]
        if topics:
            wanted = set(topics)
            window = [n for n in window if n.topic in wanted]
        return window[:limit]

    def max_notification_id(self) -> int | None:
        with self._lock:
            return len(self._log) or None

    def position_at(self, recorded_at: int) -> int:
        with self._lock:
            return bisect.bisect_right(self._times, recorded_at)

    def chain_head(self) -> ChainHead:
        with self._lock:
            return self._head

    def find_idempotent(self, actor: str, key: str) -> IdempotentResult | None:
        with self._lock:
            return self._idempotency.get((actor, key))

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        raise NotImplementedError("the in-memory store calls its listeners on commit")


class MemoryFactory(POPOFactory):
    """The eventsourcing factory that records through `MemoryRecorder`."""

    def application_recorder(self) -> ApplicationRecorder:
        return MemoryRecorder()


def _as_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)
