"""Emergency alerts over HTTP: the desk's reads (/api/alerts) and the public CAP feed (/cap/).

The feed and the CAP documents are public, as alerts are: no sign-in, only approved alerts, and
a draft or a rejected alert is 404 there. The body of a CAP document is XML built by ElementTree,
so no text of an alert can become markup.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from events.messages import Message
from hub.emergency.cap import CAP_TYPE, atom_feed, cap_document
from hub.readers import DESK, LIVE
from projections.alerts import on_air
from web.endpoints import Call, Endpoint, freshness
from web.errors import ApiError
from web.runtime import Runtime, runtime
from web.schemas import Answer

READERS = tuple(dict.fromkeys((*DESK, *LIVE)))


class AlertItem(Answer):
    id: str
    msg_type: str
    references: list[str]
    category: str
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str
    description: str
    instruction: str
    area: str
    effective: str
    expires: str
    drafted_at: str
    author: str
    draft_reason: str
    state: str
    approver: str | None
    approved_at: str | None
    decision_reason: str | None
    superseded_by: str | None
    aired_on: list[str]
    spoken: bool | None = Field(description="read aloud (false: the tone only); null: not aired")
    font: bool | None = Field(description="its card set in a CJK font; null: not aired")
    on_air: bool


class Alerts(Answer):
    alerts: list[AlertItem]


def _listed(state: dict[str, Any]) -> list[dict[str, Any]]:
    live = {a["id"] for a in on_air(state, datetime.now(UTC))}
    alerts = [{**a, "on_air": a["id"] in live} for a in state["alerts"].values()]
    return sorted(alerts, key=lambda a: a["drafted_at"], reverse=True)


async def list_alerts(call: Call) -> dict[str, Any]:
    return {"alerts": await call.read_models(lambda m: _listed(m.alerts.snapshot()))}


async def _caught_up(rt: Runtime) -> None:
    """Waits (a little) for the read models to reach the log's end: an id not in them yet may
    have been written a moment ago, by this process or another."""
    head = await run_in_threadpool(rt.newsroom.store.max_notification_id)
    await freshness(rt).reach(head or 0)


async def get_alert(call: Call) -> dict[str, Any]:
    wanted = str(call.uuid("alert"))
    for attempt in range(2):
        for alert in await call.read_models(lambda m: _listed(m.alerts.snapshot())):
            if alert["id"] == wanted:
                return alert
        if attempt == 0:
            await _caught_up(call.rt)
    raise ApiError(404, "not_found", Message("no {kind} '{id}'", kind=Message("alert"), id=wanted))


async def cap_feed(request: Request) -> Response:
    rt = runtime(request)
    with rt.models.reading() as models:
        state = models.alerts.snapshot()
    base = str(request.base_url).rstrip("/")
    body = atom_feed(state["alerts"], base_url=base, name=rt.settings.centre_name)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


async def cap_file(request: Request) -> Response:
    rt = runtime(request)
    raw = request.path_params["id"]
    try:
        key = str(UUID(raw))
    except ValueError:
        return Response("no such alert\n", status_code=404, media_type="text/plain")
    with rt.models.reading() as models:
        alerts = models.alerts.snapshot()["alerts"]
    if alerts.get(key, {}).get("state") != "approved":
        # Approved a moment ago, perhaps by another process: the read models may not know yet.
        await _caught_up(rt)
        with rt.models.reading() as models:
            alerts = models.alerts.snapshot()["alerts"]
    alert = alerts.get(key)
    if alert is None or alert["state"] != "approved":
        return Response("no such alert\n", status_code=404, media_type="text/plain")
    body = cap_document(alert, alerts, sender=rt.settings.cap_sender, name=rt.settings.centre_name)
    return Response(body, media_type=f"{CAP_TYPE}; charset=utf-8")


ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/alerts",
        list_alerts,
        "List emergency alerts",
        "emergency",
        Alerts,
        roles=READERS,
        description="Every alert, newest first, with whether it is on air now.",
    ),
    Endpoint(
        "GET",
        "/api/alerts/{id}",
        get_alert,
        "Read an emergency alert",
        "emergency",
        AlertItem,
        roles=READERS,
    ),
]

routes: list[BaseRoute] = [
    Route("/cap/feed.atom", cap_feed, methods=["GET"]),
    Route("/cap/{id}.xml", cap_file, methods=["GET"]),
]
