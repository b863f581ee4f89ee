"""舆情 reads, the webhook monitoring services push items to, and its signing secret.

The webhook follows Standard Webhooks (standardwebhooks.com): the sender signs
`webhook-id.webhook-timestamp.body` with the feed's secret (HMAC-SHA256) and sends the id, the
time and `v1,<signature>` in the `webhook-id`, `webhook-timestamp` and `webhook-signature`
headers; a signature that does not verify, or a timestamp more than five minutes off, is 401.
A feed's secret is derived from the hub's secret key and the feed's name, so none is stored;
desk heads and the chief editor read it at `GET /api/opinion/feeds/{name}/secret`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from events.messages import Message
from events.opinion import WATCH_ROLES
from hub.commands.fields import LINE, LINES
from hub.opinion.intake import Entry
from hub.readers import LIVE
from projections.opinion import warnings
from web.bodies import invalid
from web.endpoints import Call, Endpoint
from web.errors import ApiError
from web.runtime import runtime
from web.schemas import Answer
from web.security import secret_key

MAX_WEBHOOK_BYTES = 1_000_000
RECENT_ITEMS = 100


class OpinionDesk(Answer):
    feeds: list[dict[str, Any]] = Field(description="each feed with its health in this process")
    rules: list[dict[str, Any]]
    warnings: list[dict[str, Any]] = Field(description="unacknowledged first, then by level")
    items: list[dict[str, Any]] = Field(description="the latest items, graded or not")


class FeedSecret(Answer):
    feed: str
    secret: str = Field(description="whsec_…: the Standard Webhooks signing secret")


class PushedItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    url: str = Field(min_length=1, max_length=2000, pattern=LINE)
    title: str = Field(default="", max_length=500, pattern=LINE)
    text: str = Field(default="", max_length=20_000, pattern=LINES)
    published: AwareDatetime | None = None


class Pushed(BaseModel):
    """What a monitoring service sends: `{"items": [{"url", "title", "text", "published"}]}`."""

    model_config = ConfigDict(extra="ignore")

    items: list[PushedItem] = Field(min_length=1, max_length=100)


def feed_secret(key: str, feed: str) -> str:
    """The feed's signing secret: an HMAC of its name under the hub's secret key."""
    raw = hmac.new(key.encode(), f"opinion-feed:{feed}".encode(), hashlib.sha256).digest()
    return "whsec_" + base64.b64encode(raw).decode()


def desk(models: Any, health: dict[str, Any]) -> dict[str, Any]:
    state = models.opinion.snapshot()
    feeds = [
        {**f, "health": health[f["name"]].as_dict() if f["name"] in health else None}
        for f in state["feeds"].values()
    ]
    items = list(state["items"].values())[-RECENT_ITEMS:][::-1]
    return {
        "feeds": feeds,
        "rules": [r for r in state["rules"].values() if not r["retired"]],
        "warnings": [w for w in warnings(state) if w["assignment"] is None],
        "items": items,
    }


async def get_opinion(call: Call) -> dict[str, Any]:
    watch = call.rt.watch
    health = dict(watch.poller.health) if watch is not None else {}
    return await call.read_models(lambda m: desk(m, health))


def _webhook_feed(rt: Any, name: str) -> dict[str, Any]:
    with rt.models.reading() as models:
        feed = models.opinion.state()["feeds"].get(name)
    if feed is None or feed["kind"] != "webhook":
        raise ApiError(404, "not_found", Message("no webhook feed '{name}'", name=name))
    return dict(feed)


async def get_feed_secret(call: Call) -> dict[str, Any]:
    name = call.param("name")
    await call.read(lambda: _webhook_feed(call.rt, name))
    return {"feed": name, "secret": feed_secret(secret_key(call.rt.settings), name)}


async def opinion_webhook(request: Request) -> JSONResponse:
    """Takes items a monitoring service pushes, signed as Standard Webhooks says."""
    rt = runtime(request)
    name = request.path_params["name"]
    await run_in_threadpool(_webhook_feed, rt, name)
    body = await _limited_body(request)
    secret = feed_secret(secret_key(rt.settings), name)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError as error:
        raise ApiError(
            401,
            "bad_signature",
            Message("the webhook signature does not verify: {why}", why=str(error)),
        ) from None
    try:
        pushed = Pushed.model_validate_json(body)
    except ValidationError as error:
        refusal = invalid(error)
        raise ApiError(422, "invalid_body", refusal.words, **refusal.extra) from None
    watch = rt.watch
    if watch is None:
        raise ApiError(503, "not_watching", "the opinion desk is not running on this node")
    entries = [Entry(i.url, i.title, i.text, i.published) for i in pushed.items]
    outcomes = await asyncio.to_thread(watch.intake.take, name, entries, datetime.now(UTC))
    return JSONResponse(
        {
            "items": [
                {"url": o.url, "result": o.result, "item": o.item, "level": o.level}
                for o in outcomes
            ]
        }
    )


async def _limited_body(request: Request) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_WEBHOOK_BYTES:
            raise ApiError(413, "too_large", "a webhook body is at most 1 MB")
    return bytes(body)


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/api/opinion",
        get_opinion,
        "Read the opinion desk",
        "opinion",
        OpinionDesk,
        roles=LIVE,
        description="Feeds with their health, rules, warnings and the latest items.",
    ),
    Endpoint(
        "GET",
        "/api/opinion/feeds/{name}/secret",
        get_feed_secret,
        "Read a webhook feed's signing secret",
        "opinion",
        FeedSecret,
        roles=WATCH_ROLES,
    ),
]

routes = [Route("/api/opinion/webhook/{name}", opinion_webhook, methods=["POST"])]
