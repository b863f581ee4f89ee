"""What one hub process runs, built in the Starlette lifespan and reached through `app.state`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection

from hub.runtime import HubRuntime

if TYPE_CHECKING:
    from itsdangerous import URLSafeTimedSerializer
    from starlette.templating import Jinja2Templates

    from hub.clips.worker import ClipMaker
    from hub.delivery.outbox import Outbox
    from hub.heap import Pauses
    from hub.intake import IntakeSources
    from hub.live.media import LiveMedia
    from hub.loop_lag import LoopLag
    from hub.opinion.service import Watch
    from hub.scheduler import Scheduler
    from web.consistency import Freshness, WriteTracker
    from web.metrics import HubMetrics
    from web.throttle import LoginThrottle
    from web.tip_uploads import TipUploads
    from web.uploads import Uploads
    from web.wall_feed import WallFeed


@dataclass
class Runtime(HubRuntime):
    """The application, its read models, and what the web application keeps beside them: the
    media side, the clip maker and the wall feed once started, and what is made on first use."""

    live: LiveMedia | None = None
    clips: ClipMaker | None = None
    wall_feed: WallFeed | None = None
    loop_lag: LoopLag | None = None
    gc_pauses: Pauses | None = None
    metrics: HubMetrics | None = None
    templates: Jinja2Templates | None = None
    uploads: Uploads | None = None
    login_throttle: LoginThrottle | None = None
    dummy_password_hash: str | None = None
    write_tracker: WriteTracker | None = None
    freshness: Freshness | None = None
    openapi: dict[str, Any] | None = None
    outbox: Outbox | None = None
    watch: Watch | None = None
    scheduler: Scheduler | None = None
    intake_sources: IntakeSources | None = None
    tip_limits: tuple[LoginThrottle, LoginThrottle] | None = None
    tip_signer: URLSafeTimedSerializer | None = None
    tip_uploads: TipUploads | None = None


def runtime(conn: HTTPConnection) -> Runtime:
    rt: Runtime = conn.app.state.runtime
    return rt
