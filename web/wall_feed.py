"""The live wall feed: WS /ws/wall sends a snapshot, then every change.

`running(rt)` builds the feed for the application's lifetime: a `WallFanout` owner task fed by the
read models' listener, a heartbeat task (so that clients can tell a dead connection, and whether
the projection keeps up with the log), and the delivery of dispatch commands: when a command is
pushed to a connection of the person it is for, the hub records it as delivered.

Whether this process can use its store is carried on the feed too (in the snapshot, and as a
`store` message when it changes): the store going away cannot be an event on the wall, since
nothing can be written, so the wall shows this process's own view of it until the store is back.

`/ws/wall?scope=mine` sends only what concerns the signed-in person (the reporter's phone).
Callers are authenticated like the API (session cookie or bearer token); the whole wall is for the
roles that read it (hub/readers.py), `mine` for any person; a cookie-authenticated connection must
come from the hub's own origin, since browsers send cookies cross-site.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from events.errors import DomainError
from events.messages import N_, Message
from events.roles import SYSTEM_ACTOR
from hub.commands.dispatch import DeliverCommand
from hub.errors import HubError, StoreUnavailable
from hub.newsroom import Request
from hub.principals import Principal
from hub.readers import LIVE
from hub.store.status import StoreStatus
from web.auth import authenticate, require
from web.errors import ApiError, refusal_response
from web.runtime import Runtime, runtime
from web.wall_fanout import Client, Heartbeat, Join, Leave, Resync, StoreChanged, WallFanout

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
SCOPES = ("wall", "mine")


@dataclass
class WallFeed:
    """What the feed keeps on the Runtime (`rt.wall_feed`), read by /metrics too."""

    fanout: WallFanout
    rt: Runtime
    heartbeat: float = HEARTBEAT_SECONDS
    delivering: set[str] = field(default_factory=set)
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    @property
    def clients_connected(self) -> int:
        return len(self.fanout.clients)

    @property
    def resyncs_total(self) -> int:
        return self.fanout.resyncs

    @property
    def messages_total(self) -> int:
        return self.fanout.messages

    def deliver(self, name: str, commands: Iterable[str]) -> None:
        """Records, once each, that these commands reached a device of their recipient."""
        for command in commands:
            if command in self.delivering:
                continue
            self.delivering.add(command)
            task = asyncio.create_task(self._deliver(name, command))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _deliver(self, name: str, command: str) -> None:
        def record() -> None:
            at = datetime.now(UTC)
            request = Request(SYSTEM_ACTOR, at, key=f"deliver:{command}")
            self.rt.newsroom.handle(request, DeliverCommand(id=UUID(command), via="wall feed"))

        try:
            await run_in_threadpool(record)
        except (DomainError, HubError) as error:
            log.warning("command %s to %s not recorded as delivered: %s", command, name, error)
        finally:
            self.delivering.discard(command)


def feed_of(rt: Runtime) -> WallFeed:
    assert rt.wall_feed is not None, "the wall feed runs for the application's lifespan"
    return rt.wall_feed


def env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None


@asynccontextmanager
async def running(rt: Runtime) -> AsyncIterator[None]:
    """Runs the feed's fan-out for as long as the application runs.

    Tuning (environment): HUB_WALL_QUEUE (messages a client may fall behind before it is sent a
    fresh snapshot), HUB_WALL_FLUSH_MS and HUB_WALL_FLUSH_PER_CLIENT_US (least time between two
    messages to a client, and what each connected client adds to it), HUB_WALL_HEARTBEAT_S.
    """
    loop = asyncio.get_running_loop()
    models = rt.models
    watch = models.store.watch
    fanout = WallFanout(
        models.models.wall.snapshot(),
        queue_size=int(env_number("HUB_WALL_QUEUE", 128)),
        flush_interval=env_number("HUB_WALL_FLUSH_MS", 50) / 1000,
        per_client=env_number("HUB_WALL_FLUSH_PER_CLIENT_US", 100) / 1e6,
        store=watch.status.as_dict(),
    )
    feed = WallFeed(fanout, rt, heartbeat=env_number("HUB_WALL_HEARTBEAT_S", HEARTBEAT_SECONDS))
    listener = fanout.listener(loop, models.models.wall.state)
    models.subscribe(listener)

    def store_changed(status: StoreStatus) -> None:
        """Called by whichever thread noticed; the owner task takes it from here."""
        with contextlib.suppress(RuntimeError):  # the loop has closed: the app is stopping
            loop.call_soon_threadsafe(fanout.send, StoreChanged(status.as_dict()))

    watch.subscribe(store_changed)
    rt.wall_feed = feed
    owner = asyncio.create_task(fanout.run(), name="wall-feed")
    beats = asyncio.create_task(beat(feed), name="wall-heartbeat")
    try:
        yield
    finally:
        models.unsubscribe(listener)
        watch.unsubscribe(store_changed)
        for task in (owner, beats, *feed.tasks):
            task.cancel()
        for task in (owner, beats, *feed.tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def beat(feed: WallFeed) -> None:
    """Tells every client, every few seconds, where the wall is and where the log's head is."""
    store = feed.rt.newsroom.store
    while True:
        await asyncio.sleep(feed.heartbeat)
        try:
            head = await run_in_threadpool(store.max_notification_id) or 0
        except StoreUnavailable:  # the feed carries the store's status: the beat says we live
            head = feed.fanout.position
        except Exception:
            log.warning("could not read the log's head for the wall heartbeat", exc_info=True)
            head = feed.fanout.position
        feed.fanout.send(Heartbeat(head))


