"""The wall feed's owner without sockets: snapshots, changes in step, slow clients, scopes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from projections.wall import empty_wall
from web.wall_fanout import Batch, Join, Resync, WallFanout, apply_change, mine


def command(key: str, to: str, state: str = "issued") -> list[Any]:
    return ["set", "commands", key, {"id": key, "to": to, "text": key, "state": state}]


def batch(position: int, *changes: list[Any]) -> Batch:
    text = json.dumps(list(changes))
    return Batch(position, f"t{position}", text[1:-1], json.loads(text))


def taken(queue: asyncio.Queue[Any]) -> list[dict[str, Any]]:
    out = []
    while not queue.empty():
        out.append(json.loads(queue.get_nowait().text))
    return out


async def test_a_client_gets_a_snapshot_then_changes_that_follow_on() -> None:
    fanout = WallFanout(empty_wall(), flush_interval=0)
    client = fanout.new_client("wally", "wall")
    fanout.handle(Join(client))
    fanout.handle(batch(3, command("c1", "rui")))
    fanout.handle(batch(4))  # nothing the wall shows
    fanout.handle(batch(5, command("c2", "lin"), ["del", "commands", "c1"]))
    fanout.flush()
    snapshot, changes = taken(client.queue)
    assert snapshot["type"] == "snapshot" and snapshot["position"] == 0
    assert "titles" not in snapshot["wall"]
    assert changes["from"] == 0 and changes["position"] == 5
    assert [c[:3] for c in changes["changes"]] == [
        ["set", "commands", "c1"],
        ["set", "commands", "c2"],
        ["del", "commands", "c1"],
    ]
    assert set(fanout.mirror["commands"]) == {"c2"} and fanout.mirror["as_at"] == "t5"


async def test_a_full_queue_is_replaced_by_a_fresh_snapshot_and_counted() -> None:
    fanout = WallFanout(empty_wall(), queue_size=2, flush_interval=0)
    slow, quick = fanout.new_client("a", "wall"), fanout.new_client("b", "wall")
    fanout.handle(Join(slow))
    fanout.handle(Join(quick))
    for position in (1, 2):
        taken(quick.queue)
        fanout.handle(batch(position, command(f"c{position}", "rui")))
        fanout.flush()
    assert fanout.resyncs == 1 and slow.resyncs == 1 and quick.resyncs == 0
    (fresh,) = taken(slow.queue)  # what it had not taken is gone; a fresh snapshot instead
    assert fresh["type"] == "snapshot" and fresh["position"] == 2
    assert set(fresh["wall"]["commands"]) == {"c1", "c2"}
    assert [m["position"] for m in taken(quick.queue)] == [2]


async def test_asking_for_a_resync_is_not_counted_as_falling_behind() -> None:
    fanout = WallFanout(empty_wall(), flush_interval=0)
    client = fanout.new_client("wally", "wall")
    fanout.handle(Join(client))
    fanout.handle(batch(1, command("c1", "rui")))
    fanout.handle(Resync(client))
    (fresh,) = taken(client.queue)  # it starts over: what it had not taken yet is dropped
    assert fresh["type"] == "snapshot" and fresh["position"] == 1
    assert "c1" in fresh["wall"]["commands"] and fanout.resyncs == 0


async def test_a_phone_gets_only_its_own_and_stays_in_step() -> None:
    fanout = WallFanout(empty_wall(), flush_interval=0)
    phone = fanout.new_client("rui", "mine")
    fanout.handle(Join(phone))
    for position, to in ((1, "rui"), (2, "lin"), (3, "lin"), (4, "rui")):
        fanout.handle(batch(position, command(f"c{position}", to)))
        fanout.flush()
    snapshot, first, second = taken(phone.queue)
    assert snapshot["wall"]["commands"] == {}
    assert [c[2] for c in first["changes"]] == ["c1"] and first["position"] == 1
    assert [c[2] for c in second["changes"]] == ["c4"] and second["from"] == 1
    assert second["from"] <= first["position"]


def test_what_concerns_a_person() -> None:
    wall = empty_wall()
    apply_change(wall, command("c1", "rui"))
    apply_change(wall, command("c2", "lin"))
    apply_change(wall, ["set", "people", "rui", {"name": "rui"}])
    apply_change(wall, ["set", "sources", "rui-phone", {"name": "rui-phone", "owner": "rui"}])
    apply_change(wall, ["set", "sources", "truck-1", {"name": "truck-1", "owner": None}])
    for n in range(60):
        apply_change(wall, ["push", "alerts", {"n": n}])
    assert len(wall["alerts"]) == 50 and wall["alerts"][0] == {"n": 10}
    own = mine(wall, "rui")
    assert set(own["commands"]) == {"c1"} and set(own["sources"]) == {"rui-phone"}
    assert set(own["people"]) == {"rui"}
