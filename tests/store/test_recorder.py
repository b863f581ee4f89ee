"""The recorder on SQLite and PostgreSQL: positions, database time, chain, conflicts, retries."""

from __future__ import annotations

import json
import threading
from uuid import uuid4

import pytest
from sqlalchemy import select, update

from events.assignment import Assignment
from events.base import Location
from hub.commands.assignments import AcceptAssignment, AssignReporter, PlanAssignment
from hub.commands.dispatch import IssueCommand
from hub.commands.people import IssueToken
from hub.config import Settings
from hub.errors import KeyReused, VersionConflict
from hub.newsroom import Newsroom, Request
from hub.store import schema
from hub.store.chain import GENESIS, link
from tests.conftest import Staff


def plan(newsroom: Newsroom, staff: Staff, title: str = "t", key: str | None = None) -> object:
    return newsroom.handle(
        staff.req("dana", key=key),
        PlanAssignment(title=title, brief="", location=Location("x", 1, 2)),
    )


def test_positions_are_gap_free_and_hashes_chain(newsroom: Newsroom, staff: Staff) -> None:
    for i in range(5):
        plan(newsroom, staff, f"t{i}")
    log = newsroom.store.read_log(after=0, limit=1000)
    assert [n.id for n in log] == list(range(1, len(log) + 1))
    previous = GENESIS
    for n in log:
        assert n.hash == link(
            previous, n.id, n.originator_id, n.originator_version, n.topic, n.state, n.recorded_at
        )
        previous = n.hash
    head = newsroom.store.chain_head()
    assert (head.position, head.hash) == (log[-1].id, log[-1].hash)


def test_concurrent_writers_get_monotonic_database_times(newsroom: Newsroom, staff: Staff) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(25):
                plan(newsroom, staff, f"w{n}-{i}")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    log = newsroom.store.read_log(after=0, limit=10_000)
    times = [n.recorded_at for n in log]
    assert times == sorted(times)
    assert [n.id for n in log] == list(range(1, len(log) + 1))
    assert len(log) == len(Staff.NAMES) * 3 + 100


def test_a_stale_expected_version_names_the_current_one(newsroom: Newsroom, staff: Staff) -> None:
    done = plan(newsroom, staff)
    assignment = done.id  # type: ignore[attr-defined]
    newsroom.handle(staff.req("dana"), AssignReporter(id=assignment, reporter="rui"))
    with pytest.raises(VersionConflict, match="is at version 2, not 1") as caught:
        newsroom.handle(
            staff.req("dana", expected_version=1), AssignReporter(id=assignment, reporter="lin")
        )
    assert caught.value.current_version == 2


def test_a_change_that_names_no_version_is_decided_again_after_a_race(
    newsroom: Newsroom, staff: Staff, settings: Settings
) -> None:
    assignment = plan(newsroom, staff).id  # type: ignore[attr-defined]
    other = Newsroom(settings)  # another hub node on the same store
    raced: list[int] = []

    def assign_while_another_node_writes(a: Assignment) -> None:
        if not raced:  # between this node's read and its save, the other node commits
            first = other.handle(staff.req("dana"), AssignReporter(id=assignment, reporter="lin"))
            raced.append(first.version)
        a.assign(at=staff.clock.tick(), actor=staff.actor("dana"), reporter="rui")

    try:
        done = newsroom.change(
            staff.req("dana"), "assign_reporter", Assignment, assignment,
            assign_while_another_node_writes,
        )  # fmt: skip
    finally:
        other.close()
    assert raced == [2] and done.version == 3
    assert newsroom.get(Assignment, assignment).reporter == "rui"


def test_a_retried_command_returns_the_first_answer_and_stores_nothing(
    newsroom: Newsroom, staff: Staff
) -> None:
    first = plan(newsroom, staff, key="phone-retry-1")
    before = newsroom.store.max_notification_id()
    again = plan(newsroom, staff, key="phone-retry-1")
    assert again == first
    assert newsroom.store.max_notification_id() == before


def test_secrets_kept_by_an_earlier_hub_are_withheld_once_it_starts(
    newsroom: Newsroom, staff: Staff, settings: Settings
) -> None:
    """Answers an older hub kept whole (token included) lose the secret when the store opens."""
    first = newsroom.handle(staff.req("rui", key="spare"), IssueToken(name="rui", label="spare"))
    old_answer = json.dumps({**first.as_dict(), "token": first.extra["token"]}, sort_keys=True)
    table = schema.idempotency
    with newsroom.store.engine.begin() as conn:
        conn.execute(update(table).where(table.c.key == "spare").values(result=old_answer))
    reopened = Newsroom(settings, passwords=newsroom.passwords)
    try:
        with reopened.store.engine.connect() as conn:
            kept = conn.execute(select(table.c.result).where(table.c.key == "spare")).scalar_one()
        again = reopened.handle(
            staff.req("rui", key="spare"), IssueToken(name="rui", label="spare")
        )
    finally:
        reopened.close()
    assert first.extra["token"] not in kept
    assert json.loads(kept) == {**first.as_dict(), "token": None}
    assert again.extra["token"] is None and again.extra["token_id"] == first.extra["token_id"]


def test_a_key_reused_for_another_command_is_refused(newsroom: Newsroom, staff: Staff) -> None:
    done = plan(newsroom, staff, key="k")
    with pytest.raises(KeyReused, match="was used for plan_assignment"):
        newsroom.handle(staff.req("dana", key="k"), AssignReporter(id=done.id, reporter="rui"))


def test_keys_belong_to_their_caller(newsroom: Newsroom, staff: Staff) -> None:
    mine = newsroom.handle(
        staff.req("dana", key="same"), IssueCommand(to="rui", text="go live at 14:00")
    )
    theirs = newsroom.handle(
        staff.req("tess", key="same"), IssueCommand(to="lin", text="need a wide shot")
    )
    assert mine.id != theirs.id


def test_concurrent_retries_store_once(newsroom: Newsroom, staff: Staff) -> None:
    results: list[object] = []
    request = Request(staff.actor("dana"), staff.clock.tick(), key="burst")

    def send() -> None:
        results.append(
            newsroom.handle(
                request, PlanAssignment(title="burst", brief="", location=Location("x", 1, 2))
            )
        )

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(map(repr, results))) == 1
    titles = [
        n for n in newsroom.store.read_log(after=0, limit=1000) if n.topic.endswith("Planned")
    ]
    assert len(titles) == 1


def test_unknown_aggregates_are_not_found(newsroom: Newsroom, staff: Staff) -> None:
    from hub.errors import NotFound

    with pytest.raises(NotFound, match="no assignment"):
        newsroom.handle(staff.req("rui"), AcceptAssignment(id=uuid4()))
    with pytest.raises(NotFound, match="no user 'nobody'"):
        newsroom.handle(staff.req("dana"), IssueCommand(to="nobody", text="hello"))


def test_position_at_a_time(newsroom: Newsroom, staff: Staff) -> None:
    plan(newsroom, staff)
    log = newsroom.store.read_log(after=0, limit=1000)
    middle = log[len(log) // 2]
    assert newsroom.store.position_at(middle.recorded_at) >= middle.id
    assert newsroom.store.position_at(log[0].recorded_at - 1) == 0
