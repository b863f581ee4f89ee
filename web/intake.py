"""Leads from other systems over a signed webhook: POST /api/intake/{source}.

The hotline's system (or any other a centre connects) signs each delivery as Standard Webhooks
says (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` (within five minutes)
and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the source's
secret, made by `hub leads source NAME`). The body is JSON, `{"type": "lead.created", "data":
{...}}`, `data` holding the source's own `id` and the lead; the same id twice makes one lead
(answered 200 with `"duplicate": true`), whatever webhook-id the retry carries.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from events.messages import Message
from events.roles import Actor
from hub.commands.leads import CODE, ReceiveLead, Spot, lead_id_from
from hub.errors import AlreadyExists
from hub.intake import SOURCE_NAME, IntakeSources
from hub.newsroom import Request as Command
from web.bodies import invalid
from web.endpoints import execute
from web.errors import ApiError
from web.runtime import Runtime, runtime

MAX_BODY = 64 * 1024


class LeadData(BaseModel):
    """A lead as another system sends it."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
    kind: Literal["tip", "complaint", "question"] = "tip"
    text: str = Field(min_length=1, max_length=5000)
    contact: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class Delivery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str = Field(default="lead.created", max_length=100)
    data: LeadData


def sources_of(rt: Runtime) -> IntakeSources:
    if rt.intake_sources is None:
        rt.intake_sources = IntakeSources(rt.newsroom.store)
    return rt.intake_sources


def unsigned() -> ApiError:
    return ApiError(401, "bad_signature", "the webhook's signature does not verify")


async def receive(request: Request) -> Response:
    rt = runtime(request)
    source = str(request.path_params["source"])
    body = await request.body()
    if len(body) > MAX_BODY:
        raise ApiError(413, "too_large", Message("a delivery is at most {n} bytes", n=MAX_BODY))
    secret = (
        await run_in_threadpool(sources_of(rt).secret_of, source)
        if SOURCE_NAME.match(source)
        else None
    )
    if secret is None:
        raise unsigned()  # an unknown source is refused like a bad signature: nothing to learn
    headers = {k: v for k, v in request.headers.items() if k.startswith("webhook-")}
    try:
        Webhook(secret).verify(body, headers, json_parse=False)
    except (WebhookVerificationError, ValueError):
        raise unsigned() from None
    try:
        delivery = Delivery.model_validate(json.loads(body))
    except json.JSONDecodeError:
        raise ApiError(400, "bad_json", "the body is not JSON") from None
    except ValidationError as error:
        raise invalid(error) from None
    return await take(rt, source, delivery.data, channel="webhook")


async def take(
    rt: Runtime, source: str, data: LeadData, *, channel: Literal["webhook", "csv", "hotline"]
) -> Response:
    """Makes the lead, or says it exists already (by the source's own id)."""
    command = ReceiveLead(
        source=source,
        source_ref=data.id,
        kind=data.kind,
        text=data.text,
        contact=data.contact,
        location=Spot(name=data.place, lat=data.lat, lon=data.lon),
        channel=channel,
    )
    try:
        done = await execute(
            rt,
            Command(Actor(f"intake:{source}"), datetime.now(UTC)),
            lambda r: rt.newsroom.handle(r, command),
        )
    except AlreadyExists:
        existing: dict[str, Any] = {"id": str(lead_id_from(source, data.id)), "duplicate": True}
        return JSONResponse(existing, status_code=200)
    return JSONResponse({"id": str(done.id), CODE: done.extra[CODE]}, status_code=201)


routes: list[BaseRoute] = [Route("/api/intake/{source}", receive, methods=["POST"])]
