"""The API's reads of leads: the list and one lead for the desk, the reply and on-time rates,
the departments, and a tip's photos and videos (served inert: see web/tip_uploads.py).

Leads hold citizens' contacts, so only those who triage them (the duty editor, the desk) and
auditors read them; the rates are the desk's and auditors' figures.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response

from events.lead import TRIAGE
from events.messages import Message
from events.roles import Role
from projections.leads import open_and_overdue, rates
from web.endpoints import Call, Endpoint
from web.errors import ApiError
from web.file_types import Served
from web.schemas import Answer, line
from web.tip_uploads import tip_uploads_of

READERS = (*TRIAGE, Role.AUDITOR)
LeadState = Literal["received", "routed", "answered", "duplicate", "assignment", "topic"]


class LeadQuery(BaseModel):
    state: LeadState | None = None
    department: str | None = line(100, default=None)
    overdue: bool = Field(default=False, description="only routed leads past their due date")


class RatesQuery(BaseModel):
    month: str | None = Field(default=None, pattern=r"^[0-9]{4}-[0-9]{2}$")


class Leads(Answer):
    leads: list[dict[str, Any]]
    open: int
    overdue: int


class Lead(Answer):
    id: str
    kind: str
    text: str
    state: str
    version: int


class Rates(Answer):
    rates: list[dict[str, Any]] = Field(
        description="per department and month: routed, answered, on_time, late, reply_rate, "
        "on_time_rate"
    )


class Departments(Answer):
    departments: list[dict[str, Any]]


async def list_leads(call: Call) -> dict[str, Any]:
    q: LeadQuery = call.query
    now = datetime.now(UTC)

    def read(models: Any) -> dict[str, Any]:
        book = models.leads
        items = book.overdue(now) if q.overdue else book.leads()
        if q.state:
            items = [lead for lead in items if lead["state"] == q.state]
        if q.department:
            items = [lead for lead in items if lead["department_name"] == q.department]
        items = sorted(items, key=lambda lead: lead["received_at"], reverse=True)[:500]
        return {"leads": items, **open_and_overdue(book)}

    return await call.read_models(read)


async def get_lead(call: Call) -> dict[str, Any]:
    lid = call.uuid("lead")
    found = await call.read_models(lambda m: m.leads.lead(str(lid)))
    if found is None:
        raise ApiError(404, "not_found", Message("no {kind} '{id}'", kind=Message("lead"), id=lid))
    call.etag = found["version"]
    return dict(found)


async def get_rates(call: Call) -> dict[str, Any]:
    q: RatesQuery = call.query
    found = await call.read_models(lambda m: rates(m.leads, datetime.now(UTC)))
    return {"rates": [row for row in found if q.month in (None, row["month"])]}


async def list_departments(call: Call) -> dict[str, Any]:
    return {"departments": await call.read_models(lambda m: m.leads.departments())}


async def get_file(call: Call) -> Response:
    lid = call.uuid("lead")
    name = call.param("file")
    found = await call.read_models(lambda m: m.leads.lead(str(lid)))
    attached = [a for a in (found or {}).get("attachments", []) if a["id"] == name]
    if not attached:
        raise ApiError(404, "not_found", Message("no file '{id}'", id=name))
    files = tip_uploads_of(call.rt).files
    path = files.data_path(name)
    head = await run_in_threadpool(files.head, name)
    served = Served.of(head)
    return FileResponse(path, media_type=served.media_type, headers=served.headers("tip"))


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/api/leads/rates",
        get_rates,
        "Read the reply and on-time rates",
        "leads",
        Rates,
        query=RatesQuery,
        roles=READERS,
        description="Per department and month of routing (county time).",
    ),
    Endpoint(
        "GET",
        "/api/leads",
        list_leads,
        "List leads",
        "leads",
        Leads,
        query=LeadQuery,
        roles=READERS,
        description="Newest first (at most 500), with the counts of open and overdue leads.",
    ),
    Endpoint("GET", "/api/leads/{id}", get_lead, "Read a lead", "leads", Lead, roles=READERS),
    Endpoint(
        "GET",
        "/api/leads/{id}/files/{file}",
        get_file,
        "Read a photo or video sent with a lead",
        "leads",
        roles=READERS,
        streams=("application/octet-stream",),
    ),
    Endpoint(
        "GET",
        "/api/departments",
        list_departments,
        "List departments",
        "leads",
        Departments,
        roles=(*READERS, Role.ADMIN),
    ),
]
