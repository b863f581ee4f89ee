"""The wall feed's owner: one task keeps a mirror of the wall and fans changes out to clients.

The read models call back from their follower thread; `WallFanout.listener` turns each batch
into JSON there (while the fold lock is held, so nothing moves under it) and hands it to the event
loop with `call_soon_threadsafe`. From then on only the owner task touches the mirror and the
client registry. Batches that arrive close together are sent as one message (at most one message
per client every `flush_interval`, plus `per_client` for every connected client), so a busy
newsroom costs a message per client per tick, not one per event, and a crowded hall gets fewer,
fuller messages instead of a hub that falls behind. Every client has a bounded queue: when it is
full the client is dropped to a fresh snapshot, counted, and nobody else waits.

Messages (JSON text frames):
    {"type": "snapshot", "position", "as_at", "now", "wall": {...}, "failure": str | null,
     "store": {"reachable", "since", "reason"}}
    {"type": "changes", "from", "position", "as_at", "changes": [[op, section, ...], ...]}
    {"type": "heartbeat", "position", "head", "now"}
    {"type": "failure", "position", "error"}
    {"type": "store", "reachable", "since", "reason"}   (the store went away or came back)
A client is in step when each `changes.from` is at most its position; otherwise it asks for a
`{"type": "resync"}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from projections.base import Change
from projections.wall import KEEP_ALERTS, KEEP_PUBLICATIONS

log = logging.getLogger(__name__)

KEEP = {"alerts": KEEP_ALERTS, "publications": KEEP_PUBLICATIONS}
PRIVATE_SECTIONS = ("titles",)  # the fold's own lookup table: never shown, never sent
MINE_SECTIONS = {"assignments": "reporter", "finished": "reporter", "commands": "to"}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def apply_change(wall: dict[str, Any], change: Change) -> None:
    """Applies one change to a wall state, as the browser's wall does."""
    op, section = change[0], change[1]
    if op == "set":
        wall[section][change[2]] = change[3]
    elif op == "del":
        wall[section].pop(change[2], None)
    elif op == "push":
        items = wall[section]
        items.append(change[2])
        del items[: -KEEP.get(section, 50)]


def public_wall(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k not in PRIVATE_SECTIONS}


def mine(wall: dict[str, Any], name: str) -> dict[str, Any]:
    """The part of the wall that concerns one person (the reporter's phone)."""
    out = {k: v for k, v in wall.items() if not isinstance(v, dict | list)}
    for section, owner in MINE_SECTIONS.items():
        out[section] = {k: v for k, v in wall[section].items() if v.get(owner) == name}
    out["people"] = {k: v for k, v in wall["people"].items() if k == name}
    out["sources"] = {k: v for k, v in wall["sources"].items() if v.get("owner") == name}
    return out


def concerns(change: Change, name: str) -> bool:
    op, section = change[0], change[1]
    if op == "del":
        return section in MINE_SECTIONS  # a key the client does not hold deletes nothing
    if op != "set":
        return False
    if section in MINE_SECTIONS:
        return bool(change[3].get(MINE_SECTIONS[section]) == name)
    if section == "people":
        return bool(change[2] == name)
    return section == "sources" and bool(change[3].get("owner") == name)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message for one client, and the commands to that client's person it carries."""

    text: str
    commands: tuple[str, ...] = ()


@dataclass(eq=False)
class Client:
    """One WebSocket connection: who it is, what it watches, and its bounded queue."""

    name: str
    scope: str  # "wall": everything; "mine": what concerns `name`
    queue: asyncio.Queue[Outgoing]
    resyncs: int = 0
    position: int = 0  # the last position this client was brought to


@dataclass(frozen=True, slots=True)
class Batch:
    position: int
    as_at: str | None
    text: str  # the changes as JSON array items, without the brackets
    changes: list[Change]


@dataclass(frozen=True, slots=True)
class ClientRequest:
    """A request about one client; its class says which."""

    client: Client


class Join(ClientRequest):
    """The client connected: it gets a snapshot, then the changes."""

    __slots__ = ()


class Leave(ClientRequest):
    """The client went away."""

    __slots__ = ()


