"""The wall feed carries whether the hub can use its store: in each snapshot and as it changes."""

from __future__ import annotations

from projections.wall import empty_wall
from tests.web.test_wall_feed_fanout import taken
from web.wall_fanout import Join, StoreChanged, WallFanout

DOWN = {"reachable": False, "since": "2026-11-23T08:00:00.000Z", "reason": "connection refused"}
BACK = {"reachable": True, "since": "2026-11-23T08:00:30.000Z", "reason": None}


async def test_clients_hear_the_store_go_and_come_back() -> None:
    fanout = WallFanout(empty_wall(), flush_interval=0)
    wall, phone = fanout.new_client("wally", "wall"), fanout.new_client("rui", "mine")
    fanout.handle(Join(wall))
    fanout.handle(Join(phone))
    for client in (wall, phone):
        (snapshot,) = taken(client.queue)
        assert snapshot["store"]["reachable"] is True
    fanout.handle(StoreChanged(DOWN))
    fanout.handle(StoreChanged(BACK))
    for client in (wall, phone):
        assert taken(client.queue) == [{"type": "store", **DOWN}, {"type": "store", **BACK}]


async def test_a_client_that_joins_meanwhile_gets_the_status_in_its_snapshot() -> None:
    fanout = WallFanout(empty_wall(), flush_interval=0)
    first = fanout.new_client("wally", "wall")
    fanout.handle(Join(first))  # a snapshot is cached at this position
    fanout.handle(StoreChanged(DOWN))
    late = fanout.new_client("dana", "wall")
    fanout.handle(Join(late))
    (snapshot,) = taken(late.queue)
    assert snapshot["store"] == DOWN  # not the cached snapshot from before the change
