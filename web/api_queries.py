"""The API's reads: assignments, the board, dispatch commands, stories, the publishing matrix,
figures, sources, outputs and the audit trail.

Who reads what is hub/readers.py: the whole newsroom's records for the roles whose work needs
them, their own for a reporter (assignments, stories, commands, sources, and the matrix of their
stories), the live state (sources, outputs, matrix) for the wall display too, and the audit trail
for auditors. Admins hold every role.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field
from starlette.responses import StreamingResponse

from events.messages import N_, Message, from_json
from events.roles import Role
from hub import queries
from hub.audit import export
from hub.principals import Principal
from hub.readers import CONTROL_ROOM, DESK, LIVE, LOG, NEWSROOM, OWN, PEOPLE
from web.answers import (
    AssignmentDetail,
    Assignments,
    Audit,
    Board,
    Commands,
    Matrix,
    NewsroomFigures,
    Outputs,
    Sources,
    Stories,
    StoryDetail,
)
from web.auth import not_permitted
from web.endpoints import Call, Endpoint
from web.errors import ApiError
from web.i18n import reader_language, translate
from web.schemas import line

NEWSROOM_WIDE = NEWSROOM  # whose callers read everyone's records (the capture library too)
MAX_POSITION = 2**63 - 1  # positions are 64-bit in both stores
AssignmentState = Literal[
    "planned", "assigned", "accepted", "declined", "on_scene", "filed", "closed", "cancelled"
]


def own_only(principal: Principal, everyone: tuple[Role, ...] = NEWSROOM_WIDE) -> str | None:
    """The reporter whose things alone the caller may see, or None for everyone's; a caller who
    is neither (a wall display) is refused."""
    if principal.has(*everyone):
        return None
    if principal.has(*OWN):
        return principal.name
    raise ApiError(
        403, "forbidden", not_permitted(principal.name, N_("read these records"), (*OWN, *everyone))
    )


class AssignmentQuery(BaseModel):
    state: AssignmentState | None = None
    reporter: str | None = line(40, default=None)


class StoryQuery(BaseModel):
    state: Literal["draft", "in_review", "returned", "approved"] | None = None
    review: Literal["first", "second", "final"] | None = Field(
        default=None, description="the queue of one review level"
    )
    assignment: UUID | None = None
    limit: int | None = Field(default=None, ge=1, le=100_000, description="the newest this many")


class AuditQuery(BaseModel):
    actor: str | None = line(64, default=None)
    subject: str | None = line(64, default=None, description="an id or a name")
    after: int = Field(default=0, ge=0, le=MAX_POSITION, description="position to continue after")
    upto: int | None = Field(default=None, ge=0, le=MAX_POSITION)
    limit: int = Field(default=200, ge=1, le=1000)


class ExportQuery(BaseModel):
    format: Literal["jsonl", "csv"] = "jsonl"


# -- handlers ------------------------------------------------------------------------------------


async def list_assignments(call: Call) -> dict[str, Any]:
    q: AssignmentQuery = call.query
    reporter = own_only(call.principal) or q.reporter
    items = await call.read_models(
        lambda m: queries.assignment_list(m, reporter=reporter, state=q.state)
    )
    return {"assignments": items}


async def get_assignment(call: Call) -> dict[str, Any]:
    aid = call.uuid("assignment")
    detail = await call.read(lambda: queries.assignment_detail(call.newsroom, aid))
    reporter = own_only(call.principal)
    if reporter and detail["reporter"] != reporter:
        raise ApiError(
            403,
            "forbidden",
            Message("assignment {id} is not {person}'s", id=aid, person=reporter),
        )
    call.etag = detail["version"]
    return detail


async def get_board(call: Call) -> dict[str, Any]:
    reporter = own_only(call.principal)
    return await call.read_models(lambda m: queries.board(m, reporter=reporter))


async def list_commands(call: Call) -> dict[str, Any]:
    person = None if call.principal.has(*CONTROL_ROOM) else call.principal.name
    return {"commands": await call.read_models(lambda m: queries.command_list(m, person=person))}


async def list_stories(call: Call) -> dict[str, Any]:
    q: StoryQuery = call.query
    reporter = own_only(call.principal, DESK)
    assignment = str(q.assignment) if q.assignment else None
    stories = await call.read_models(
        lambda m: queries.story_list(
            m,
            reporter=reporter,
            state=q.state,
            review=q.review,
            assignment=assignment,
            limit=q.limit,
        )
    )
    return {"stories": stories}


async def get_story(call: Call) -> dict[str, Any]:
    sid = call.uuid("story")
    reporter = own_only(call.principal, DESK)

    def read() -> dict[str, Any]:
        detail = queries.story_detail(call.newsroom, sid)
        if reporter and not queries.story_visible_to(call.newsroom, sid, reporter):
            raise ApiError(
                403, "forbidden", Message("story {id} is not {person}'s", id=sid, person=reporter)
            )
        return detail

    detail = await call.read(read)
    call.etag = detail["version"]
    return detail


async def get_matrix(call: Call) -> dict[str, Any]:
    reporter = own_only(call.principal, LIVE)

    def read(models: Any) -> dict[str, Any]:
        matrix = queries.matrix(models)
        if reporter:
            matrix["stories"] = queries.story_list(models, reporter=reporter)
        return matrix

    return await call.read_models(read)


async def get_figures(call: Call) -> dict[str, Any]:
    return await call.read_models(queries.figures)


async def list_sources(call: Call) -> dict[str, Any]:
    viewers = viewer_counts(call)
    owner = own_only(call.principal, LIVE)
    sources = await call.read_models(lambda m: queries.source_list(m, viewers))
    return {"sources": [s for s in sources if owner in (None, s.get("owner"))]}


def viewer_counts(call: Call) -> dict[str, int]:
    """Viewers per source, from the media engine when it runs in this process."""
    live = call.rt.live
    if live is None:
        return {}
    return {s.source: s.viewers for s in live.engine.stats().sources}


async def list_outputs(call: Call) -> dict[str, Any]:
    return {"outputs": await call.read_models(queries.output_list)}


async def read_audit(call: Call) -> dict[str, Any]:
    q: AuditQuery = call.query
    entries = await call.read(
        lambda: call.rt.models.audit_entries(
            actor=q.actor, subject=q.subject, after=q.after, upto=q.upto, limit=q.limit
        )
    )
    lang = reader_language(call.request)
    for entry in entries:
        entry["summary_message"] = entry["summary"]
        entry["summary"] = translate(lang, from_json(entry["summary"]))
    return {"entries": entries, "next_after": entries[-1]["position"] if entries else q.after}


async def export_audit(call: Call) -> StreamingResponse:
    q: ExportQuery = call.query
    store, transcoder = call.newsroom.store, call.newsroom.mapper.transcoder
    media = "text/csv; charset=utf-8" if q.format == "csv" else "application/x-ndjson"
    filename = f"hub-audit.{q.format}"
    return StreamingResponse(
        export(store, transcoder, q.format),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/api/assignments",
        list_assignments,
        "List assignments",
        "assignments",
        Assignments,
        query=AssignmentQuery,
        roles=(*NEWSROOM, *OWN),
        description="Open ones, then recently finished; a reporter gets their own only.",
    ),
    Endpoint(
        "GET",
        "/api/assignments/{id}",
        get_assignment,
        "Read an assignment",
        "assignments",
        AssignmentDetail,
        roles=(*NEWSROOM, *OWN),
    ),
    Endpoint(
        "GET",
        "/api/board",
        get_board,
        "Read the assignment board",
        "assignments",
        Board,
        roles=(*NEWSROOM, *OWN),
    ),
    Endpoint(
        "GET",
        "/api/commands",
        list_commands,
        "List unacknowledged dispatch commands",
        "dispatch",
        Commands,
        roles=PEOPLE,
        description="All of them for the control room and auditors; one's own (to or from) "
        "otherwise.",
    ),
    Endpoint(
        "GET",
        "/api/stories",
        list_stories,
        "List stories",
        "stories",
        Stories,
        query=StoryQuery,
        roles=(*DESK, *OWN),
    ),
    Endpoint(
        "GET",
        "/api/stories/{id}",
        get_story,
        "Read a story with its history",
        "stories",
        StoryDetail,
        roles=(*DESK, *OWN),
    ),
    Endpoint(
        "GET",
        "/api/matrix",
        get_matrix,
        "Read the publishing matrix",
        "stories",
        Matrix,
        roles=(*LIVE, *OWN),
    ),
    Endpoint(
        "GET",
        "/api/metrics",
        get_figures,
        "Read the newsroom's figures",
        "stories",
        NewsroomFigures,
        roles=DESK,
    ),
    Endpoint(
        "GET",
        "/api/sources",
        list_sources,
        "List live sources",
        "live",
        Sources,
        roles=(*LIVE, *OWN),
        description="Every source; a reporter gets their own only.",
    ),
    Endpoint("GET", "/api/outputs", list_outputs, "List outputs", "live", Outputs, roles=LIVE),
    Endpoint(
        "GET",
        "/api/audit",
        read_audit,
        "Read the audit trail",
        "audit",
        Audit,
        query=AuditQuery,
        roles=LOG,
    ),
    Endpoint(
        "GET",
        "/api/audit/export",
        export_audit,
        "Export the whole log",
        "audit",
        query=ExportQuery,
        roles=LOG,
        streams=("application/x-ndjson", "text/csv"),
        description="Every event, then the chain head (for `hub audit verify`).",
    ),
]
