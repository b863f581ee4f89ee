"""The hub rides out its PostgreSQL going away: a private cluster is stopped under a write load.

While the store is away, writes answer 503 with Retry-After (never 500), /api/health is not ok and
the wall is told; once it is back, every acknowledged write reaches the wall feed and the read
models by themselves, a 503'd write retried with its Idempotency-Key lands exactly once, health is
ok and the wall's alert clears. The shared cluster on 5432 is never touched.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from events.base import Location
from hub.commands.assignments import PlanAssignment
from hub.config import Settings
from hub.credentials import Passwords
from hub.newsroom import Newsroom, Request
from tests.conftest import Clock, Staff
from tests.private_postgres import CommitCutter, PrivatePostgres
from tests.web.outage import Attempt, WallWatcher, WriteLoad, wait_for
from tests.web.server import serving
from web.app import create_app
from web.runtime import Runtime

CATCH_UP = 20.0  # generous: CI machines stall; the measured figures are printed


OPERATIONS_TOKEN = "metrics-scraper-token"  # these hubs' HUB_METRICS_TOKEN, for /metrics


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivatePostgres]:
    with PrivatePostgres.running() as pg:
        yield pg


@pytest.fixture
def outage_settings(cluster: PrivatePostgres, tmp_path: Path) -> Iterator[Settings]:
    yield Settings(
        data_dir=tmp_path / "data",
        database_url=cluster.new_database(),
        metrics_token=OPERATIONS_TOKEN,
    )
    if not cluster.up:  # a test that failed half-way leaves it running for the next
        cluster.start()


def staff_of(settings: Settings) -> Staff:
    """The staff, registered in the store before a hub starts on it."""
    newsroom = Newsroom(settings, passwords=Passwords(time_cost=1, memory_cost=1024))
    try:
        return Staff(newsroom, Clock())
    finally:
        newsroom.close()


@pytest.fixture
def outage_staff(outage_settings: Settings) -> Staff:
    return staff_of(outage_settings)


@pytest.fixture
def hub(outage_settings: Settings, outage_staff: Staff) -> Iterator[tuple[str, Starlette]]:
    app = create_app(outage_settings)
    with serving(app) as base:
        yield base, app


def signed_in(base: str, staff: Staff) -> httpx.Client:
    """A client of the dispatcher's (who may read the wall and plan assignments)."""
    token = staff.tokens["dana"]
    return httpx.Client(base_url=base, timeout=20, headers={"Authorization": f"Bearer {token}"})


@contextmanager
def watched(app: Starlette, staff: Staff) -> Iterator[tuple[httpx.Client, WallWatcher, WriteLoad]]:
    """The hub served, with the dispatcher's client, a wall watching, and writes sent one by one."""
    with (
        serving(app) as base,
        signed_in(base, staff) as client,
        WallWatcher(base, staff.tokens["wally"]) as wall,
    ):
        write = WriteLoad(base, staff.tokens["dana"])
        try:
            yield client, wall, write
        finally:
            write.stop()


def runtime_of(app: Starlette) -> Runtime:
    rt: Runtime = app.state.runtime
    return rt


@dataclass
class Outage:
    """What one outage looked like from outside."""

    stopped: float
    started: float
    health: list[tuple[float, int, dict[str, Any]]]  # (when, status code, body) meanwhile
    metrics: dict[str, float]  # /metrics half-way through


def take_away(cluster: PrivatePostgres, client: httpx.Client, seconds: float) -> Outage:
    """Stops the cluster for `seconds`, asking /api/health all along; starts it again."""
    stopped = time.monotonic()
    cluster.stop()
    health = []
    metrics: dict[str, float] = {}
    while time.monotonic() - stopped < seconds:
        answer = client.get("/api/health")
        health.append((time.monotonic(), answer.status_code, answer.json()))
        if not metrics and time.monotonic() - stopped > seconds / 2:
            metrics = figures_of(client)
        time.sleep(0.25)
    cluster.start()
    return Outage(stopped, time.monotonic(), health, metrics)


