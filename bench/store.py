"""Event-store benchmarks on SQLite and PostgreSQL, each beside the raw ceiling of the same rows.

Prints a table: appends with 1 and 10 events per transaction (the recorder, and the whole
application save with mapping), reading the log, rebuilding the read models from a 100,000-event
history, and folding the wall to a past time. The raw ceiling is plain DBAPI `executemany` of the
same rows into a table of the same shape, in the same run.

    python bench/store.py [--events 100000] [--appends 2000] [--postgres URL] [--only sqlite]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsourcing.persistence import StoredEvent  # noqa: E402

from events.assignment import Assignment  # noqa: E402
from events.base import Location  # noqa: E402
from events.dispatch import DispatchCommand  # noqa: E402
from events.roles import Actor  # noqa: E402
from events.story import Story  # noqa: E402
from hub.config import Settings  # noqa: E402
from hub.newsroom import Newsroom  # noqa: E402
from hub.readmodels import ReadModels  # noqa: E402
from hub.store.chain import link  # noqa: E402
from hub.store.times import from_micros  # noqa: E402

DISPATCHER = Actor("dana", frozenset({"dispatcher"}))
REPORTERS = [Actor(f"r{i}", frozenset({"reporter"})) for i in range(20)]
EDITOR = Actor("eddie", frozenset({"editor"}))
DESK = Actor("dora", frozenset({"desk_head"}))
CHIEF = Actor("chen", frozenset({"chief_editor"}))


@dataclass
class Row:
    what: str
    backend: str
    value: float
    unit: str
    ceiling: float | None = None

    def line(self) -> str:
        ratio = f"{self.value / self.ceiling:6.0%}" if self.ceiling else "      "
        ceiling = f"{self.ceiling:>10,.0f}" if self.ceiling else " " * 10
        value = f"{self.value:>10,.0f}"
        cells = [f"{self.what:<46}", f"{self.backend:<10}", value, ceiling, ratio, self.unit]
        return "| " + " | ".join(cells) + " |"


def planned(at: datetime, title: str, **changes: Any) -> Assignment:
    """dana's assignment `title`, planned at `at`: plain but for the `changes`."""
    plain = {"brief": "", "location": Location("x", 1, 2), "priority": "normal", "due": None}
    fields = plain | {"channels": []} | changes
    return Assignment.plan(id=uuid.uuid4(), at=at, actor=DISPATCHER, title=title, **fields)


def sample_events(app: Newsroom, count: int) -> list[StoredEvent]:
    """Stored events like the hub writes (an assignment's plan), each of a new aggregate."""
    events = []
    at = datetime(2026, 11, 23, tzinfo=UTC)
    for i in range(count):
        a = planned(
            at,
            f"story {i}",
            brief="a brief of ordinary length for an assignment in the county",
            location=Location("town hall", 30.25, 120.17),
            channels=["tv", "wechat"],
        )
        events += [app.mapper.to_stored_event(e) for e in a.collect_events()]
    return events


