"""The garbage collector of a hub process, settled once start-up is done.

CPython's full collection walks every object the collector tracks, and the event loop (every wall
client, every media relay) waits while it does. A hub holds many of them for its whole life: the
modules, the read models, the media stack; and every WebSocket connection adds about 160 (its
ASGI coroutines, middleware closures, queues). With 1,000 wall clients a full collection took
150-200 ms on a 2-core machine, and one in every seven seconds landed on the wall's messages.
So, once started:

- what start-up built is frozen (`gc.freeze`): it lives as long as the process, and later
  collections skip it;
- young collections wait for 50,000 new objects instead of 700, so the short-lived objects of a
  fan-out (a message, its futures and handles for every client) are gone before the collector
  looks, and far fewer of them are promoted to be walked again by the next full collection;
- and since, so spaced, the collector itself would start a full collection only after some ten
  million new objects (hours of a live hub), `sweep()` runs one every two minutes. What ends
  inside a reference cycle waits for a full collection, and an ended media session is one:
  aiortc's peer connection with its transports, codec contexts, their threads and buffers. Left
  to the collector, `hub demo` under a hall's load kept every ended session: 600 MB and 120
  threads more an hour (docs/soak.md).

Only a process that owns its interpreter does this (`hub serve`, `hub demo`); tests that build
many applications in one process leave the collector as it is. Such a process also asks glibc's
malloc for two arenas at most (`limit_arenas`), before it starts any thread, and gives the free
pages of its heaps back to the system after each sweep (`trim`).
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

YOUNG = 50_000  # new objects between two young collections (CPython's default: 700)
MIDDLE = 20  # young collections between two of the middle generation (default: 10)
OLD = 10  # middle collections before a full one is considered (default: 10)
SWEEP_EVERY = 120.0  # seconds between two full collections of a settled process
ARENAS = 2  # glibc malloc's arenas (its default: eight per core)
M_ARENA_MAX = -8  # mallopt's parameter for it, from glibc's malloc.h


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Lets glibc's malloc keep at most `arenas` heaps; True when it agreed (glibc only).

    Every new thread gets a heap of its own until there are eight per core, and a heap gives
    memory back to the system only from its top. With codec, decoder and worker threads coming
    and going, the free memory kept in those heaps grew with every media session (docs/soak.md).
    An operator's MALLOC_ARENA_MAX is left as it is.
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, arenas))


def settle() -> None:
    """Collects what start-up left behind, freezes the rest, and spaces young collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, MIDDLE, OLD)
    log.info("heap settled: %d objects frozen after start-up", gc.get_freeze_count())


async def sweep(every: float | None = None) -> None:
    """Every `every` seconds (SWEEP_EVERY) until cancelled: a full collection, then `trim()`."""
    while True:
        await asyncio.sleep(SWEEP_EVERY if every is None else every)
        gc.collect()
        trim()


def trim() -> bool:
    """Gives the whole free pages inside glibc's heaps back to the system; True if it did.

    A heap shrinks by itself only from its top. A media session frees buffers of every size
    (frames, codec contexts, packets) between others still in use, and those holes stayed in
    the process: 60 MB after five minutes of `hub demo`, 90 MB after fifteen (docs/soak.md).
    """
    try:
        malloc_trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return False
    return bool(malloc_trim(0))


@dataclass
class Pauses:
    """How often, and how long, the collector has stopped this process, by generation.

    A `gc.callbacks` entry while `watched()` holds it; /metrics shows the figures, so that a
    stall on the wall can be told apart from a collection.
    """

    collections: list[int] = field(default_factory=lambda: [0, 0, 0])
    seconds: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    longest: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    _started: float = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = time.perf_counter() - self._started
        generation = min(2, info["generation"])
        self.collections[generation] += 1
        self.seconds[generation] += took
        self.longest[generation] = max(self.longest[generation], took)


@contextmanager
def watched() -> Iterator[Pauses]:
    """Records the collector's pauses for as long as the block runs."""
    pauses = Pauses()
    gc.callbacks.append(pauses)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(pauses)
