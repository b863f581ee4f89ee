"""WS /ws/wall over a real uvicorn server: snapshot then changes, refusals, slow clients."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from events.base import Location
from events.dispatch import DispatchCommand
from hub.commands.assignments import AssignReporter, PlanAssignment
from hub.commands.dispatch import IssueCommand
from hub.config import Settings
from hub.newsroom import Newsroom
from tests.conftest import Staff
from tests.web.server import serving
from web.app import create_app
from web.runtime import Runtime

WAIT = 10.0  # generous: the follower polls, and CI machines stall


@pytest.fixture
def app(settings: Settings, staff: Staff) -> Starlette:
    return create_app(settings)


@pytest.fixture
def hub(app: Starlette) -> Iterator[str]:
    with serving(app) as base:
        yield base.replace("http://", "ws://")


def rt_of(app: Starlette) -> Runtime:
    rt: Runtime = app.state.runtime
    return rt


def plan(newsroom: Newsroom, staff: Staff, title: str) -> str:
    done = newsroom.handle(
        staff.req("dana"),
        PlanAssignment(
            title=title, brief="", location=Location("城关镇", 30.1, 114.2), channels=["tv"]
        ),
    )
    return str(done.id)


def changed(message: dict[str, Any], key: str) -> bool:
    return any(change[2] == key for change in message["changes"] if change[0] == "set")


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def bearer(staff: Staff, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff.tokens[name]}"}


async def next_of(ws: ClientConnection, kind: str) -> dict[str, Any]:
    """The next message of this type (heartbeats may come in between)."""
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        if message["type"] == kind:
            return message  # type: ignore[no-any-return]


async def until(ws: ClientConnection, found: Any) -> dict[str, Any]:
    while True:
        message = await next_of(ws, "changes")
        if found(message):
            return message


async def test_a_snapshot_then_the_changes(hub: str, app: Starlette, staff: Staff) -> None:
    async with connect(f"{hub}/ws/wall", additional_headers=bearer(staff, "wally")) as ws:
        snapshot = await next_of(ws, "snapshot")
        wall = snapshot["wall"]
        assert set(wall["people"]) == {"rui", "lin"} and wall["assignments"] == {}
        assert "titles" not in wall and snapshot["failure"] is None
        key = await asyncio.to_thread(plan, rt_of(app).newsroom, staff, "防汛一线")
        message = await until(ws, lambda m: m["changes"])
        assert message["from"] <= snapshot["position"] < message["position"]
        assert ["set", "assignments", key] == message["changes"][0][:3]
        assert message["changes"][0][3]["title"] == "防汛一线"


async def test_who_may_watch(hub: str, staff: Staff) -> None:
    with pytest.raises(InvalidStatus) as nobody:
        async with connect(f"{hub}/ws/wall"):
            pass
    assert nobody.value.response.status_code == 401
    assert json.loads(nobody.value.response.body)["error"]["code"] == "unauthenticated"
    with pytest.raises(InvalidStatus) as wrong:
        async with connect(f"{hub}/ws/wall", additional_headers={"Authorization": "Bearer x"}):
            pass
    assert wrong.value.response.status_code == 401
    with pytest.raises(InvalidStatus) as bad_scope:
        async with connect(f"{hub}/ws/wall?scope=all", additional_headers=bearer(staff, "rui")):
            pass
    assert bad_scope.value.response.status_code == 400


async def test_a_reporter_sees_only_their_own(hub: str, app: Starlette, staff: Staff) -> None:
    newsroom = rt_of(app).newsroom
    async with connect(f"{hub}/ws/wall?scope=mine", additional_headers=bearer(staff, "rui")) as ws:
        snapshot = await next_of(ws, "snapshot")
        assert list(snapshot["wall"]["people"]) == ["rui"]
        other = await asyncio.to_thread(plan, newsroom, staff, "别人的")
        mine = await asyncio.to_thread(plan, newsroom, staff, "我的")

        def assign(key: str, reporter: str) -> None:
            newsroom.handle(staff.req("dana"), AssignReporter(id=UUID(key), reporter=reporter))

        await asyncio.to_thread(assign, other, "lin")
        await asyncio.to_thread(assign, mine, "rui")
        message = await until(ws, lambda m: any(c[1] == "assignments" for c in m["changes"]))
        keys = {c[2] for c in message["changes"] if c[1] == "assignments"}
        assert keys == {mine}


async def test_a_command_is_delivered_when_pushed(hub: str, app: Starlette, staff: Staff) -> None:
    newsroom = rt_of(app).newsroom
    async with connect(f"{hub}/ws/wall", additional_headers=bearer(staff, "wally")) as wall:
        await next_of(wall, "snapshot")
        async with connect(
            f"{hub}/ws/wall?scope=mine", additional_headers=bearer(staff, "lin")
        ) as phone:
            await next_of(phone, "snapshot")
            done = await asyncio.to_thread(
                newsroom.handle, staff.req("dana"), IssueCommand(to="lin", text="14:00 连线")
            )
            key = str(done.id)
            pushed = await until(phone, lambda m: m["changes"])
            assert pushed["changes"][0][3]["state"] == "issued"

            def delivered(m: dict[str, Any]) -> bool:
                return any(c[2] == key and c[3].get("state") == "delivered" for c in m["changes"])

            seen = await until(wall, delivered)
            assert seen["changes"][-1][3]["via"] == "wall feed"


def issue_many(newsroom: Newsroom, staff: Staff, count: int) -> None:
    """Issues many long commands in one transaction: a wall snapshot of a few megabytes."""
    commands = [
        DispatchCommand.issue(
            id=uuid4(),
            at=staff.clock.tick(1),
            actor=staff.actor("dana"),
            to="lin",
            assignment=None,
            text=f"{n:05} " + "补拍镜头" * 120,
        )
        for n in range(count)
    ]
    newsroom.save(*commands)


@pytest.fixture
def small_queues(
    settings: Settings, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, Starlette]]:
    """A hub whose wall clients may fall 8 messages behind."""
    monkeypatch.setenv("HUB_WALL_QUEUE", "8")
    app = create_app(settings)
    with serving(app) as base:
        yield base.replace("http://", "ws://"), app


async def test_a_slow_client_is_resynchronised_and_others_are_not_held_up(
    small_queues: tuple[str, Starlette], staff: Staff
) -> None:
    hub, app = small_queues
    rt = rt_of(app)
    feed = rt.wall_feed
    await asyncio.to_thread(issue_many, rt.newsroom, staff, 2500)
    head = rt.newsroom.store.max_notification_id()
    for _ in range(int(WAIT * 10)):  # let the fold catch up: the snapshots must be big
        if feed.fanout.position == head:
            break
        await asyncio.sleep(0.1)
    headers = bearer(staff, "wally")
    async with connect(f"{hub}/ws/wall", additional_headers=headers, max_size=None) as quick:
        await next_of(quick, "snapshot")
        # The slow one takes its first snapshot, then stops reading and asks for two more: they
        # fill the socket's buffers (uncompressed), so the hub's sends block and its queue fills.
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port_of(hub)))
        async with connect(
            f"{hub}/ws/wall", additional_headers=headers, max_size=None, sock=sock, compression=None
        ) as slow:
            await next_of(slow, "snapshot")
            slow.transport.pause_reading()
            for _ in range(2):
                await slow.send(json.dumps({"type": "resync"}))
            texts = []
            for n in range(feed.fanout.queue_size * 3):
                done = await asyncio.to_thread(
                    rt.newsroom.handle, staff.req("dana"), IssueCommand(to="rui", text=f"第{n}条")
                )
                texts.append(f"第{n}条")
                got = await until(quick, lambda m, key=str(done.id): changed(m, key))
                assert got["changes"][-1][3]["text"] == texts[-1]
                if feed.resyncs_total:
                    break
            assert feed.resyncs_total == 1
            # When it reads again it finds a fresh snapshot holding everything it missed.
            slow.transport.resume_reading()
            target = rt.models.position
            last: dict[str, Any] = {}
            while last.get("type") != "snapshot" or last["position"] < target:
                last = json.loads(await asyncio.wait_for(slow.recv(), WAIT))
            shown = {c["text"] for c in last["wall"]["commands"].values() if c["to"] == "rui"}
            assert shown == set(texts)