def raw_ceiling(url: str, rows: list[StoredEvent], per_txn: int) -> float:
    """Rows per second for plain executemany of the same rows into a same-shaped table."""
    prepared = []
    previous = bytes(32)
    for i, e in enumerate(rows, start=1):
        previous = link(previous, i, e.originator_id, e.originator_version, e.topic, e.state, i)  # type: ignore[arg-type]
        prepared.append((i, e.originator_id, e.originator_version, e.topic, e.state, i, previous))
    ddl = (
        "CREATE TABLE raw_events (id BIGINT PRIMARY KEY, originator_id {uuid} NOT NULL,"
        " originator_version BIGINT NOT NULL, topic TEXT NOT NULL, state {blob} NOT NULL,"
        " recorded_at BIGINT NOT NULL, hash {blob} NOT NULL)"
    )
    indexes = [
        "CREATE UNIQUE INDEX raw_agg ON raw_events (originator_id, originator_version)",
        "CREATE INDEX raw_time ON raw_events (recorded_at)",
    ]
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("DROP TABLE IF EXISTS raw_events")
        conn.execute(ddl.format(uuid="CHAR(32)", blob="BLOB"))
        for index in indexes:
            conn.execute(index)
        prepared = [(r[0], r[1].hex, *r[2:]) for r in prepared]  # type: ignore[union-attr]
        sql = "INSERT INTO raw_events VALUES (?, ?, ?, ?, ?, ?, ?)"
        started = time.perf_counter()
        for start in range(0, len(prepared), per_txn):
            conn.execute("BEGIN")
            conn.executemany(sql, prepared[start : start + per_txn])
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
        conn.close()
    else:
        conn = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
        with conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS raw_events")
            cur.execute(ddl.format(uuid="UUID", blob="BYTEA"))
            for index in indexes:
                cur.execute(index)
        conn.commit()
        sql = "INSERT INTO raw_events VALUES (%s, %s, %s, %s, %s, %s, %s)"
        started = time.perf_counter()
        for start in range(0, len(prepared), per_txn):
            with conn.cursor() as cur:
                cur.executemany(sql, prepared[start : start + per_txn])
            conn.commit()
        elapsed = time.perf_counter() - started
        conn.close()
    return len(prepared) / elapsed


def recorder_appends(app: Newsroom, rows: list[StoredEvent], per_txn: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(rows), per_txn):
        app.store.insert_events(rows[start : start + per_txn])
    return len(rows) / (time.perf_counter() - started)


