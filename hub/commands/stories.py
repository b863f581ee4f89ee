"""Stories and their captures: draft, revise, submit, review at three levels, publish, retract."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from events.assignment import Assignment
from events.capture import Capture, Upload
from events.roles import Role
from events.story import Story
from hub.commands.base import ById, Command, Create, Http
from hub.commands.fields import Channel, Reason, Title, line, lines

if TYPE_CHECKING:
    from hub.newsroom import Newsroom, Request

S = "/api/stories/{id}"
TAG = "stories"
WRITERS = (Role.REPORTER, Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)
REVIEWERS = (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)


class RegisterCapture(Create):
    """Register a capture: a finished upload or a live stream's recording."""

    assignment: UUID | None
    kind: str = line(20, min_length=1)
    filename: str = line(255, min_length=1)
    content_type: str = line(200, min_length=1)
    size: int = Field(ge=0)
    sha256: str = line(64, min_length=64)
    duration: float | None = None
    source: str | None = None
    location: dict[str, Any] | None = None
    details: dict[str, Any] | None = None

    def make(self, newsroom: Newsroom, r: Request) -> Capture:
        if self.assignment is not None:
            newsroom.get(Assignment, self.assignment)
        return self.new(Capture.register, r)


class RefuseUpload(Create):
    """Record that an upload was not kept: its content is of a type the newsroom refuses."""

    keys: ClassVar[tuple[str, ...]] = ("upload",)
    upload: UUID
    assignment: UUID | None
    filename: str = line(255, min_length=1)
    declared_type: str = line(200)
    detected_type: str | None
    size: int = Field(ge=0)

    def make(self, newsroom: Newsroom, r: Request) -> Upload:
        return self.new(Upload.refuse, r, self.upload)


class StoryText(Command, abstract=True):
    """A story's words and the captures it uses (a draft's, or a new version's)."""

    title: Title
    body: str = lines(200_000, default="")
    captures: list[UUID] = Field(default_factory=list, max_length=100)

    def check_captures(self, newsroom: Newsroom) -> None:
        for capture in self.captures:
            newsroom.get(Capture, capture)


class DraftStory(StoryText, Create):
    """Draft a story."""

    http = Http("POST", "/api/stories", TAG, roles=WRITERS, creates=S)
    assignment: UUID | None = None

    def make(self, newsroom: Newsroom, r: Request) -> Story:
        if self.assignment is not None:
            newsroom.get(Assignment, self.assignment).require_story_writer(r.actor)
        self.check_captures(newsroom)
        return self.new(Story.draft, r)


class OnStory(ById, on=Story, noun="story", abstract=True):
    """A change to the story the path names."""


class ReviseStory(StoryText, OnStory):
    """Revise a story (a new version)."""

    http = Http("PUT", S, TAG, roles=WRITERS, if_match="required")
    calls = "revise"

    def check(self, newsroom: Newsroom, r: Request) -> None:
        self.check_captures(newsroom)


class SubmitStory(OnStory):
    """Submit a story for review."""

    http = Http("POST", f"{S}/submit", TAG, roles=WRITERS)
    calls = "submit"


class ReviewStory(OnStory):
    """Review a story at the level of one's role."""

    http = Http("POST", f"{S}/reviews", TAG, roles=REVIEWERS)
    calls = "review"
    decision: Literal["approve", "reject"]
    reason: str = lines(2000, default="", description="required when rejecting")


class PublishStory(OnStory):
    """Publish a story."""

    http = Http("POST", f"{S}/publish", TAG, roles=REVIEWERS)
    calls = "publish"
    channels: list[Channel] = Field(min_length=1, max_length=10)


class RetractStory(OnStory):
    """Retract a story."""

    http = Http("POST", f"{S}/retract", TAG, roles=(Role.DESK_HEAD, Role.CHIEF_EDITOR))
    calls = "retract"
    channel: Channel | None = Field(default=None, description="all channels when absent")
    reason: Reason
