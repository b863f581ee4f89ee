"""`hub demo`: seed the newsroom once, then keep it moving while the hub runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool

from hub.demo import Director, seed
from web.demo_media import DemoFeeds, demo_tokens
from web.runtime import Runtime

log = logging.getLogger(__name__)


@asynccontextmanager
async def demo_running(
    rt: Runtime, *, enabled: bool, every: float = 4.0, feeds_to: str | None = None
) -> AsyncIterator[None]:
    """Seeds on first start and runs the director every few seconds, when enabled; with
    `feeds_to` (the hub's own URL) and live media on, synthetic cameras publish to it."""
    if not enabled:
        yield
        return
    seeded = await run_in_threadpool(seed, rt.newsroom)
    director = Director(rt.newsroom)
    feeds = None
    if feeds_to is not None and rt.settings.media:
        await run_in_threadpool(rt.models.catch_up)  # the directory knows the new sources
        tokens = await run_in_threadpool(demo_tokens, rt, seeded.tokens if seeded else {})
        feeds = DemoFeeds(feeds_to, tokens, rt.settings.data_dir / "recordings")
        feeds.start()

    async def direct() -> None:
        while True:
            await asyncio.sleep(every)
            done = await run_in_threadpool(director.step, datetime.now(UTC))
            if done:
                log.info("demo: %s", done)

    task = asyncio.create_task(direct(), name="demo-director")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if feeds is not None:
            await feeds.stop()