def application_appends(app: Newsroom, count: int, per_save: int) -> float:
    """The whole path of a command: domain objects, mapping, chain, commit."""
    at = datetime(2026, 11, 23, tzinfo=UTC)
    started = time.perf_counter()
    for _ in range(count // per_save):
        a = planned(at, "bench")
        for i in range(per_save - 1):
            a.assign(at=at, actor=DISPATCHER, reporter=f"r{i % 2}")
        app.save(a)
    return count / (time.perf_counter() - started)


def newsroom_history(app: Newsroom, total: int) -> int:
    """A plausible mixed history: assignments through their life, commands, stories reviewed,
    published and sometimes retracted; about 20 events per unit, saved unit by unit. Answers
    how many events it wrote (at least `total`, on top of what the log already holds)."""
    at = datetime(2026, 11, 1, tzinfo=UTC)
    n = 0
    before = app.store.max_notification_id() or 0
    while (app.store.max_notification_id() or 0) < before + total:
        n += 1
        at += timedelta(seconds=30)
        reporter = REPORTERS[n % len(REPORTERS)]
        a = planned(
            at,
            f"assignment {n}",
            brief="cover it",
            location=Location("somewhere", 30.0 + n % 10 / 100, 120.0),
            due=at + timedelta(hours=4),
            channels=["tv", "wechat", "weibo"],
        )
        a.assign(at=at, actor=DISPATCHER, reporter=reporter.name)
        a.accept(at=at, actor=reporter)
        a.check_in(at=at, actor=reporter, lat=30.1, lon=120.1)
        c = DispatchCommand.issue(
            id=uuid.uuid4(), at=at, actor=DISPATCHER, to=reporter.name, assignment=a.id, text="go"
        )
        c.deliver(at=at, actor=DISPATCHER, via="ws")
        c.acknowledge(at=at, actor=reporter)
        a.file(at=at, actor=reporter)
        s = Story.draft(
            id=uuid.uuid4(),
            at=at,
            actor=reporter,
            assignment=a.id,
            title="t",
            body="b" * 400,
            captures=[],
        )
        s.submit(at=at, actor=reporter)
        for reviewer in (EDITOR, DESK, CHIEF):
            s.review(at=at, actor=reviewer, decision="approve", reason="ok")
        s.publish(at=at, actor=CHIEF, channels=["tv", "wechat", "weibo"])
        if n % 7 == 0:
            s.retract(at=at, actor=CHIEF, channel="weibo", reason="correction")
        a.close(at=at, actor=DISPATCHER)
        app.save(a, c, s)
    return (app.store.max_notification_id() or 0) - before


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def run_backend(backend: str, url: str, args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    app = Newsroom(Settings(database_url=url))
    sample = sample_events(app, args.appends)
    for per_txn in (1, 10):
        ceiling = raw_ceiling(url, sample, per_txn)
        fresh = sample_events(app, args.appends)
        ours = recorder_appends(app, fresh, per_txn)
        rows.append(
            Row(
                f"append, {per_txn} event(s) per transaction (recorder)",
                backend,
                ours,
                "events/s",
                ceiling,
            )
        )
        whole = application_appends(app, min(args.appends, 1000), per_txn)
        rows.append(
            Row(
                f"append, {per_txn} per save (application save)",
                backend,
                whole,
                "events/s",
                ceiling,
            )
        )

    seconds, written = timed(lambda: newsroom_history(app, args.events))
    rows.append(
        Row("write the mixed history (about 20 per save)", backend, written / seconds, "events/s")
    )
    total = app.store.max_notification_id() or 0

    def read_all() -> int:
        after, count = 0, 0
        while batch := app.store.read_log(after=after, limit=2000):
            after, count = batch[-1].id, count + len(batch)
        return count

    seconds, count = timed(read_all)
    raw = raw_read(url, total)
    rows.append(Row("read the log (pages of 2,000)", backend, count / seconds, "events/s", raw))

    models = ReadModels(app, checkpoint_every=5000)
    seconds, _ = timed(models.rebuild)
    rows.append(
        Row(
            f"rebuild all read models + audit table ({total:,})",
            backend,
            total / seconds,
            "events/s",
        )
    )

    fold = ReadModels(app)
    seconds, _ = timed(lambda: fold_only(app, total))
    rows.append(
        Row(f"rebuild the wall projection ({total:,} events)", backend, total / seconds, "events/s")
    )

    log = app.store.read_log(after=total * 2 // 3 + 1234, limit=1)
    moment = from_micros(log[0].recorded_at)
    durations = []
    for _ in range(5):
        seconds, _ = timed(lambda: fold.replay(fold.position_at(moment)))
        durations.append(seconds)
    rows.append(
        Row(
            "the wall as at a past time (median of 5)",
            backend,
            statistics.median(durations) * 1000,
            "ms",
        )
    )
    app.close()
    return rows


def fold_only(app: Newsroom, total: int) -> None:
    from projections.base import Logged
    from projections.wall import WallView

    wall = WallView()
    after = 0
    to_event = app.mapper.to_domain_event
    while batch := app.store.read_log(after=after, limit=2000):
        for n in batch:
            wall.apply(Logged(n.id, from_micros(n.recorded_at), to_event(n)))
        after = batch[-1].id


def raw_read(url: str, total: int) -> float:
    sql = (
        "SELECT id, originator_id, originator_version, topic, state, recorded_at, hash"
        " FROM hub_events WHERE id > {p} ORDER BY id LIMIT 2000"
    )
    if url.startswith("sqlite"):
        import sqlite3

        conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
        p = "?"
    else:
        conn = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
        p = "%s"
    started = time.perf_counter()
    after, count = 0, 0
    cur = conn.cursor()
    while True:
        cur.execute(sql.format(p=p), (after,))
        batch = cur.fetchall()
        if not batch:
            break
        after, count = batch[-1][0], count + len(batch)
    conn.close()
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "HUB_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        if args.only != "postgres":
            rows += run_backend("SQLite", f"sqlite:///{folder}/bench.sqlite3", args)
        if args.only != "sqlite":
            name = f"hub_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                url = args.postgres.rsplit("/", 1)[0] + "/" + name
                rows += run_backend(
                    "PostgreSQL", url.replace("postgresql://", "postgresql+psycopg://"), args
                )
            finally:
                with psycopg.connect(args.postgres, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"event store, {datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores")
    header = f"| {'what':<46} | {'store':<10} | {'value':>10} | {'raw ceil.':>10} | {'ratio':>6} |"
    print(header + " unit |")
    print(f"|{'-' * 48}|{'-' * 12}|{'-' * 12}|{'-' * 12}|{'-' * 8}|------|")
    for row in rows:
        print(row.line())


if __name__ == "__main__":
    main()
