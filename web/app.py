"""The Starlette application: everything is built in the lifespan and kept on `app.state`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from hub import heap
from hub.clips.worker import making_clips
from hub.config import Settings
from hub.loop_lag import LoopLag
from hub.media.ingest.http import routes_to
from hub.media.program.hls import hls_mount
from hub.newsroom import Newsroom
from hub.readmodels import ReadModels
from hub.scheduler import Scheduler
from web import api, api_reads, pages, security, uploads, wall_feed
from web.demo import demo_running
from web.errors import EXCEPTION_HANDLERS
from web.live import endpoints_of, live_media
from web.runtime import Runtime

STATIC = Path(__file__).parent / "static"


def create_app(
    settings: Settings,
    *,
    demo: bool = False,
    self_url: str | None = None,
    settle_heap: bool = False,
) -> Starlette:
    """Builds the hub's web application; `demo` seeds a newsroom and keeps it moving, and with
    `self_url` (where this hub answers) its synthetic cameras publish to it over WHIP. A process
    that runs only this application passes `settle_heap` (see hub/heap.py)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.is_sqlite:
            settings.ensure_data_dir()
        newsroom = await run_in_threadpool(Newsroom, settings)
        models = ReadModels(newsroom)
        await run_in_threadpool(models.start)
        rt = Runtime(settings, newsroom, models)
        app.state.runtime = rt
        lag = rt.extras["loop_lag"] = LoopLag()
        background = [asyncio.create_task(lag.run(), name="loop-lag")]
        try:
            async with (
                wall_feed.running(rt),
                live_media(rt, enabled=settings.media),
                demo_running(rt, enabled=demo, feeds_to=self_url),
                making_clips(newsroom, models, enabled=settings.media) as clips,
            ):
                rt.extras["clips"] = clips
                models.follow()
                scheduler = rt.extras["scheduler"] = Scheduler(newsroom, models)
                background.append(asyncio.create_task(scheduler.run(), name="scheduler"))
                if settle_heap:
                    heap.settle()
                    background.append(asyncio.create_task(heap.sweep(), name="heap-sweep"))
                with heap.watched() as pauses:
                    rt.extras["gc_pauses"] = pauses
                    try:
                        yield
                    finally:
                        await run_in_threadpool(models.stop)
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
        newsroom.close()

    routes = [
        *api_reads.routes,
        *api.routes,
        *uploads.routes,
        *security.routes,
        *wall_feed.routes,
        *pages.routes,
        *routes_to(endpoints_of),
        hls_mount(settings.data_dir / "hls"),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=security.middleware(settings),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
