"""Tampering behind the hub's back, with raw SQL on both databases, is detected and located."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest

from events.base import Location
from hub.audit import export, head_from_export, verify
from hub.commands.assignments import PlanAssignment
from hub.newsroom import Newsroom
from hub.store.chain import GENESIS, link
from tests.conftest import Staff

COLUMNS = "originator_id, originator_version, topic, state, recorded_at, hash"


@pytest.fixture
def history(newsroom: Newsroom, staff: Staff) -> Newsroom:
    for i in range(6):
        newsroom.handle(
            staff.req("dana"),
            PlanAssignment(title=f"story {i}", brief="", location=Location("x", 1, 2)),
        )
    return newsroom


def sql(newsroom: Newsroom, statement: str, *params: Any) -> list[Any]:
    store = newsroom.store
    with store.write_cursor() as cur:
        cur.execute(store.sql.placeholders(statement), params)
        return list(cur.fetchall()) if cur.description else []


def row(newsroom: Newsroom, position: int) -> tuple[Any, ...]:
    [found] = sql(newsroom, f"SELECT {COLUMNS} FROM hub_events WHERE id = ?", position)
    return tuple(found)


def overwrite(newsroom: Newsroom, position: int, values: tuple[Any, ...]) -> None:
    # The unique (aggregate, version) index must not stop a tamperer: free the slot first.
    sql(newsroom, "UPDATE hub_events SET originator_version = -id WHERE id = ?", position)
    sql(
        newsroom,
        "UPDATE hub_events SET originator_id = ?, originator_version = ?, topic = ?, state = ?,"
        " recorded_at = ?, hash = ? WHERE id = ?",
        *values,
        position,
    )


# The staff make 30 events (registered, password, token each), then six assignments 31..36.
LAST = 36
TARGET = 32


def alter(n: Newsroom) -> None:
    state = bytes(row(n, TARGET)[3])
    sql(
        n, "UPDATE hub_events SET state = ? WHERE id = ?", state.replace(b"story", b"STORY"), TARGET
    )


def remove_middle(n: Newsroom) -> None:
    sql(n, "DELETE FROM hub_events WHERE id = ?", TARGET)


def insert_in_the_middle(n: Newsroom) -> None:
    for position in range(LAST, TARGET - 1, -1):
        sql(n, "UPDATE hub_events SET id = ? WHERE id = ?", position + 1, position)
    forged = list(row(n, TARGET + 1))
    forged[1] = 99  # a new version of the same aggregate
    sql(n, f"INSERT INTO hub_events (id, {COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", TARGET, *forged)


def reorder(n: Newsroom) -> None:
    first, second = row(n, TARGET), row(n, TARGET + 1)
    sql(n, "UPDATE hub_events SET originator_version = -id WHERE id = ?", TARGET + 1)
    overwrite(n, TARGET, second)
    overwrite(n, TARGET + 1, first)


def copy_onto_another(n: Newsroom) -> None:
    # The whole row, hash included, copied over another; the unique index is dodged.
    values = list(row(n, TARGET + 2))
    values[1] = 1000
    overwrite(n, TARGET, tuple(values))


TAMPERINGS: dict[str, Callable[[Newsroom], None]] = {
    "altered": alter,
    "removed": remove_middle,
    "inserted": insert_in_the_middle,
    "reordered": reorder,
    "copied": copy_onto_another,
}


def test_an_untouched_log_verifies(history: Newsroom) -> None:
    verdict = verify(history.store)
    assert verdict.ok, verdict.problem
    assert verdict.checked == history.store.max_notification_id()


@pytest.mark.parametrize("tampering", sorted(TAMPERINGS))
def test_tampering_is_detected_at_its_position(history: Newsroom, tampering: str) -> None:
    assert history.store.max_notification_id() == LAST
    TAMPERINGS[tampering](history)
    verdict = verify(history.store)
    assert not verdict.ok
    assert verdict.bad_position == TARGET, verdict.problem


def test_removing_the_newest_events_is_detected_by_the_chain_head(history: Newsroom) -> None:
    sql(history, "DELETE FROM hub_events WHERE id > ?", LAST - 2)
    verdict = verify(history.store)
    assert not verdict.ok
    assert verdict.bad_position == LAST - 1
    assert "removed from the end" in (verdict.problem or "")


def test_a_rewritten_chain_is_caught_by_an_exported_head(history: Newsroom) -> None:
    exported = "".join(export(history.store, history.mapper.transcoder, "jsonl"))
    checkpoint = head_from_export(exported)
    assert checkpoint.position == LAST
    # A careful tamperer alters an event, recomputes every later hash and the head table.
    state = bytes(row(history, TARGET)[3])
    sql(history, "UPDATE hub_events SET state = ? WHERE id = ?", state + b" ", TARGET)
    previous = bytes(row(history, TARGET - 1)[5])
    for position in range(TARGET, LAST + 1):
        oid, version, topic, state, recorded_at, _ = row(history, position)
        uid = oid if isinstance(oid, UUID) else UUID(oid)
        previous = link(previous, position, uid, version, topic, bytes(state), recorded_at)
        sql(history, "UPDATE hub_events SET hash = ? WHERE id = ?", previous, position)
    sql(history, "UPDATE hub_chain_head SET hash = ?", previous)
    assert verify(history.store).ok  # the database alone cannot tell
    verdict = verify(history.store, checkpoint=checkpoint)
    assert not verdict.ok
    assert verdict.bad_position == LAST


def test_removing_events_and_rewinding_the_head_is_caught_by_an_exported_head(
    history: Newsroom,
) -> None:
    exported = "".join(export(history.store, history.mapper.transcoder, "jsonl"))
    sql(history, "DELETE FROM hub_events WHERE id > ?", LAST - 2)
    last_hash = bytes(row(history, LAST - 2)[5])
    sql(history, "UPDATE hub_chain_head SET position = ?, hash = ?", LAST - 2, last_hash)
    assert verify(history.store).ok
    verdict = verify(history.store, checkpoint=head_from_export(exported))
    assert not verdict.ok
    assert "removed from the end" in (verdict.problem or "")


def test_an_empty_log_verifies(newsroom: Newsroom) -> None:
    verdict = verify(newsroom.store)
    assert verdict.ok and verdict.checked == 0 and verdict.head.hash == GENESIS
