"""Read models: checkpoints survive restarts, rebuilds agree, live following, loud failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from events.base import Location
from hub.commands.assignments import PlanAssignment
from hub.commands.live import RegisterSource
from hub.config import Settings
from hub.newsroom import Newsroom
from hub.readmodels import ProjectionFailed, ReadModels
from tests.conftest import Staff, capture_of


def plan_many(newsroom: Newsroom, staff: Staff, count: int) -> None:
    for i in range(count):
        newsroom.handle(
            staff.req("dana"),
            PlanAssignment(title=f"story {i}", brief="", location=Location("x", 1, 2)),
        )


def test_a_restart_folds_only_what_came_after_the_checkpoint(
    newsroom: Newsroom, staff: Staff
) -> None:
    plan_many(newsroom, staff, 40)
    first = ReadModels(newsroom, checkpoint_every=1000)
    first.start()
    assert first.folded == newsroom.store.max_notification_id()
    first.stop()  # saves a checkpoint at the current position
    plan_many(newsroom, staff, 3)
    second = ReadModels(newsroom, checkpoint_every=1000)
    second.start()
    assert second.folded == 3
    assert second.models.wall.state() == ReadModels(newsroom).replay(second.position).wall.state()
    assert len(second.models.wall.state()["assignments"]) == 43


def test_a_checkpoint_from_before_a_read_model_existed_is_folded_again(
    newsroom: Newsroom, staff: Staff
) -> None:
    """A hub upgraded to a version with a new read model (the capture library) starts from the
    log, not from a checkpoint that lacks it; the audit table is not written twice."""
    plan_many(newsroom, staff, 5)
    capture = newsroom.handle(staff.req("rui"), capture_of("a.jpg", "image/jpeg")).id
    first = ReadModels(newsroom, checkpoint_every=1000)
    first.start()
    first.stop()
    audit = first.audit_entries(limit=1000)
    with newsroom.store.read_cursor() as cur:
        cur.execute("SELECT position, state FROM hub_checkpoints")
        rows = cur.fetchall()
    assert rows
    with newsroom.store.write_cursor() as cur:
        for position, state in rows:
            older = {k: v for k, v in json.loads(bytes(state)).items() if k != "captures"}
            cur.execute(
                newsroom.store.sql.placeholders(
                    "UPDATE hub_checkpoints SET state = ? WHERE position = ?"
                ),
                (json.dumps(older).encode(), position),
            )
    second = ReadModels(newsroom, checkpoint_every=1000)
    second.start()
    assert second.folded == newsroom.store.max_notification_id()
    assert second.models.captures.get(str(capture)) is not None
    assert second.models.wall.state() == first.models.wall.state()
    assert second.audit_entries(limit=1000) == audit
    assert ReadModels(newsroom).replay(second.position).captures.get(str(capture)) is not None


def test_a_store_of_english_summaries_and_alerts_is_written_anew_as_messages(
    newsroom: Newsroom, staff: Staff
) -> None:
    """A hub upgraded from the form before the catalogs (audit rows and wall alerts in English)
    folds the log again at its first start and rewrites every audit row as a message."""
    plan_many(newsroom, staff, 5)
    first = ReadModels(newsroom, checkpoint_every=3)
    first.start()
    first.stop()
    audit = first.audit_entries(limit=1000)
    sql = newsroom.store.sql.placeholders
    with newsroom.store.read_cursor() as cur:
        cur.execute("SELECT position, state FROM hub_checkpoints")
        checkpoints = cur.fetchall()
    with newsroom.store.write_cursor() as cur:  # as the earlier form left them
        cur.execute("UPDATE hub_audit SET summary = 'planned assignment (in English)'")
        cur.execute("UPDATE hub_tracking SET model = 'audit' WHERE model = 'audit/messages'")
        for position, state in checkpoints:
            older = {k: v for k, v in json.loads(bytes(state)).items() if k != "form"}
            older["wall"]["alerts"] = [{"at": "2026-01-01T00:00:00Z", "text": "in English"}]
            cur.execute(
                sql("UPDATE hub_checkpoints SET state = ? WHERE position = ?"),
                (json.dumps(older).encode(), position),
            )
    second = ReadModels(newsroom, checkpoint_every=3)
    second.start()
    assert second.folded == newsroom.store.max_notification_id()
    assert second.audit_entries(limit=1000) == audit
    assert audit[-1]["summary"]["msg"] == "planned assignment '{title}' ({priority}) at {place}"
    assert second.models.wall.state() == first.models.wall.state()
    assert ReadModels(newsroom).replay(7).wall.state()["alerts"] == []


def test_a_rebuild_from_zero_agrees_with_the_live_models(newsroom: Newsroom, staff: Staff) -> None:
    models = ReadModels(newsroom, checkpoint_every=10)
    models.start()
    plan_many(newsroom, staff, 25)
    models.catch_up()
    live = (models.models.wall.state(), models.models.matrix.state(), models.position)
    audit_before = models.audit_entries(limit=1000)
    rebuilt = ReadModels(newsroom, checkpoint_every=10)
    rebuilt.rebuild()
    assert (rebuilt.models.wall.state(), rebuilt.models.matrix.state(), rebuilt.position) == live
    assert rebuilt.audit_entries(limit=1000) == audit_before


def test_the_directory_follows_users_and_sources(newsroom: Newsroom, staff: Staff) -> None:
    models = ReadModels(newsroom)
    models.start()
    newsroom.handle(staff.req("tess"), RegisterSource(name="truck-1", kind="truck"))
    models.catch_up()
    assert "truck-1" in models.directory.sources
    assert models.directory.people["rui"].roles == frozenset({"reporter"})


def test_events_written_by_another_process_are_followed(
    newsroom: Newsroom, staff: Staff, settings: Settings
) -> None:
    models = ReadModels(newsroom, poll_interval=0.3)
    models.start()
    seen = threading.Event()
    positions: list[int] = []

    def on_change(position: int, changes: dict[str, Any]) -> None:
        positions.append(position)
        if any(change[1] == "people" for change in changes["wall"]):
            seen.set()

    models.subscribe(on_change)
    models.follow()
    try:
        env = {**os.environ, "HUB_DATABASE_URL": settings.database_url}
        subprocess.run(
            [sys.executable, "-m", "hub.cli", "users", "add", "newbie", "--role", "reporter"],
            env=env,
            check=True,
            capture_output=True,
        )
        # A liveness bound, not a speed target (bench/ measures that): a loaded machine may
        # take seconds to start the other process.
        assert seen.wait(30), "the change made by another process never arrived"
    finally:
        models.stop()
    assert "newbie" in models.models.wall.state()["people"]
    assert "newbie" in models.directory.people


def test_a_failing_fold_stops_loudly(newsroom: Newsroom, staff: Staff) -> None:
    models = ReadModels(newsroom)
    models.start()
    plan_many(newsroom, staff, 1)
    position = newsroom.store.max_notification_id()
    with newsroom.store.write_cursor() as cur:
        cur.execute(
            newsroom.store.sql.placeholders("UPDATE hub_events SET state = ? WHERE id = ?"),
            (b"{not json", position),
        )
    with pytest.raises(ProjectionFailed, match="failed on the event after position"):
        models.catch_up()
    assert models.position == position - 1
    with pytest.raises(ProjectionFailed, match="stopped at position"):
        models.catch_up()


def test_a_failing_fold_is_reported_to_live_listeners(newsroom: Newsroom, staff: Staff) -> None:
    models = ReadModels(newsroom, poll_interval=0.2)
    models.start()
    failures: list[Any] = []
    reported = threading.Event()

    def on_change(position: int, changes: dict[str, Any]) -> None:
        if "failure" in changes:
            failures.append(changes["failure"])
            reported.set()

    models.subscribe(on_change)
    models.follow()
    try:
        # An event of a kind this hub does not know (say, written by a newer version).
        newsroom.store.insert_events([StoredEvent(uuid4(), 1, "events.nowhere:Gone", b"{}")])
        assert reported.wait(5)
    finally:
        models.stop()
    assert models.failure is not None
    assert "Gone" in failures[0][0][3]
