"""The 舆情 desk's live side in one place: intake, the feed poller and the escalator, started
with the hub and stopped with it."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from hub.newsroom import Newsroom
from hub.opinion import text
from hub.opinion.escalation import Escalator
from hub.opinion.intake import Intake
from hub.opinion.polling import Poller


@dataclass(frozen=True)
class WatchSettings:
    """HUB_OPINION_ESCALATE_AFTER (seconds an orange or red warning may wait unacknowledged
    before it goes to the duty leader, 600), HUB_FEED_TIMEOUT (seconds, 10) and HUB_FEED_RETRY
    (seconds before the first retry of a broken feed, doubling up to its interval, 5)."""

    escalate_after: float = 600.0
    feed_timeout: float = 10.0
    feed_retry: float = 5.0
    tick: float = 1.0

    @classmethod
    def from_env(cls) -> WatchSettings:
        env = os.environ.get
        return cls(
            escalate_after=float(env("HUB_OPINION_ESCALATE_AFTER", "600")),
            feed_timeout=float(env("HUB_FEED_TIMEOUT", "10")),
            feed_retry=float(env("HUB_FEED_RETRY", "5")),
        )


@dataclass
class Watch:
    """What runs: the intake (the webhook uses it too), the poller and the escalator."""

    intake: Intake
    poller: Poller
    escalator: Escalator


@asynccontextmanager
async def watching(
    newsroom: Newsroom, settings: WatchSettings | None = None
) -> AsyncIterator[Watch]:
    """Runs the poller and the escalator until the block ends."""
    settings = settings or WatchSettings.from_env()
    intake = Intake(newsroom)
    poller = Poller(
        newsroom,
        intake,
        timeout=settings.feed_timeout,
        retry_first=settings.feed_retry,
        tick=settings.tick,
    )
    escalator = Escalator(newsroom, after=settings.escalate_after, tick=settings.tick)
    # A thread of its own, not the loop's executor: a hub stopped while the models still load
    # must not wait for them (asyncio.run joins its executor's threads on the way out).
    threading.Thread(target=text.warm, name="opinion-warm", daemon=True).start()
    tasks = [
        asyncio.create_task(poller.run(), name="opinion-poller"),
        asyncio.create_task(escalator.run(), name="opinion-escalator"),
    ]
    try:
        yield Watch(intake, poller, escalator)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
