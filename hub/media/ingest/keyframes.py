"""One key-frame policy per source: every request for a key frame, whoever makes it, goes here.

A key frame is the largest thing a publisher sends. On a narrow uplink a request that arrives while
the last key frame is still on its way (or being dropped by the link) only makes the next one
larger and later, and a storm of them keeps the picture frozen. So every path that wants a key
frame (the relay after a gap, a new viewer, a recorder's fragment, aiortc's own receive path)
asks this one object, which

- coalesces: while a request waits to go, further requests join it;
- rate-limits: at most one picture loss indication per `min_interval` (2 per second);
- backs off: while the key frame asked for has not arrived, the wait before the next request
  doubles, up to `max_backoff`; a whole key frame arriving resets it.

`KeyframeSchedule` is the rule, with time passed in; `KeyframeRequester` runs it on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class KeyframeCounts:
    """What /metrics shows of one source's key frames."""

    wanted: int = 0  # requests made by any path, before coalescing
    requested: int = 0  # picture loss indications sent to the publisher
    received: int = 0  # whole key frames that arrived


class KeyframeSchedule:
    """Decides when a request for a key frame may go to the publisher (no clock, no I/O)."""

    def __init__(self, min_interval: float = 0.5, max_backoff: float = 4.0) -> None:
        self.min_interval = min_interval
        self.max_backoff = max_backoff
        self.counts = KeyframeCounts()
        self.pending = False
        self.outstanding = False  # a request went and its key frame has not arrived yet
        self._last_sent: float | None = None
        self._wait = min_interval

    def ask(self, now: float) -> float | None:
        """Takes a request; returns when to send it, or None when it joins one already waiting."""
        self.counts.wanted += 1
        if self.pending:
            return None
        self.pending = True
        if self._last_sent is None:
            return now
        wait = self._wait if self.outstanding else self.min_interval
        return max(now, self._last_sent + wait)

    def sent(self, now: float) -> None:
        """The waiting request went to the publisher at `now`."""
        if self.outstanding:
            self._wait = min(self._wait * 2, self.max_backoff)
        self.pending = False
        self.outstanding = True
        self._last_sent = now
        self.counts.requested += 1

    def dropped(self) -> None:
        """The waiting request could not go (no publisher): it is forgotten."""
        self.pending = False

    def arrived(self) -> None:
        """A whole key frame arrived, asked for or not: requests go at the usual pace again."""
        self.counts.received += 1
        self.outstanding = False
        self._wait = self.min_interval


class KeyframeRequester:
    """Runs a `KeyframeSchedule` on the event loop; `send` asks the publisher (a PLI)."""

    def __init__(
        self,
        send: Callable[[], bool],
        schedule: KeyframeSchedule | None = None,
    ) -> None:
        self._send = send  # returns False when there was nobody to ask
        self.schedule = schedule or KeyframeSchedule()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def counts(self) -> KeyframeCounts:
        return self.schedule.counts

    def request(self) -> None:
        """Asks for a key frame, within the bound."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        at = self.schedule.ask(now)
        if at is None:
            return
        if at <= now:
            self._fire()
        else:
            self._timer = loop.call_later(at - now, self._fire)

    def arrived(self) -> None:
        """A whole key frame arrived: it answers any request still waiting to go."""
        self.cancel()
        self.schedule.arrived()

    def cancel(self) -> None:
        """Forgets a waiting request (the publisher left)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.schedule.pending:
            self.schedule.dropped()

    def _fire(self) -> None:
        self._timer = None
        if self._send():
            self.schedule.sent(asyncio.get_running_loop().time())
        else:
            self.schedule.dropped()
