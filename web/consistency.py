"""Read-your-writes: a command answers only once this process's read models include its events.

The recorder calls its listeners in the writing thread right after the commit, so a thread-local
slot tells the command which log position it wrote; the command then waits (briefly, bounded) until
the read models have folded that position, and a list read right after the answer shows the change.
It does not wait for read models that cannot move: stopped on a failed fold, or while the store
cannot be used (the follower is then backing off; the write itself has succeeded).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from hub.readmodels import ReadModels
from hub.store.recorder import HubRecorder
from hub.store.status import StoreStatus

T = TypeVar("T")

WAIT_SECONDS = 2.0  # past this the answer goes out anyway: the write itself has succeeded


class WriteTracker:
    """Which log position the current thread's last commit reached."""

    def __init__(self, store: HubRecorder) -> None:
        self._local = threading.local()
        store.add_listener(self._committed)

    def _committed(self, position: int) -> None:
        self._local.position = position

    def run(self, work: Callable[[], T]) -> tuple[T, int | None]:
        """Runs `work` in this thread; answers its result and the position it wrote, if any."""
        self._local.position = None
        result = work()
        return result, self._local.position


class Freshness:
    """Lets a request wait until the read models reach a log position."""

    def __init__(self, models: ReadModels, loop: asyncio.AbstractEventLoop) -> None:
        self.models = models
        self.loop = loop
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        models.subscribe(self._folded)
        models.store.watch.subscribe(self._store_changed)

    def moving(self) -> bool:
        """Whether the read models can move at all (no failed fold, the store is usable)."""
        return self.models.failure is None and self.models.store.watch.reachable

    def _folded(self, position: int, _changes: Any) -> None:
        """Called by the follower thread after each batch."""
        self._call(self._wake, position)

    def _store_changed(self, status: StoreStatus) -> None:
        """Called by whichever thread noticed the store go or come back."""
        if not status.reachable:
            self._call(self._wake, self.models.position)

    def _call(self, callback: Callable[[int], None], position: int) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: the app is stopping
            self.loop.call_soon_threadsafe(callback, position)

    def _wake(self, position: int) -> None:
        waiting = []
        moving = self.moving()
        for target, future in self._waiters:
            if target <= position or not moving:
                if not future.done():
                    future.set_result(None)
            else:
                waiting.append((target, future))
        self._waiters = waiting

    async def reach(self, position: int, timeout: float = WAIT_SECONDS) -> bool:
        """True once the read models have folded `position`; False after `timeout` seconds, or
        at once when they cannot move."""
        if self.models.position >= position or not self.moving():
            return self.models.position >= position
        future: asyncio.Future[None] = self.loop.create_future()
        self._waiters.append((position, future))
        if self.models.position >= position:  # folded while we registered
            future.set_result(None)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return False
        finally:
            self._waiters = [(t, f) for t, f in self._waiters if f is not future]
        return self.models.position >= position