class Resync(ClientRequest):
    """The client lost its step and asks for a fresh snapshot."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """Time to tell every client where the wall is and where the log's head (`head`) is."""

    head: int


@dataclass(frozen=True, slots=True)
class Failure:
    """The read models stopped at `position` on an event they could not apply."""

    position: int
    error: str


@dataclass(frozen=True, slots=True)
class StoreChanged:
    """This process can use its store again, or no longer (hub/store/status.py, as a dict)."""

    status: dict[str, Any]


Request = Batch | Join | Leave | Resync | Heartbeat | Failure | StoreChanged
Listener = Callable[[int, dict[str, list[Change]]], None]


@dataclass
class Pending:
    batches: list[Batch] = field(default_factory=list)
    flush_at: float = 0.0


class WallFanout:
    """The owner of the wall mirror and the client registry; everything else sends it requests."""

    def __init__(
        self,
        wall: dict[str, Any],
        *,
        queue_size: int = 128,
        flush_interval: float = 0.05,
        per_client: float = 0.0001,
        store: dict[str, Any] | None = None,
    ) -> None:
        self.mirror = public_wall(wall)
        self.store = store or {"reachable": True, "since": None, "reason": None}
        self.position = int(wall.get("position") or 0)
        self.sent_position = self.position
        self.queue_size = queue_size
        self.flush_interval = flush_interval
        self.per_client = per_client
        self.failure: str | None = None
        self.inbox: asyncio.Queue[Request] = asyncio.Queue()
        self.clients: set[Client] = set()
        self.resyncs = 0  # clients dropped to a fresh snapshot because they fell behind
        self.messages = 0  # messages queued for clients
        self._pending = Pending()
        self._last_flush = 0.0
        self._snapshot_cache: tuple[int, str] | None = None

    # -- requests from connections (event loop) and the follower thread -------------------------

    def new_client(self, name: str, scope: str) -> Client:
        return Client(name, scope, asyncio.Queue(maxsize=self.queue_size))

    def send(self, request: Request) -> None:
        self.inbox.put_nowait(request)

    def listener(
        self, loop: asyncio.AbstractEventLoop, wall_state: Callable[[], dict[str, Any]]
    ) -> Listener:
        """A ReadModels listener (called on the follower thread) posting into this owner."""

        def on_batch(position: int, changes: dict[str, list[Change]]) -> None:
            if "failure" in changes:
                request: Request = Failure(position, str(changes["failure"][0][3]))
            else:
                wall = changes.get("wall") or []
                text = dumps(wall)
                as_at = wall_state().get("as_at")
                request = Batch(position, as_at, text[1:-1], json.loads(text))
            # A closed loop means the application is stopping: nobody is left to tell.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self.send, request)

        return on_batch

    # -- the owner task ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Serves requests until cancelled."""
        while True:
            timeout = None
            if self._pending.batches:
                timeout = max(0.0, self._pending.flush_at - time.monotonic())
            try:
                request = await asyncio.wait_for(self.inbox.get(), timeout)
            except TimeoutError:
                self.flush()
                continue
            self.serve(request)
            while not self.inbox.empty():  # take what is already here before sending
                self.serve(self.inbox.get_nowait())
            if self._pending.batches and time.monotonic() >= self._pending.flush_at:
                self.flush()

    def serve(self, request: Request) -> None:
        """One request; a bug in one is logged loudly and must not silence the wall for all."""
        try:
            self.handle(request)
        except Exception:
            log.exception("the wall feed could not serve %s", type(request).__name__)

    def handle(self, request: Request) -> None:
        """Serves one request (the owner task calls this; tests drive it directly)."""
        match request:
            case Batch():
                self._take(request)
            case Join(client):
                self.flush()  # the snapshot must not also contain what is still to be sent
                self.clients.add(client)
                self._put(client, self._snapshot_for(client))
            case Leave(client):
                self.clients.discard(client)
            case Resync(client):
                self.flush()
                self._resync(client, counted=False)
            case Heartbeat(head):
                self.flush()
                beat = {"type": "heartbeat", "position": self.position, "now": now_iso()}
                self._fan(Outgoing(dumps({**beat, "head": head})), drop=False)
            case Failure(position, error):
                self.flush()
                self.failure = error
                message = {"type": "failure", "position": position, "error": error}
                self._fan(Outgoing(dumps(message)), drop=True)
            case StoreChanged(status):
                self.flush()
                self.store = status
                self._snapshot_cache = None
                self._fan(Outgoing(dumps({"type": "store", **status})), drop=True)

    def _take(self, batch: Batch) -> None:
        if batch.position <= self.position:
            return  # already in the mirror (the snapshot was taken after it)
        for change in batch.changes:
            apply_change(self.mirror, change)
        self.position = batch.position
        self.mirror["position"] = batch.position
        self.mirror["as_at"] = batch.as_at
        if batch.changes:
            if not self._pending.batches:
                spacing = self.flush_interval + self.per_client * len(self.clients)
                self._pending.flush_at = max(time.monotonic(), self._last_flush + spacing)
            self._pending.batches.append(batch)

    def flush(self) -> None:
        """Sends what is pending as one message per client."""
        batches, self._pending.batches = self._pending.batches, []
        if not batches:
            return
        self._last_flush = time.monotonic()
        head = {"type": "changes", "from": self.sent_position, "position": self.position}
        head["as_at"] = self.mirror["as_at"]
        self.sent_position = self.position
        items = ",".join(b.text for b in batches)
        text = dumps(head)[:-1] + ',"changes":[' + items + "]}"
        changes = [c for b in batches for c in b.changes]
        issued = issued_commands(changes)
        for client in list(self.clients):
            if client.scope == "mine":
                # Changes that do not concern this person are not sent, so its chain starts
                # where this client was last brought to.
                own = [c for c in changes if concerns(c, client.name)]
                if not own:
                    continue
                mine_head = {**head, "from": client.position}
                out = Outgoing(dumps({**mine_head, "changes": own}), issued.get(client.name, ()))
            else:
                out = Outgoing(text, issued.get(client.name, ()))
            if self._put(client, out):
                client.position = self.position
            else:
                self._resync(client, counted=True)

    def _fan(self, out: Outgoing, *, drop: bool) -> None:
        for client in list(self.clients):
            if not self._put(client, out) and drop:
                self._resync(client, counted=True)

    def _put(self, client: Client, out: Outgoing) -> bool:
        try:
            client.queue.put_nowait(out)
        except asyncio.QueueFull:
            return False
        self.messages += 1
        return True

    def _resync(self, client: Client, *, counted: bool) -> None:
        """Drops what the client has not taken yet and queues a fresh snapshot instead."""
        while not client.queue.empty():
            client.queue.get_nowait()
        if counted:
            client.resyncs += 1
            self.resyncs += 1
            log.info("wall client %s fell behind; sent a fresh snapshot", client.name)
        self._put(client, self._snapshot_for(client))

    def _snapshot_for(self, client: Client) -> Outgoing:
        client.position = self.position
        issued = tuple(
            key
            for key, c in self.mirror["commands"].items()
            if c.get("to") == client.name and c.get("state") == "issued"
        )
        if client.scope == "mine":
            return Outgoing(self._snapshot_text(mine(self.mirror, client.name)), issued)
        cached = self._snapshot_cache
        if cached is None or cached[0] != self.position:
            cached = (self.position, self._snapshot_text(self.mirror))
            self._snapshot_cache = cached
        return Outgoing(cached[1], issued)

    def _snapshot_text(self, wall: dict[str, Any]) -> str:
        # `now` lets a display whose clock is off compute ages from the hub's clock; a cached
        # snapshot keeps its first `now`, and heartbeats correct it within seconds.
        message = {
            "type": "snapshot",
            "position": self.position,
            "as_at": self.mirror.get("as_at"),
            "now": now_iso(),
            "failure": self.failure,
            "store": self.store,
            "wall": wall,
        }
        return dumps(message)


def issued_commands(changes: list[Change]) -> dict[str, tuple[str, ...]]:
    """Commands newly issued in these changes, by the person they are for."""
    found: dict[str, list[str]] = {}
    for change in changes:
        if change[0] == "set" and change[1] == "commands" and change[3].get("state") == "issued":
            found.setdefault(change[3]["to"], []).append(change[2])
    return {name: tuple(ids) for name, ids in found.items()}
