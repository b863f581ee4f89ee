"""The shapes of the API's read answers (the routes build their JSON through these models)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from web.schemas import Answer

# -- assignments ---------------------------------------------------------------------------------


class PlaceOut(Answer):
    name: str
    lat: float
    lon: float


class AssignmentSummary(Answer):
    """What the board and the detail both say of an assignment."""

    id: str
    title: str
    state: str = Field(description="planned, assigned, accepted, declined, on_scene, filed, ...")
    priority: str
    due: str | None
    reporter: str | None
    location: PlaceOut
    channels: list[str]
    planned_by: str


class AssignmentItem(AssignmentSummary):
    since: str | None = Field(description="when it entered its current state")


class Assignments(Answer):
    assignments: list[AssignmentItem]


class HistoryItem(Answer):
    version: int
    at: str
    actor: str
    action: str
    reason: str | None = None


class Position(Answer):
    lat: float
    lon: float


class AssignmentDetail(AssignmentSummary):
    version: int
    brief: str
    position: Position | None = Field(description="where the reporter last checked in")
    history: list[HistoryItem]


class Board(Answer):
    columns: dict[str, list[AssignmentItem]] = Field(description="assignments by state")
    counts: dict[str, int]


# -- dispatch commands ---------------------------------------------------------------------------


class CommandItem(Answer):
    id: str
    to: str
    text: str
    assignment: str | None
    issued_by: str
    issued_at: str | None
    state: str = Field(description="issued or delivered (acknowledged ones leave the list)")


class Commands(Answer):
    commands: list[CommandItem]


# -- stories -------------------------------------------------------------------------------------


class DeliveryLine(Answer):
    """One outlet's delivery of the cell's product (docs/delivery.md)."""

    kind: str = Field(description="site, webhook or hub")
    action: str = Field(description="publish or retract")
    publication: int
    state: str = Field(description="queued, attempting, delivered, failed or gave_up")
    attempts: int
    reason: str | None = Field(description="why the last attempt failed")
    next_at: str | None = Field(description="when a failed delivery is tried again")
    decision: dict[str, Any] | None = Field(description="a higher-level hub's: adopted or not")
    at: str


class ChannelCell(Answer):
    state: str = Field(description="live or retracted")
    revision: int | None = None
    at: str | None = None
    by: str | None = None
    reason: str | None = None
    deliveries: dict[str, DeliveryLine] = Field(
        default_factory=dict, description="each outlet's delivery, by the outlet's name"
    )


class StoryItem(Answer):
    id: str
    title: str
    assignment: str | None
    revision: int
    state: str = Field(description="draft, in_review, returned or approved")
    review: str | None = Field(description="the review level waiting: first, second or final")
    captures: list[str]
    channels: dict[str, ChannelCell]
    products: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="channel -> the story's product there (GET /api/products)"
    )
    created_at: str | None
    author: str


class Stories(Answer):
    stories: list[StoryItem]


class StoryVersion(Answer):
    revision: int
    title: str
    body: str
    captures: list[str]
    by: str
    at: str
    voided_approvals: int


class StoryReview(Answer):
    revision: int
    level: int
    level_name: str
    reviewer: str
    decision: str
    reason: str
    at: str


class StoryPublication(Answer):
    channel: str
    action: str = Field(description="published or retracted")
    revision: int | None
    by: str
    at: str
    reason: str | None = None


class StoryDetail(Answer):
    id: str
    version: int
    assignment: str | None
    title: str
    body: str
    captures: list[str]
    revision: int
    state: str
    review_level: int | None
    review_level_name: str | None
    authors: list[str]
    live: dict[str, int] = Field(description="channel -> the revision live there")
    versions: list[StoryVersion]
    reviews: list[StoryReview]
    publications: list[StoryPublication]


class ChannelLabel(Answer):
    id: str
    label: str


class Matrix(Answer):
    position: int
    channels: list[ChannelLabel]
    stories: list[StoryItem]


class Durations(Answer):
    median: float | None
    mean: float | None
    max: float | None


class NewsroomFigures(Answer):
    position: int
    assignments_published: int
    assignment_to_first_publication_s: Durations
    captures: int
    products_per_capture: float
    per_channel_per_day: dict[str, dict[str, int]]


# -- sources, outputs, people, audit -------------------------------------------------------------


class SourceItem(Answer):
    id: str
    name: str
    kind: str
    owner: str | None
    who: str | None = Field(description="who publishes now, else the owner")
    state: str
    since: str | None
    codec: str | None
    width: int
    height: int
    resolution: str | None
    assignment: str | None
    assignment_title: str | None
    viewers: int


class Sources(Answer):
    sources: list[SourceItem]


class OutputItem(Answer):
    id: str
    name: str
    kind: str
    state: str
    source: str | None = Field(description="the program source")
    backup: str | None
    on_air: str | None
    slate_text: str
    rtmp: bool
    failed_over: bool
    failing: list[str] = Field(description="destinations (hls, rtmp) not taking the program now")
    since: str | None
    hls: str = Field(description="path of the HLS playlist")


class Outputs(Answer):
    outputs: list[OutputItem]


class UserItem(Answer):
    name: str
    display_name: str
    roles: list[str]
    active: bool
    has_password: bool
    tokens: list[str] = Field(description="ids of the valid tokens")


class Users(Answer):
    users: list[UserItem]


class AuditLine(Answer):
    position: int
    recorded_at: str
    actor: str
    subject_type: str
    subject_id: str
    related: str | None
    action: str
    summary: str = Field(description="what happened, in the reader's language")
    summary_message: dict[str, Any] = Field(
        description='the same as a message id and its arguments: {"msg", "args"}'
    )
    reason: str | None


class Audit(Answer):
    entries: list[AuditLine]
    next_after: int = Field(description="pass as `after` for the next page")


# -- the reads of web/api_reads.py ---------------------------------------------------------------


class Wall(Answer):
    replay: bool
    position: int
    as_at: str | None
    sources: dict[str, Any]
    outputs: dict[str, Any]
    assignments: dict[str, Any]
    people: dict[str, Any]
    commands: dict[str, Any]
    reviews: dict[str, Any]
    publications: list[Any]
    alerts: list[Any]


class LoggedEvent(Answer):
    position: int
    recorded_at: str
    occurred_at: str | None
    type: str
    aggregate_id: str
    version: int
    actor: str | None
    payload: dict[str, Any]
    hash: str


class EventPage(Answer):
    events: list[LoggedEvent]
    next_after: int
    head: int


class StoreState(Answer):
    reachable: bool
    since: str = Field(description="when it became so")
    reason: str | None = Field(description="why not, in the database driver's words")


class Health(Answer):
    status: str = Field(description="ok, store_unreachable, stalled or failed")
    reason: str | None
    since: str | None = Field(description="when the trouble began")
    log_position: int | None = Field(description="null while the store cannot be used")
    read_models_position: int
    lag: int | None
    failure: str | None = Field(description="why a read model stopped")
    store: StoreState
    seconds_since_sync: float = Field(description="since the read models last read the log")


# -- captures ------------------------------------------------------------------------------------


class CaptureItem(Answer):
    id: str
    assignment: str | None
    reporter: str | None = Field(description="the reporter of its assignment")
    kind: str = Field(description="upload, recording or clip")
    filename: str
    content_type: str
    size: int = Field(description="bytes")
    sha256: str
    duration: float | None = Field(description="seconds, for audio and video")
    source: str | None = Field(description="the live source a recording came from")
    location: dict[str, Any] | None
    owner: str = Field(description="who registered it")
    registered_at: str
    stories: list[str] = Field(description="stories whose newest version uses it")
    lineage: dict[str, Any] | None = Field(
        default=None,
        description="a clip's origin: {source: capture id, in: s, out: s, crop: '9:16' or null}",
    )
    file: str = Field(description="where its bytes are served")


class Captures(Answer):
    captures: list[CaptureItem]
