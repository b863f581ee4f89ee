"""The API's commands (DESIGN §4): assignments, dispatch commands, stories, sources and outputs.

Each answers `{"id", "version"}` (201 for creations, with `Location`), the version also as ETag.
`Idempotency-Key` makes a retry return the first answer; `If-Match` names the version the caller
saw (412 if it moved on). The routes of the reads, the user admin and /metrics are gathered here
too, since the application mounts this module's `routes`.
"""

from __future__ import annotations

from datetime import UTC

from starlette.routing import BaseRoute

from events.base import Location
from events.roles import Role
from hub.newsroom import Done
from web import api_captures, api_people, api_queries, metrics, openapi
from web.endpoints import Call, Endpoint, write_endpoint
from web.schemas import (
    AssignReporter,
    CheckIn,
    ConfigureOutput,
    DraftStory,
    IssueCommand,
    PlanAssignment,
    Publish,
    RegisterSource,
    Retract,
    Review,
    SetBackup,
    StopOutput,
    StoryText,
    Switch,
    WithReason,
    WithToken,
)

WRITERS = (Role.REPORTER, Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)
REVIEWERS = (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)
CONTROL_ROOM = (Role.DISPATCHER, Role.TECHNICIAN)

# -- assignments ---------------------------------------------------------------------------------


async def plan_assignment(call: Call) -> Done:
    b: PlanAssignment = call.body
    place = Location(b.location.name, b.location.lat, b.location.lon)
    return await call.command(
        lambda r: call.newsroom.plan_assignment(
            r,
            title=b.title,
            brief=b.brief,
            location=place,
            priority=b.priority,
            due=b.due.astimezone(UTC) if b.due else None,
            channels=list(b.channels),
        )
    )


async def assign_reporter(call: Call) -> Done:
    b: AssignReporter = call.body
    aid = call.uuid("assignment")
    return await call.command(lambda r: call.newsroom.assign_reporter(r, aid, reporter=b.reporter))


async def accept_assignment(call: Call) -> Done:
    aid = call.uuid("assignment")
    return await call.command(lambda r: call.newsroom.accept_assignment(r, aid))


async def decline_assignment(call: Call) -> Done:
    b: WithReason = call.body
    aid = call.uuid("assignment")
    return await call.command(lambda r: call.newsroom.decline_assignment(r, aid, reason=b.reason))


async def check_in(call: Call) -> Done:
    b: CheckIn = call.body
    aid = call.uuid("assignment")
    return await call.command(lambda r: call.newsroom.check_in(r, aid, lat=b.lat, lon=b.lon))


async def file_assignment(call: Call) -> Done:
    aid = call.uuid("assignment")
    return await call.command(lambda r: call.newsroom.file_assignment(r, aid))


async def close_assignment(call: Call) -> Done:
    aid = call.uuid("assignment")
    return await call.command(lambda r: call.newsroom.close_assignment(r, aid))


async def cancel_assignment(call: Call) -> Done:
    b: WithReason = call.body
    aid = call.uuid("assignment")
    return await call.command(lambda r: call.newsroom.cancel_assignment(r, aid, reason=b.reason))


# -- dispatch commands ---------------------------------------------------------------------------


async def issue_command(call: Call) -> Done:
    b: IssueCommand = call.body
    return await call.command(
        lambda r: call.newsroom.issue_command(r, to=b.to, text=b.text, assignment=b.assignment)
    )


async def acknowledge_command(call: Call) -> Done:
    cid = call.uuid("command")
    return await call.command(lambda r: call.newsroom.acknowledge_command(r, cid))


# -- stories -------------------------------------------------------------------------------------


async def draft_story(call: Call) -> Done:
    b: DraftStory = call.body
    return await call.command(
        lambda r: call.newsroom.draft_story(
            r, assignment=b.assignment, title=b.title, body=b.body, captures=list(b.captures)
        )
    )


async def revise_story(call: Call) -> Done:
    b: StoryText = call.body
    sid = call.uuid("story")
    return await call.command(
        lambda r: call.newsroom.revise_story(
            r, sid, title=b.title, body=b.body, captures=list(b.captures)
        )
    )


async def submit_story(call: Call) -> Done:
    sid = call.uuid("story")
    return await call.command(lambda r: call.newsroom.submit_story(r, sid))


async def review_story(call: Call) -> Done:
    b: Review = call.body
    sid = call.uuid("story")
    return await call.command(
        lambda r: call.newsroom.review_story(r, sid, decision=b.decision, reason=b.reason)
    )


async def publish_story(call: Call) -> Done:
    b: Publish = call.body
    sid = call.uuid("story")
    return await call.command(
        lambda r: call.newsroom.publish_story(r, sid, channels=list(b.channels))
    )


async def retract_story(call: Call) -> Done:
    b: Retract = call.body
    sid = call.uuid("story")
    return await call.command(
        lambda r: call.newsroom.retract_story(r, sid, reason=b.reason, channel=b.channel)
    )


# -- live sources and outputs --------------------------------------------------------------------


async def register_source(call: Call) -> Done:
    b: RegisterSource = call.body
    return await call.command(
        lambda r: call.newsroom.register_source(r, name=b.name, kind=b.kind, owner=b.owner)
    )


async def configure_output(call: Call) -> Done:
    b: ConfigureOutput = call.body
    return await call.command(
        lambda r: call.newsroom.configure_output(
            r,
            name=b.name,
            source=b.source,
            backup=b.backup,
            slate_text=b.slate_text,
            rtmp_url=b.rtmp_url,
        )
    )