def figures_of(client: httpx.Client) -> dict[str, float]:
    """The samples of /metrics without labels, by name."""
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {OPERATIONS_TOKEN}"})
    assert answer.status_code == 200, answer.text
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
        if not sample.labels
    }


def assert_ridden_out(
    base: str, app: Starlette, staff: Staff, cluster: PrivatePostgres, seconds: float
) -> dict[str, float]:
    """The whole story of one outage under load; answers the measured figures."""
    with (
        signed_in(base, staff) as client,
        WallWatcher(base, staff.tokens["wally"]) as wall,
    ):
        with WriteLoad(base, staff.tokens["dana"]) as load:
            assert wait_for(lambda: len(load.answered(201)) >= 5, CATCH_UP)
            outage = take_away(cluster, client, seconds)
            assert wait_for(lambda: any_acknowledged_after(load, outage.started), CATCH_UP)
            time.sleep(2)
        figures = assert_caught_up(client, wall, load, outage)
        assert_retries_land_once(client, wall, load)
        assert runtime_of(app).models.follower.alive
        assert wall.error is None, f"the wall lost its feed: {wall.error!r}"
    figures["outage_s"] = seconds
    return figures


def any_acknowledged_after(load: WriteLoad, moment: float) -> bool:
    return any(a.status == 201 and a.sent > moment for a in load.attempts)


def assert_caught_up(
    client: httpx.Client, wall: WallWatcher, load: WriteLoad, outage: Outage
) -> dict[str, float]:
    statuses = {a.status for a in load.attempts}
    assert statuses <= {201, 503}, f"answers other than 201 and 503: {statuses}"
    refused = load.answered(503)
    assert refused, "no write was refused while the store was away"
    for attempt in refused:
        assert attempt.retry_after is not None and int(attempt.retry_after) >= 1
        assert attempt.body["error"]["code"] == "store_unavailable"
    assert all(a.sent > outage.stopped - 1 for a in refused), "503 before the outage"
    # Health knew all along (its own query fails at once); the wall was told.
    assert outage.health, "no health answer during the outage"
    for _, code, body in outage.health:
        assert (code, body["status"]) == (503, "store_unreachable"), body
        assert body["store"]["reachable"] is False and body["store"]["since"]
    during = outage.metrics
    assert (during["hub_store_reachable"], during["hub_read_model_healthy"]) == (0, 0)
    assert "hub_read_model_lag_events" not in during  # the head is unknown meanwhile
    told_down = wall.told(reachable=False, after=outage.stopped)
    assert told_down is not None and told_down < outage.started, f"no alert: {wall.store}"
    # Afterwards, everything acknowledged reaches the wall by itself; the alert clears.
    acknowledged = {a.title for a in load.answered(201)}
    assert wait_for(lambda: acknowledged <= set(wall.titles), CATCH_UP), sorted(
        acknowledged - set(wall.titles)
    )[:5]
    assert wait_for(lambda: wall.reachable, CATCH_UP)
    assert wait_for(lambda: health_ok(client), CATCH_UP), client.get("/api/health").json()
    after = figures_of(client)
    assert (after["hub_store_reachable"], after["hub_read_model_healthy"]) == (1, 1)
    assert after["hub_read_model_lag_events"] == 0
    first_after = min(
        (a for a in load.answered(201) if a.sent > outage.started), key=lambda a: a.sent
    )
    told_up = wall.told(reachable=True, after=outage.stopped)
    assert told_up is not None
    return {
        "writes": len(load.attempts),
        "acknowledged": len(acknowledged),
        "refused_503": len(refused),
        "wall_told_down_s": told_down - outage.stopped,
        "wall_told_back_s": told_up - outage.started,
        "first_write_on_wall_s": wall.titles[first_after.title] - outage.started,
        "last_refused_s": max(a.answered for a in refused) - outage.started,
    }


