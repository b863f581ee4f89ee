"""Facts leave the media path through a queue: the receiver (the application) hears them one at
a time, in order, from a task of its own, so a slow or failing receiver never holds up media."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

Fact = Callable[[], Awaitable[None]]  # a receiver's call, made when the fact's turn comes


class FactQueue:
    """Delivers facts in order once started; `failed` is called inside the `except` of a fact
    that raised (to log it loudly), and delivery goes on with the next."""

    def __init__(self, failed: Callable[[], None]) -> None:
        self._failed = failed
        self._queue: asyncio.Queue[Fact | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._deliver())

    def put(self, fact: Fact) -> None:
        self._queue.put_nowait(fact)

    async def close(self) -> None:
        """Delivers what is queued, then ends the task."""
        if self._task is not None:
            self._queue.put_nowait(None)
            await self._task

    async def _deliver(self) -> None:
        while (fact := await self._queue.get()) is not None:
            try:
                await fact()
            except Exception:
                self._failed()