async def start_output(call: Call) -> Done:
    name = call.param("id")
    return await call.command(lambda r: call.newsroom.start_output(r, name))


async def stop_output(call: Call) -> Done:
    b: StopOutput = call.body
    name = call.param("id")
    reason = b.reason or f"stopped by {call.principal.name}"
    return await call.command(lambda r: call.newsroom.stop_output(r, name, reason=reason))


async def set_output_backup(call: Call) -> Done:
    b: SetBackup = call.body
    name = call.param("id")
    return await call.command(lambda r: call.newsroom.set_output_backup(r, name, backup=b.backup))


async def switch_output(call: Call) -> Done:
    b: Switch = call.body
    name = call.param("id")
    return await call.command(
        lambda r: call.newsroom.switch_output(r, name, source=b.source, reason=b.reason)
    )


A = "/api/assignments/{id}"
S = "/api/stories/{id}"
O = "/api/outputs/{id}"  # noqa: E741

ENDPOINTS: list[Endpoint] = [
    write_endpoint(
        "/api/assignments",
        plan_assignment,
        "Plan an assignment",
        "assignments",
        PlanAssignment,
        roles=(Role.DISPATCHER,),
        creates=A,
    ),
    write_endpoint(
        f"{A}/assign",
        assign_reporter,
        "Assign a reporter",
        "assignments",
        AssignReporter,
        roles=(Role.DISPATCHER,),
    ),
    write_endpoint(
        f"{A}/accept",
        accept_assignment,
        "Accept an assignment",
        "assignments",
        roles=(Role.REPORTER,),
    ),
    write_endpoint(
        f"{A}/decline",
        decline_assignment,
        "Decline an assignment",
        "assignments",
        WithReason,
        roles=(Role.REPORTER,),
    ),
    write_endpoint(
        f"{A}/check-in",
        check_in,
        "Check in on scene",
        "assignments",
        CheckIn,
        roles=(Role.REPORTER,),
    ),
    write_endpoint(
        f"{A}/file", file_assignment, "File an assignment", "assignments", roles=(Role.REPORTER,)
    ),
    write_endpoint(
        f"{A}/close",
        close_assignment,
        "Close an assignment",
        "assignments",
        roles=(Role.DISPATCHER,),
    ),
    write_endpoint(
        f"{A}/cancel",
        cancel_assignment,
        "Cancel an assignment",
        "assignments",
        WithReason,
        roles=(Role.DISPATCHER,),
    ),
    write_endpoint(
        "/api/commands",
        issue_command,
        "Send a dispatch command",
        "dispatch",
        IssueCommand,
        roles=CONTROL_ROOM,
        creates="/api/commands/{id}",
    ),
    write_endpoint(
        "/api/commands/{id}/ack", acknowledge_command, "Acknowledge a dispatch command", "dispatch"
    ),
    write_endpoint(
        "/api/stories",
        draft_story,
        "Draft a story",
        "stories",
        DraftStory,
        roles=WRITERS,
        creates=S,
    ),
    write_endpoint(
        S,
        revise_story,
        "Revise a story (a new version)",
        "stories",
        StoryText,
        method="PUT",
        roles=WRITERS,
        if_match="required",
    ),
    write_endpoint(
        f"{S}/submit", submit_story, "Submit a story for review", "stories", roles=WRITERS
    ),
    write_endpoint(
        f"{S}/reviews",
        review_story,
        "Review a story at the level of one's role",
        "stories",
        Review,
        roles=REVIEWERS,
    ),
    write_endpoint(
        f"{S}/publish", publish_story, "Publish a story", "stories", Publish, roles=REVIEWERS
    ),
    write_endpoint(
        f"{S}/retract",
        retract_story,
        "Retract a story",
        "stories",
        Retract,
        roles=(Role.DESK_HEAD, Role.CHIEF_EDITOR),
    ),
    write_endpoint(
        "/api/sources",
        register_source,
        "Register a live source",
        "live",
        RegisterSource,
        roles=CONTROL_ROOM,
        creates="/api/sources",
        answer=WithToken,
    ),
    write_endpoint(
        "/api/outputs",
        configure_output,
        "Configure an output",
        "live",
        ConfigureOutput,
        roles=(Role.TECHNICIAN,),
        creates="/api/outputs",
    ),
    write_endpoint(f"{O}/start", start_output, "Start an output", "live", roles=CONTROL_ROOM),
    write_endpoint(
        f"{O}/stop", stop_output, "Stop an output", "live", StopOutput, roles=CONTROL_ROOM
    ),
    write_endpoint(
        f"{O}/backup",
        set_output_backup,
        "Set an output's backup source",
        "live",
        SetBackup,
        roles=CONTROL_ROOM,
    ),
    write_endpoint(
        f"{O}/switch",
        switch_output,
        "Switch an output's program source",
        "live",
        Switch,
        roles=CONTROL_ROOM,
    ),
]

routes: list[BaseRoute] = [
    *(endpoint.route() for endpoint in ENDPOINTS),
    *(endpoint.route() for endpoint in api_people.ENDPOINTS),
    *(endpoint.route() for endpoint in api_queries.ENDPOINTS),
    *(endpoint.route() for endpoint in api_captures.ENDPOINTS),
    *metrics.routes,
    *openapi.routes,
]
