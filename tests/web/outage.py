"""A steady writer and a wall display, each in a thread of its own, for store-outage tests.

`WriteLoad` plans assignments through the HTTP API at a steady pace, each with a title and an
Idempotency-Key of its own, and records every answer. `WallWatcher` is a wall on WS /ws/wall: it
records when each assignment title first reached it and every store status it was told.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import connect

PLACE = {"name": "城关镇", "lat": 30.1, "lon": 114.2}


@dataclass
class Attempt:
    """One write and its answer."""

    title: str
    key: str
    sent: float  # time.monotonic()
    answered: float = 0.0
    status: int = 0  # 0: no HTTP answer at all
    retry_after: str | None = None
    body: dict[str, Any] = field(default_factory=dict)


class WriteLoad:
    """Plans an assignment every `interval` seconds until stopped."""

    def __init__(self, base: str, token: str, *, interval: float = 0.1, prefix: str = "w") -> None:
        self.client = httpx.Client(
            base_url=base, timeout=20, headers={"Authorization": f"Bearer {token}"}
        )
        self.interval = interval
        self.prefix = prefix
        self.attempts: list[Attempt] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="write-load", daemon=True)

    def __enter__(self) -> WriteLoad:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.ident is not None:  # started: sends more than one by one
            self._thread.join(timeout=30)
        self.client.close()

    def _run(self) -> None:
        n = 0
        while not self._stopping.is_set():
            n += 1
            attempt = Attempt(f"{self.prefix}-{n:04}", uuid.uuid4().hex, time.monotonic())
            self.send(attempt)
            self.attempts.append(attempt)
            self._stopping.wait(self.interval)

    def send(self, attempt: Attempt, client: httpx.Client | None = None) -> Attempt:
        body = {"title": attempt.title, "location": PLACE}
        try:
            response = (client or self.client).post(
                "/api/assignments", json=body, headers={"Idempotency-Key": attempt.key}
            )
        except httpx.HTTPError:
            attempt.answered = time.monotonic()
            return attempt
        attempt.answered = time.monotonic()
        attempt.status = response.status_code
        attempt.retry_after = response.headers.get("retry-after")
        with contextlib.suppress(ValueError):
            attempt.body = response.json()
        return attempt

    def answered(self, status: int) -> list[Attempt]:
        return [a for a in self.attempts if a.status == status]


class WallWatcher:
    """A wall display on WS /ws/wall: when each title arrived, and the store statuses it heard."""

    def __init__(self, base: str, token: str) -> None:
        self.url = base.replace("http://", "ws://") + "/ws/wall"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.titles: dict[str, float] = {}  # title -> when it first reached this wall
        self.ids: dict[str, set[str]] = {}  # title -> the assignment ids shown with it
        self.store: list[tuple[float, dict[str, Any]]] = []  # (when, status) as told
        self.error: BaseException | None = None
        self.snapshot = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, name="wall-watcher", daemon=True)

    def __enter__(self) -> WallWatcher:
        self._thread.start()
        assert self.snapshot.wait(20), f"the wall feed sent no snapshot ({self.error!r})"
        return self

    def __exit__(self, *_: object) -> None:
        if self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout=10)

    @property
    def reachable(self) -> bool:
        """The store's status as last told to this wall."""
        return bool(self.store[-1][1]["reachable"]) if self.store else True

    def _run(self) -> None:
        self._task = self._loop.create_task(self._watch())
        with contextlib.suppress(asyncio.CancelledError):
            self._loop.run_until_complete(self._task)
        self._loop.close()

    async def _watch(self) -> None:
        try:
            async with connect(self.url, additional_headers=self.headers, max_size=None) as ws:
                async for text in ws:
                    self._take(json.loads(text))
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the test asserts that the wall never lost its feed
            self.error = error

    def _take(self, message: dict[str, Any]) -> None:
        now = time.monotonic()
        kind = message["type"]
        if kind == "snapshot":
            if "store" in message:
                self.store.append((now, message["store"]))
            for key, item in message["wall"]["assignments"].items():
                self._seen(item["title"], key, now)
            self.snapshot.set()
        elif kind == "store":
            self.store.append((now, {k: message[k] for k in ("reachable", "since", "reason")}))
        elif kind == "changes":
            for change in message["changes"]:
                if change[0] == "set" and change[1] == "assignments":
                    self._seen(change[3]["title"], change[2], now)

    def _seen(self, title: str, key: str, now: float) -> None:
        self.titles.setdefault(title, now)
        self.ids.setdefault(title, set()).add(key)

    def told(self, reachable: bool, after: float = 0.0) -> float | None:
        """When this wall was first told the store is (un)reachable after `after`, if it was."""
        for when, status in self.store:
            if when >= after and status["reachable"] is reachable:
                return when
        return None


def wait_for(check: Any, timeout: float, every: float = 0.1) -> bool:
    """Polls `check()` until it is true or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return bool(check())
