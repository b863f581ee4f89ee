"""The event loop's lag: how much later than asked the hub's timers run."""

from __future__ import annotations

import asyncio
import contextlib
import time

from hub.loop_lag import LoopLag


def test_each_wake_up_adds_its_lateness() -> None:
    lag = LoopLag()
    for late in (0.002, 0.3, -0.001, 0.01):  # a clock step can make a wake-up look early
        lag.woke(late)
    assert (lag.last, lag.longest, lag.wakeups) == (0.01, 0.3, 4)
    assert abs(lag.total - 0.312) < 1e-9


async def test_a_blocked_loop_shows_as_lag() -> None:
    lag = LoopLag()
    measuring = asyncio.create_task(lag.run(interval=0.01))
    await asyncio.sleep(0.05)
    woken = lag.wakeups
    time.sleep(0.2)  # a blocking call on the event loop
    while lag.wakeups <= woken:
        await asyncio.sleep(0.01)
    measuring.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await measuring
    assert lag.longest >= 0.15
