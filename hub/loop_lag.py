"""How late the event loop runs what is due: a wall client or a media relay waits that long.

A small task asks to wake every `interval` seconds and notes how much later than asked it woke;
/metrics shows the last lateness, the longest one and their sum with the count of wake-ups (so
that a scraper can tell the mean lateness between two scrapes). A blocking call in a coroutine,
a long garbage collection or a starved process all show up here.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

INTERVAL = 0.5


@dataclass
class LoopLag:
    """The lateness of the last wake-up, the longest and the sum of all, in seconds."""

    last: float = 0.0
    longest: float = 0.0
    total: float = 0.0
    wakeups: int = 0

    def woke(self, late: float) -> None:
        self.last = max(0.0, late)
        self.longest = max(self.longest, self.last)
        self.total += self.last
        self.wakeups += 1

    async def run(self, interval: float = INTERVAL) -> None:
        """Measures until cancelled."""
        while True:
            asked = time.monotonic()
            await asyncio.sleep(interval)
            self.woke(time.monotonic() - asked - interval)
