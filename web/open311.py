"""The Open311 GeoReport v2 interface (http://wiki.open311.org/GeoReport_v2), in JSON.

What citizen-reporting apps (FixMyStreet and the like) speak: the service list, a new request,
and one request's status. A request's `service_request_id` is its tracking code, so reading its
status is as open as /tip/{code} and says as little: the status, the department and its answer,
never the contact. `api_key`, when sent, must be a source's key (`hub leads source NAME`);
without one a request counts against the sender's address like the tip form. Errors are the
standard's list of `{"code", "description"}` with the HTTP status. Only the .json format is
served.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from events.errors import DomainError
from events.lead import KIND_WORDS
from hub.commands.leads import CODE, SendTip, Spot
from hub.errors import HubError
from hub.newsroom import Request as Command
from hub.tracking import code_hash, normalized
from projections.leads import public_view
from web.endpoints import execute
from web.i18n import translate
from web.intake import sources_of
from web.runtime import runtime
from web.security import client_address
from web.tips import PUBLIC, limits_of, number

PREFIX = "/open311/v2"
CLOSED = ("answered", "duplicate")


def problem(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status)


async def services(request: Request) -> Response:
    return JSONResponse(
        [
            {
                "service_code": kind,
                "service_name": translate("zh", KIND_WORDS[kind]),
                "description": translate("zh", KIND_WORDS[kind]),
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": "线索",
            }
            for kind in KIND_WORDS
        ]
    )


async def post_request(request: Request) -> Response:
    rt = runtime(request)
    async with request.form(max_files=0, max_fields=30) as form:
        values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    source = "public"
    if values.get("api_key"):
        found = await run_in_threadpool(sources_of(rt).source_with_key, values["api_key"][:200])
        if found is None:
            return problem(403, "api_key is not known")
        source = found
    else:
        sends, _ = limits_of(rt)
        if sends.wait(client_address(request)):
            return problem(429, "too many requests from this address; try again later")
        sends.failed(client_address(request))
    if values.get("service_code") not in KIND_WORDS:
        return problem(404, "service_code is not one of tip, complaint, question")
    lat, lon = values.get("lat", ""), values.get("long", "")
    address = values.get("address_string", "")
    if not (lat and lon) and not address:
        return problem(400, "lat and long, or address_string, are required")
    name = " ".join(filter(None, (values.get("first_name"), values.get("last_name"))))
    contact = " ".join(filter(None, (name, values.get("phone"), values.get("email"))))
    try:
        command = SendTip(
            kind=values["service_code"],  # type: ignore[arg-type]
            text=values.get("description", ""),
            contact=contact[:200],
            location=Spot(name=address, lat=number(lat), lon=number(lon)),
            channel="open311",
            source=source,
        )
    except ValueError as error:  # pydantic's ValidationError is one
        if not isinstance(error, ValidationError):
            return problem(400, "lat and long are numbers")
        fields = ", ".join(str(p["loc"][0]) for p in error.errors() if p["loc"])
        return problem(400, f"invalid fields: {fields}")
    try:
        done = await execute(
            rt, Command(PUBLIC, datetime.now(UTC)), lambda r: rt.newsroom.handle(r, command)
        )
    except (DomainError, HubError) as refusal:
        return problem(400, refusal.message)
    return JSONResponse(
        [{"service_request_id": done.extra[CODE], "service_notice": "", "account_id": None}]
    )


async def get_request(request: Request) -> Response:
    rt = runtime(request)
    _, misses = limits_of(rt)
    address = client_address(request)
    if misses.wait(address):
        return problem(429, "too many unknown requests asked for; try again later")
    raw = str(request.path_params["code"])
    found = None
    if normalized(raw) is not None:
        with rt.models.reading() as models:
            lead = models.leads.by_code_hash(code_hash(raw))
            found = (lead, public_view(lead)) if lead is not None else None
    if found is None:
        misses.failed(address)
        return problem(404, "no such service request")
    lead, seen = found
    return JSONResponse([status_of(raw, lead, seen)])


def status_of(code: str, lead: dict[str, Any], seen: dict[str, Any]) -> dict[str, Any]:
    where = lead["location"] or {}
    return {
        "service_request_id": code,
        "status": "closed" if seen["state"] in CLOSED else "open",
        "status_notes": seen["answer"] or "",
        "service_name": translate("zh", KIND_WORDS[seen["kind"]]),
        "service_code": seen["kind"],
        "description": seen["text"],
        "agency_responsible": seen["department"] or "",
        "service_notice": "",
        "requested_datetime": seen["received_at"],
        "updated_datetime": lead["updated_at"],
        "expected_datetime": seen["due"],
        "address": where.get("name") or "",
        "address_id": "",
        "zipcode": "",
        "lat": where.get("lat"),
        "long": where.get("lon"),
        "media_url": "",
    }


routes: list[BaseRoute] = [
    Route(f"{PREFIX}/services.json", services, methods=["GET"]),
    Route(f"{PREFIX}/requests.json", post_request, methods=["POST"]),
    Route(f"{PREFIX}/requests/{{code}}.json", get_request, methods=["GET"]),
]
