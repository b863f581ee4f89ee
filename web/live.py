"""The live side as the web application serves it: the WHIP/WHEP routes' endpoints, the
credential a media request presents, and the media figures on /metrics.

A media request's credential is read as the API reads it (`web.auth.authorization`):
`token:<bearer>` whenever an Authorization header is present (an unusable one is refused, never
replaced by the cookie), else `session:<name>` for a valid signed session cookie (never from
anything the client wrote itself); hub/live/access.py decides what it may do.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.requests import Request

from hub.live.media import live_media
from hub.live.metrics import MediaCollector
from hub.media.ingest.http import MediaEndpoints
from web.auth import authorization, principal_from_session
from web.metrics import metrics_of
from web.runtime import Runtime, runtime


async def credentials(request: Request) -> str | None:
    """The credential a WHIP/WHEP request presents, for the media access check."""
    presented = authorization(request.headers)
    if presented is not None:
        return f"token:{presented.token or ''}"
    principal = principal_from_session(request, runtime(request).models.directory)
    return f"session:{principal.name}" if principal is not None else None


def endpoints_of(request: Request) -> MediaEndpoints | None:
    """The WHIP/WHEP endpoints of the application serving `request`, if media runs here."""
    live = runtime(request).live
    return live.endpoints if live is not None else None


@asynccontextmanager
async def serving_live(rt: Runtime, *, enabled: bool) -> AsyncIterator[None]:
    """Runs the media side for the lifespan of the application, when enabled."""
    async with live_media(rt, credentials, enabled=enabled) as live:
        if live is not None:
            rt.live = live
            metrics_of(rt).add(MediaCollector(live, asyncio.get_running_loop()))
        yield