def health_ok(client: httpx.Client) -> bool:
    answer = client.get("/api/health")
    body = answer.json()
    return answer.status_code == 200 and body["status"] == "ok" and body["lag"] == 0


def assert_retries_land_once(client: httpx.Client, wall: WallWatcher, load: WriteLoad) -> None:
    """A 503'd write either happened or not: its retry (same key) answers one id either way."""
    answers: dict[str, str] = {a.title: a.body["id"] for a in load.answered(201)}
    for refused in load.answered(503):
        retry = load.send(Attempt(refused.title, refused.key, time.monotonic()), client)
        assert retry.status == 201, retry.body
        answers[refused.title] = retry.body["id"]
        again = load.send(Attempt(refused.title, refused.key, time.monotonic()), client)
        assert again.body["id"] == retry.body["id"], "the same key answered two ids"
    assert wait_for(lambda: set(answers) <= set(wall.titles), CATCH_UP)
    shown = client.get("/api/wall").json()["assignments"]
    by_title: dict[str, list[str]] = {}
    for key, item in shown.items():
        by_title.setdefault(item["title"], []).append(key)
    for title, answered_id in answers.items():
        assert by_title[title] == [answered_id], f"{title}: {by_title[title]} != {answered_id}"
        assert wall.ids[title] == {answered_id}


@pytest.mark.parametrize("seconds", [5, pytest.param(30, marks=pytest.mark.slow)])
def test_an_outage_is_ridden_out(
    hub: tuple[str, Starlette], outage_staff: Staff, cluster: PrivatePostgres, seconds: float
) -> None:
    base, app = hub
    figures = assert_ridden_out(base, app, outage_staff, cluster, seconds=seconds)
    print(f"\nstore outage figures: {figures}")


def test_a_restart_of_under_a_second_answers_no_500(
    hub: tuple[str, Starlette], outage_staff: Staff, cluster: PrivatePostgres
) -> None:
    base, app = hub
    with (
        signed_in(base, outage_staff) as client,
        WallWatcher(base, outage_staff.tokens["wally"]) as wall,
    ):
        with WriteLoad(base, outage_staff.tokens["dana"], interval=0.02) as load:
            assert wait_for(lambda: len(load.answered(201)) >= 5, CATCH_UP)
            began = time.monotonic()
            cluster.restart()
            took = time.monotonic() - began
            assert wait_for(lambda: any_acknowledged_after(load, began + took), CATCH_UP)
        statuses = {a.status for a in load.attempts}
        assert statuses <= {201, 503}, statuses
        for attempt in load.answered(503):
            assert attempt.retry_after is not None
        acknowledged = {a.title for a in load.answered(201)}
        assert wait_for(lambda: acknowledged <= set(wall.titles), CATCH_UP)
        assert_retries_land_once(client, wall, load)
        assert wait_for(lambda: health_ok(client), CATCH_UP)
        print(f"\nrestart took {took:.2f} s: {len(load.answered(503))} of {len(load.attempts)} 503")


def test_a_write_by_another_process_reaches_the_wall_after_an_outage(
    hub: tuple[str, Starlette],
    outage_staff: Staff,
    outage_settings: Settings,
    cluster: PrivatePostgres,
) -> None:
    base, _ = hub
    with (
        signed_in(base, outage_staff) as client,
        WallWatcher(base, outage_staff.tokens["wally"]) as wall,
    ):
        take_away(cluster, client, seconds=3)
        assert wait_for(lambda: wall.told(reachable=False) is not None, CATCH_UP)
        other = Newsroom(outage_settings, passwords=Passwords(time_cost=1, memory_cost=1024))
        try:
            written = time.monotonic()
            other.handle(
                Request(outage_staff.actor("dana"), Clock().now),
                PlanAssignment(
                    title="另一个进程写的", brief="", location=Location("城关镇", 30.1, 114.2)
                ),
            )
        finally:
            other.close()
        assert wait_for(lambda: "另一个进程写的" in wall.titles, CATCH_UP)
        took = wall.titles["另一个进程写的"] - written
        print(f"\nanother process's write on the wall after {took:.2f} s")
        assert wait_for(lambda: health_ok(client), CATCH_UP)


