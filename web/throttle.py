"""Slows down password guessing: a sliding window of failed sign-ins per name and per address."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

MAX_KEYS = 50_000  # beyond this many tracked keys, the stalest are forgotten first


class LoginThrottle:
    """Refuses a key once it has failed `attempts` times within the last `window` seconds."""

    def __init__(
        self,
        *,
        attempts: int = 5,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def wait(self, *keys: str) -> int:
        """Seconds until every key may try again (0: it may try now)."""
        now = self.clock()
        longest = 0.0
        for key in keys:
            failures = self._recent(key, now)
            if len(failures) >= self.attempts:
                longest = max(longest, failures[-self.attempts] + self.window - now)
        return math.ceil(longest) if longest > 0 else 0

    def failed(self, *keys: str) -> None:
        now = self.clock()
        for key in keys:
            failures = self._recent(key, now)
            failures.append(now)
            self._failures[key] = failures
        if len(self._failures) > MAX_KEYS:
            self._forget_stalest()

    def forget(self, key: str) -> None:
        """A successful sign-in clears its name (never its address)."""
        self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures

    def _forget_stalest(self) -> None:
        by_age = sorted(self._failures, key=lambda k: self._failures[k][-1])
        for key in by_age[: len(by_age) - MAX_KEYS // 2]:
            del self._failures[key]