# -- the WebSocket endpoint ------------------------------------------------------------------------


def same_origin(ws: WebSocket) -> bool:
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser: no ambient cookies to abuse
    return urlsplit(origin).netloc == ws.headers.get("host", "")


def admit(ws: WebSocket, rt: Runtime, scope: str) -> Principal:
    """The caller, or an ApiError saying why not: the whole wall is for those who read it
    (hub/readers.py: LIVE); any person may follow what concerns them (`mine`)."""
    principal = authenticate(ws, rt.models.directory)
    if principal.kind != "user":
        raise ApiError(403, "forbidden", "live sources do not watch the wall")
    if scope == "wall":
        require(principal, *LIVE, doing=N_("watch the whole wall (scope=mine shows one's own)"))
    if principal.via == "session" and not same_origin(ws):
        raise ApiError(403, "forbidden", "the wall feed only serves pages of this hub")
    return principal


async def wall_socket(ws: WebSocket) -> None:
    rt = runtime(ws)
    scope = ws.query_params.get("scope", "wall")
    try:
        if scope not in SCOPES:
            raise ApiError(
                400,
                "bad_parameter",
                Message("scope must be wall or mine, not '{scope}'", scope=scope),
            )
        principal = admit(ws, rt, scope)
    except ApiError as refusal:
        await refuse(ws, refusal)
        return
    await ws.accept()
    feed = feed_of(rt)
    client = feed.fanout.new_client(principal.name, scope)
    feed.fanout.send(Join(client))
    sender = asyncio.create_task(send_loop(ws, client, feed))
    try:
        await receive_loop(ws, client, feed)
    finally:
        feed.fanout.send(Leave(client))
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender


async def refuse(ws: WebSocket, refusal: ApiError) -> None:
    """Answers the handshake with the API's error shape (or a bare 1008 close if unsupported)."""
    try:
        await ws.send_denial_response(refusal_response(ws, refusal))
    except RuntimeError:
        await ws.close(code=1008, reason=refusal.message[:120])


async def send_loop(ws: WebSocket, client: Client, feed: WallFeed) -> None:
    while True:
        out = await client.queue.get()
        await ws.send_text(out.text)
        if out.commands:
            feed.deliver(client.name, out.commands)


async def receive_loop(ws: WebSocket, client: Client, feed: WallFeed) -> None:
    """Reads until the client goes; a client that lost track asks for `{"type": "resync"}`."""
    while True:
        try:
            text = await ws.receive_text()
        except (WebSocketDisconnect, RuntimeError, KeyError):
            return
        try:
            message = json.loads(text)
        except ValueError:
            continue
        if isinstance(message, dict) and message.get("type") == "resync":
            feed.fanout.send(Resync(client))


routes: list[BaseRoute] = [WebSocketRoute("/ws/wall", wall_socket)]
