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
from hub.delivery.outbox import Outbox
from hub.delivery.outbox import running as delivering
from hub.followup import FollowUp
from hub.loop_lag import LoopLag
from hub.media.ingest.http import routes_to
from hub.media.program.hls import hls_mount
from hub.newsroom import Newsroom
from hub.opinion.service import watching
from hub.readmodels import ReadModels
from hub.scheduler import Scheduler
from web import (
    api,
    api_reads,
    inbox,
    intake,
    open311,
    pages,
    security,
    site,
    tip_uploads,
    tips,
    uploads,
    wall_feed,
)
from web.demo import demo_running
from web.errors import EXCEPTION_HANDLERS
from web.live import endpoints_of, serving_live
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
        lag = rt.loop_lag = LoopLag()
        background = [
            asyncio.create_task(lag.run(), name="loop-lag"),
            asyncio.create_task(FollowUp(newsroom, models).run(), name="lead-follow-up"),
            asyncio.create_task(tip_uploads.sweeping(rt), name="tip-upload-sweep"),
        ]
        outbox = rt.outbox = Outbox(
            newsroom,
            node=settings.node,
            base_url=settings.public_url,
            centre=settings.centre_name,
            cap_sender=settings.cap_sender,
        )
        try:
            async with (
                wall_feed.running(rt),
                delivering(outbox),
                serving_live(rt, enabled=settings.media),
                demo_running(rt, enabled=demo, feeds_to=self_url),
                watching(newsroom) as watch,
                making_clips(newsroom, models, enabled=settings.media) as clips,
            ):
                rt.watch = watch
                rt.clips = clips
                models.follow()
                scheduler = rt.scheduler = Scheduler(newsroom, models)
                background.append(asyncio.create_task(scheduler.run(), name="scheduler"))
                if settle_heap:
                    heap.settle()
                    background.append(asyncio.create_task(heap.sweep(), name="heap-sweep"))
                with heap.watched() as pauses:
                    rt.gc_pauses = pauses
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
        *tip_uploads.routes,
        *tips.routes,
        *intake.routes,
        *open311.routes,
        *site.routes,
        *inbox.routes,
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
