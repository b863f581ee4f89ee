"""Read endpoints: the wall (now or replayed) and the event log in pages.

The wall is read by the wall display and the roles that watch the live state (hub/readers.py:
LIVE); the event log holds everything anyone did, so it is for auditors (and admins) only.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from events.messages import N_, Message, from_json
from hub.errors import StoreUnavailable
from hub.eventlog import record
from hub.follower import health_of
from hub.readers import LIVE, LOG
from web.api_queries import MAX_POSITION
from web.auth import authenticate, require
from web.errors import ApiError
from web.i18n import reader_language, translate
from web.runtime import runtime

MAX_PAGE = 1000
# ASCII digits only: int() also reads '١٢', ' 12' and '1_2', and str.isdigit() passes '²',
# which int() then refuses.
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,30}")


def int_param(
    request: Request, name: str, default: int, *, low: int = 0, high: int = MAX_POSITION
) -> int:
    """A whole-number query parameter within [low, high] (positions are 64-bit in the stores)."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not WHOLE_NUMBER.fullmatch(raw):
        raise ApiError(
            400,
            "bad_parameter",
            Message("{name} must be a whole number, not '{raw}'", name=name, raw=raw[:40]),
        )
    value = int(raw)
    if not low <= value <= high:
        raise ApiError(
            400,
            "bad_parameter",
            Message("{name} must be between {low} and {high}", name=name, low=low, high=high),
        )
    return value


def parse_at(raw: str) -> int | datetime:
    """`at` is a position or an ISO 8601 time (UTC unless it says otherwise)."""
    if WHOLE_NUMBER.fullmatch(raw):
        position = int(raw)
        if not 0 <= position <= MAX_POSITION:
            raise ApiError(
                400,
                "bad_parameter",
                Message("at must be a position from 0 to {high}", high=MAX_POSITION),
            )
        return position
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise ApiError(
            400,
            "bad_parameter",
            Message("at must be a position or an ISO 8601 time, not '{raw}'", raw=raw[:40]),
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ApiError(
            400, "bad_parameter", "at must be a time within the years 1 to 9999 in UTC"
        ) from None
    return moment


async def get_wall(request: Request) -> JSONResponse:
    rt = runtime(request)
    require(authenticate(request, rt.models.directory), *LIVE, doing=N_("read the wall"))
    raw = request.query_params.get("at")
    lang = reader_language(request)
    if not raw:
        wall = await run_in_threadpool(rt.models.models.wall.snapshot)
        return JSONResponse({"replay": False, **with_alert_text(wall, lang)})
    at = parse_at(raw)

    def replay() -> dict[str, Any]:
        position = at if isinstance(at, int) else rt.models.position_at(at)
        wall = rt.models.replay(position).wall.state()
        moment = at.isoformat().replace("+00:00", "Z") if isinstance(at, datetime) else None
        return {"replay": True, "replay_at": moment, **with_alert_text(wall, lang)}

    return JSONResponse(await run_in_threadpool(replay))


def with_alert_text(wall: dict[str, Any], lang: str) -> dict[str, Any]:
    """The wall with each alert's `text` said in the reader's language (beside its message)."""
    alerts = [{**alert, "text": translate(lang, from_json(alert))} for alert in wall["alerts"]]
    return {**wall, "alerts": alerts}


async def get_events(request: Request) -> JSONResponse:
    rt = runtime(request)
    require(authenticate(request, rt.models.directory), *LOG, doing=N_("read the event log"))
    after = int_param(request, "after", 0)
    limit = int_param(request, "limit", 100, low=1, high=MAX_PAGE)
    store = rt.newsroom.store
    transcoder = rt.newsroom.mapper.transcoder

    def page() -> dict[str, Any]:
        items = [record(n, transcoder) for n in store.read_log(after=after, limit=limit)]
        last = items[-1]["position"] if items else after
        return {"events": items, "next_after": last, "head": store.chain_head().position}

    return JSONResponse(await run_in_threadpool(page))


async def get_health(request: Request) -> JSONResponse:
    """For load balancers and operators: is the store reachable, are the read models current?

    200 with status `ok`; otherwise 503 with status `store_unreachable`, `stalled` or `failed`,
    the reason and since when (see docs/operations.md, Health and metrics).
    """
    rt = runtime(request)
    models = rt.models
    try:
        head: int | None = await run_in_threadpool(rt.newsroom.store.max_notification_id) or 0
    except StoreUnavailable:
        head = None  # the store's status (below) says why
    judged = health_of(models)
    position = models.position
    body = {
        **judged.as_dict(),
        "log_position": head,
        "read_models_position": position,
        "lag": None if head is None else max(0, head - position),
        "failure": str(models.failure) if models.failure else None,
        "store": models.store.watch.status.as_dict(),
        "seconds_since_sync": round(time.monotonic() - models.synced_at, 3),
    }
    return JSONResponse(body, status_code=200 if judged.ok else 503)


routes = [
    Route("/api/health", get_health, methods=["GET"]),
    Route("/api/wall", get_wall, methods=["GET"]),
    Route("/api/events", get_events, methods=["GET"]),
]
