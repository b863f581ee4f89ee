"""The API's request and response models: routes validate with them, /api/openapi.json shows them.

Request bodies refuse unknown fields (a misspelt field is a 422 naming it, not silently ignored).
Response models allow extra fields, so a read model may grow without breaking older clients.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

Channel = Literal[
    "tv", "radio", "paper", "website", "app", "wechat", "weibo", "douyin", "outdoor", "emergency"
]
Priority = Literal["low", "normal", "high", "urgent"]
RoleId = Literal[
    "reporter",
    "dispatcher",
    "editor",
    "desk_head",
    "chief_editor",
    "technician",
    "auditor",
    "wall",
    "admin",
]
# Text may not hold control characters (a NUL cannot even be stored in PostgreSQL text);
# multi-line text may hold tabs and line breaks.
LINE = r"^[^\x00-\x1f\x7f]*$"
LINES = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")


def line(max_length: int, *, min_length: int = 0, **extra: Any) -> Any:
    """A one-line text field."""
    return Field(min_length=min_length, max_length=max_length, pattern=LINE, **extra)


def lines(max_length: int, *, min_length: int = 0, **extra: Any) -> Any:
    """A multi-line text field."""
    return Field(min_length=min_length, max_length=max_length, pattern=LINES, **extra)


def written_out(value: Any) -> Any:
    """A time arrives as RFC 3339 text, as the document says (pydantic would also read a number
    of seconds, in JSON or in text, as a time)."""
    if not isinstance(value, str) or not DATE_TIME.match(value):
        raise ValueError("a time is RFC 3339 text with a zone, like 2026-11-23T16:00:00+08:00")
    return value


def in_utc(moment: datetime) -> datetime:
    """The moment in UTC, where the hub keeps times; a zone can push one past year 1 or 9999."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is outside the years 1 to 9999 in UTC") from None


def coordinate(limit: int) -> Any:
    """Degrees as a JSON number (not a string, not true), within ±limit."""
    return Field(ge=-limit, le=limit, strict=True)


Moment = Annotated[AwareDatetime, BeforeValidator(written_out), AfterValidator(in_utc)]
Name = line(40, min_length=1, description="a-z, 0-9, '.', '-', '_'")
Reason = lines(2000, min_length=1)
Title = line(200, min_length=1)


class Body(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    """A response: fields beyond the documented ones may appear."""

    model_config = ConfigDict(extra="allow")


# -- request bodies ------------------------------------------------------------------------------


class NoBody(Body):
    """Nothing to send (an empty body, `{}` or `null`)."""


class Place(Body):
    name: str = line(200)
    lat: float = coordinate(90)
    lon: float = coordinate(180)


class PlanAssignment(Body):
    title: str = Title
    brief: str = lines(10_000, default="")
    location: Place
    priority: Priority = "normal"
    due: Moment | None = None
    channels: list[Channel] = Field(default_factory=list, max_length=10)


class AssignReporter(Body):
    reporter: str = Name


class WithReason(Body):
    reason: str = Reason


class CheckIn(Body):
    lat: float = coordinate(90)
    lon: float = coordinate(180)


class IssueCommand(Body):
    to: str = Name
    assignment: UUID | None = None
    text: str = lines(500, min_length=1)


class StoryText(Body):
    title: str = Title
    body: str = lines(200_000, default="")
    captures: list[UUID] = Field(default_factory=list, max_length=100)


class DraftStory(StoryText):
    assignment: UUID | None = None


class Review(Body):
    decision: Literal["approve", "reject"]
    reason: str = lines(2000, default="", description="required when rejecting")


class Publish(Body):
    channels: list[Channel] = Field(min_length=1, max_length=10)


class Retract(Body):
    channel: Channel | None = Field(default=None, description="all channels when absent")
    reason: str = Reason


class RegisterSource(Body):
    name: str = Name
    kind: Literal["phone", "truck", "encoder"]
    owner: str | None = line(40, min_length=1, default=None)


class ConfigureOutput(Body):
    name: str = Name
    source: str | None = line(40, min_length=1, default=None)
    backup: str | None = line(40, min_length=1, default=None)
    slate_text: str = line(120, min_length=1, default="稍后回来 Back shortly")
    rtmp_url: str | None = Field(
        default=None, max_length=500, pattern=r"^rtmps?://[^\x00-\x20\x7f]*$"
    )


class Switch(Body):
    source: str = Name
    reason: str = lines(500, default="")


class SetBackup(Body):
    backup: str | None = line(40, min_length=1)


class StopOutput(Body):
    reason: str = lines(500, default="")


class RegisterUser(Body):
    name: str = Name
    roles: list[RoleId] = Field(min_length=1, max_length=9)
    display_name: str = line(100, default="")
    password: str | None = Field(default=None, min_length=8, max_length=1024)


class IssueToken(Body):
    label: str = line(100, min_length=1, default="api")


class SetPassword(Body):
    password: str = Field(min_length=8, max_length=1024)


# -- answers to commands -------------------------------------------------------------------------


class Done(Answer):
    """What every command answers: the id of what changed and its new version (also the ETag)."""

    id: str
    version: int


class WithToken(Done):
    """A created user or source, or a new token: the secret is shown this once only."""

    token: str | None = Field(
        description="the secret, in the first answer only: a repeat of the request (the same "
        "Idempotency-Key) answers null, since only the token's hash is kept"
    )
    name: str | None = None
    token_id: str | None = Field(default=None, description="names the token to revoke it")
    message: str | None = Field(
        default=None, description="on a repeat: the token was shown once; issue a new one"
    )


# -- errors --------------------------------------------------------------------------------------


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(Answer):
    code: str
    message: str
    fields: list[FieldProblem] | None = Field(default=None, description="422: what is wrong")
    current_version: int | None = Field(default=None, description="412/409: the version now")


class Error(BaseModel):
    """Every refusal: a stable code and a message for people."""

    error: Problem
