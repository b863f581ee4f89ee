"""The read-model follower rides out its store: it backs off and comes back, and never dies.

A store that cannot be used is transient (reported, retried); any other error of a pass is
retried too; a fold that fails stops loudly (tests/hub/test_readmodels.py). An outage between
folding a batch and writing its audit rows folds nothing twice and loses no audit row.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from events.base import Location
from hub.commands.assignments import PlanAssignment
from hub.config import Settings
from hub.credentials import Passwords
from hub.follower import health_of
from hub.newsroom import Newsroom
from hub.readmodels import ReadModels
from tests.conftest import Clock, Staff
from tests.private_postgres import PrivatePostgres
from tests.web.outage import wait_for

WAIT = 20.0  # generous: CI machines stall


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivatePostgres]:
    with PrivatePostgres.running() as pg:
        yield pg


def plan(newsroom: Newsroom, staff: Staff, title: str) -> None:
    newsroom.handle(
        staff.req("dana"),
        PlanAssignment(title=title, brief="", location=Location("城关镇", 30.1, 114.2)),
    )


def follower_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "read-models" and t.is_alive()]


def titles(models: ReadModels) -> list[str]:
    with models.reading() as m:
        return sorted(a["title"] for a in m.wall.state()["assignments"].values())


@contextmanager
def following(newsroom: Newsroom, staff: Staff) -> Iterator[ReadModels]:
    """Read models that follow the store and have folded an assignment "before"; stopped after."""
    models = ReadModels(newsroom, poll_interval=0.2)
    models.start()
    models.follow()
    try:
        plan(newsroom, staff, "before")
        assert wait_for(lambda: titles(models) == ["before"], WAIT)
        yield models
    finally:
        models.stop()


def test_the_follower_rides_out_a_stopped_store(cluster: PrivatePostgres, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=cluster.new_database())
    newsroom = Newsroom(settings, passwords=Passwords(time_cost=1, memory_cost=1024))
    staff = Staff(newsroom, Clock())
    try:
        with following(newsroom, staff) as models:
            cluster.stop()
            assert wait_for(lambda: health_of(models).status == "store_unreachable", WAIT)
            assert not newsroom.store.watch.reachable
            time.sleep(1.5)  # several failed passes
            assert follower_threads(), "the follower died while the store was away"
            cluster.start()
            plan(newsroom, staff, "after")
            assert wait_for(lambda: titles(models) == ["after", "before"], WAIT)
            assert models.position == newsroom.store.max_notification_id()
            assert health_of(models).ok and models.follower.tries == 0
    finally:
        if not cluster.up:
            cluster.start()
        newsroom.close()


def refuse_audit_rows(newsroom: Newsroom, body: str) -> None:
    """A trigger that makes every insert into the audit table fail, as `body` says."""
    with newsroom.store.write_cursor() as cur:
        if newsroom.store.is_postgres:
            cur.execute(
                "CREATE FUNCTION hub_audit_refused() RETURNS trigger AS $$"
                f" BEGIN {body}; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cur.execute(
                "CREATE TRIGGER hub_audit_refused BEFORE INSERT ON hub_audit"
                " FOR EACH ROW EXECUTE FUNCTION hub_audit_refused()"
            )
        else:
            cur.execute(
                f"CREATE TRIGGER hub_audit_refused BEFORE INSERT ON hub_audit BEGIN {body}; END"
            )


def accept_audit_rows(newsroom: Newsroom) -> None:
    with newsroom.store.write_cursor() as cur:
        cur.execute(
            "DROP TRIGGER hub_audit_refused"
            + (" ON hub_audit" if newsroom.store.is_postgres else "")
        )


def assert_folded_once_after_audit_trouble(
    newsroom: Newsroom, staff: Staff, refusal: str, expected_status: str
) -> None:
    with following(newsroom, staff) as models:
        refuse_audit_rows(newsroom, refusal)
        plan(newsroom, staff, "during")
        # The batch is folded (the wall shows it) although its audit rows cannot be written.
        assert wait_for(lambda: titles(models) == ["before", "during"], WAIT)
        assert wait_for(lambda: health_of(models).status == expected_status, WAIT)
        assert models.follower.alive and models.failure is None
        accept_audit_rows(newsroom)
        plan(newsroom, staff, "after")
        assert wait_for(lambda: health_of(models).ok, WAIT), health_of(models)
        assert wait_for(lambda: titles(models) == ["after", "before", "during"], WAIT)
    head = newsroom.store.max_notification_id() or 0
    positions = [entry["position"] for entry in models.audit_entries(limit=1000)]
    assert positions == list(range(1, head + 1)), "an audit row is missing or doubled"
    assert models.models.metrics.state() == ReadModels(newsroom).replay(head).metrics.state()


def test_an_audit_table_that_refuses_rows_is_retried_and_nothing_is_folded_twice(
    newsroom: Newsroom, staff: Staff
) -> None:
    refusal = (
        "RAISE EXCEPTION 'audit refused'"
        if newsroom.store.is_postgres
        else "SELECT RAISE(ABORT, 'audit refused')"
    )
    assert_folded_once_after_audit_trouble(newsroom, staff, refusal, "stalled")


def test_a_connection_lost_while_writing_audit_rows_is_ridden_out(
    cluster: PrivatePostgres, tmp_path: Path
) -> None:
    """The store goes away exactly between a fold and its audit rows (the server ends the
    session that writes them): reported as unreachable, retried, nothing folded twice."""
    settings = Settings(data_dir=tmp_path, database_url=cluster.new_database())
    newsroom = Newsroom(settings, passwords=Passwords(time_cost=1, memory_cost=1024))
    try:
        staff = Staff(newsroom, Clock())
        refusal = "PERFORM pg_terminate_backend(pg_backend_pid())"
        assert_folded_once_after_audit_trouble(newsroom, staff, refusal, "store_unreachable")
    finally:
        newsroom.close()