def test_a_sqlite_file_moved_away_is_an_outage_until_it_is_back(tmp_path: Path) -> None:
    """Pooled SQLite connections would go on writing into the moved file, which the next start
    never sees: the hub refuses writes while its file is not at its path, and says so."""
    database = tmp_path / "hub.sqlite3"
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{database}")
    staff = staff_of(settings)
    app = create_app(settings)
    with watched(app, staff) as (client, wall, write):
        assert write.send(Attempt("before", "k-before", time.monotonic())).status == 201
        database.rename(tmp_path / "moved-away.sqlite3")
        refused = write.send(Attempt("during", "k-during", time.monotonic()))
        assert (refused.status, refused.retry_after) == (503, "2"), refused.body
        health = client.get("/api/health")
        assert health.status_code == 503 and health.json()["status"] == "store_unreachable"
        assert "is gone" in health.json()["store"]["reason"]
        assert wait_for(lambda: wall.told(reachable=False) is not None, CATCH_UP)
        time.sleep(1)
        assert runtime_of(app).models.follower.alive
        (tmp_path / "moved-away.sqlite3").rename(database)
        assert write.send(Attempt("during", "k-during", time.monotonic())).status == 201
        assert wait_for(lambda: health_ok(client), CATCH_UP)
        assert wait_for(lambda: {"before", "during"} <= set(wall.titles), CATCH_UP)
        assert wall.reachable


def audited(client: httpx.Client, staff: Staff, subject: str) -> bool:
    """Whether the audit table holds the rows of `subject` (the follower has written them)."""
    auditor = {"Authorization": f"Bearer {staff.tokens['audrey']}"}
    answer = client.get("/api/audit", params={"subject": subject}, headers=auditor)
    return bool(answer.json()["entries"])


def test_a_write_whose_commit_answer_was_lost_lands_once(
    cluster: PrivatePostgres, tmp_path: Path
) -> None:
    """The store commits but the answer never arrives: the hub cannot know, so it answers 503;
    the write did happen, and its retry with the same key answers that write, not a second."""
    cutter = CommitCutter(cluster.port)
    settings = Settings(data_dir=tmp_path / "data", database_url=cutter.url(cluster.new_database()))
    staff = staff_of(settings)
    app = create_app(settings)
    try:
        with watched(app, staff) as (client, wall, write):
            first = write.send(Attempt("first", "k-first", time.monotonic()))
            assert first.status == 201
            assert wait_for(lambda: health_ok(client), CATCH_UP)
            assert wait_for(lambda: audited(client, staff, first.body["id"]), CATCH_UP)
            cutter.armed.set()  # the hub is idle: the next COMMIT is the write's
            lost = write.send(Attempt("lost answer", "k-lost", time.monotonic()))
            assert cutter.cuts == 1
            assert (lost.status, lost.retry_after) == (503, "2"), lost.body
            # It was recorded all the same: the read models show it by themselves.
            assert wait_for(lambda: "lost answer" in wall.titles, CATCH_UP)
            retry = write.send(Attempt("lost answer", "k-lost", time.monotonic()))
            assert retry.status == 201, retry.body
            assert wall.ids["lost answer"] == {retry.body["id"]}
            shown = client.get("/api/wall").json()["assignments"]
            assert [k for k, a in shown.items() if a["title"] == "lost answer"] == [
                retry.body["id"]
            ]
            assert wait_for(lambda: health_ok(client), CATCH_UP)
    finally:
        cutter.close()
