"""Products (one per story and channel) and the channels' profiles: make, edit, submit, review,
fast-track, schedule, publish, retract; an admin sets what a channel takes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from events.capture import KEPT_TYPES, Capture
from events.channel_profile import DEFAULT_PROFILES, ChannelProfile, Profile
from events.messages import N_
from events.product import Content, MediaFact, Product
from events.roles import Role
from events.story import Story
from hub.commands.base import ById, Command, Create, Http
from hub.commands.fields import Channel, Moment, Reason, line, lines
from hub.errors import NotFound
from hub.names import named_id

if TYPE_CHECKING:
    from hub.newsroom import Done, Newsroom, Request

P = "/api/products/{id}"
TAG = "products"
DESK = (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)
RETRACTORS = (Role.DESK_HEAD, Role.CHIEF_EDITOR)


def profile_of(newsroom: Newsroom, channel: str) -> Profile:
    """The profile an admin set for the channel, or the default."""
    try:
        return newsroom.get(ChannelProfile, named_id("channel-profile", channel)).profile
    except NotFound:
        return DEFAULT_PROFILES[channel]


def fact_of(capture: Capture) -> MediaFact:
    """A capture as a product sees it: its checksum, what it is, and whether it stands upright
    (the width and height it was registered with, or a clip cropped to 9:16)."""
    details = capture.details
    lineage = details.get("lineage")
    crop = lineage.get("crop") if isinstance(lineage, dict) else None
    width, height = details.get("width"), details.get("height")
    upright = isinstance(width, int) and isinstance(height, int) and height > width
    kind = KEPT_TYPES.get(capture.content_type, "document")
    return MediaFact(capture.sha256, kind, vertical=kind == "video" and (upright or crop == "9:16"))


class Segment(BaseModel):
    """One timed part of a TV or radio script: voice-over (口播) or sound on tape (同期声)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["voice", "sync"]
    text: str = lines(5000, default="")
    seconds: float = Field(gt=0, le=14_400)


class ProductText(Command, abstract=True):
    """A product's content: its words, the captures it carries, its cover and script."""

    title: str = line(200, min_length=1)
    body: str = lines(200_000, default="")
    media: list[UUID] = Field(default_factory=list, max_length=50)
    cover: UUID | None = None
    script: list[Segment] = Field(default_factory=list, max_length=200)

    def content(self) -> Content:
        return Content(
            title=self.title,
            body=self.body,
            media=tuple(self.media),
            cover=self.cover,
            script=tuple(s.model_dump() for s in self.script),
        )

    def facts(self, newsroom: Newsroom) -> dict[UUID, MediaFact]:
        wanted = [*self.media, *([self.cover] if self.cover else [])]
        return {c: fact_of(newsroom.get(Capture, c)) for c in dict.fromkeys(wanted)}


class MakeProduct(ProductText, Create):
    """Make a story's product for one channel."""

    http = Http("POST", "/api/stories/{story}/products", TAG, roles=DESK, creates=P)
    story: UUID
    channel: Channel

    def make(self, newsroom: Newsroom, r: Request) -> Product:
        newsroom.get(Story, self.story)
        return Product.make(
            at=r.at,
            actor=r.actor,
            story=self.story,
            channel=self.channel,
            content=self.content(),
            profile=profile_of(newsroom, self.channel),
            facts=self.facts(newsroom),
        )


class OnProduct(ById, on=Product, noun=N_("product"), abstract=True):
    """A change to the product the path names."""

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        self.check(newsroom, r)
        return self.change(
            newsroom, r, lambda p: self.decide_on(p, r, newsroom), extra=self.answer_extra()
        )

    def decide_on(self, p: Product, r: Request, newsroom: Newsroom) -> None:
        """Decides with the newsroom at hand (the channel's profile, the captures)."""
        self.decide(p, r)


class EditProduct(ProductText, OnProduct):
    """Edit a product.

    A new revision; changed content goes back for review.
    """

    http = Http("PUT", P, TAG, roles=DESK, if_match="required")

    def decide_on(self, p: Product, r: Request, newsroom: Newsroom) -> None:
        p.edit(
            at=r.at,
            actor=r.actor,
            content=self.content(),
            profile=profile_of(newsroom, p.channel),
            facts=self.facts(newsroom),
        )


class SubmitProduct(OnProduct):
    """Submit a product for review."""

    http = Http("POST", f"{P}/submit", TAG, roles=DESK)

    def decide_on(self, p: Product, r: Request, newsroom: Newsroom) -> None:
        p.submit(at=r.at, actor=r.actor, profile=profile_of(newsroom, p.channel))


class ReviewProduct(OnProduct):
    """Review a product at the level of one's role.

    An approval names the digest of the content it approved.
    """

    http = Http("POST", f"{P}/reviews", TAG, roles=DESK)
    calls = "review"
    decision: Literal["approve", "reject"]
    reason: str = lines(2000, default="", description="required when rejecting")


class FastTrackProduct(OnProduct):
    """Fast-track a new-media product: the chief editor approves it in one step, with a reason.

    绿色通道 (新媒体首发).
    """

    http = Http("POST", f"{P}/fast-track", TAG, roles=(Role.CHIEF_EDITOR,))
    reason: Reason

    def decide_on(self, p: Product, r: Request, newsroom: Newsroom) -> None:
        p.fast_track_now(
            at=r.at, actor=r.actor, reason=self.reason, profile=profile_of(newsroom, p.channel)
        )


class ScheduleProduct(OnProduct):
    """Schedule a product's publication.

    定时发布: the scheduler publishes it at the time, on behalf of whoever scheduled it.
    """

    http = Http("POST", f"{P}/schedule", TAG, roles=DESK)
    calls = "schedule"
    publish_at: Moment


class CancelSchedule(OnProduct):
    """Cancel a product's scheduled publication."""

    http = Http("POST", f"{P}/unschedule", TAG, roles=DESK)
    calls = "cancel_schedule"
    reason: Reason


class PublishProduct(OnProduct):
    """Publish a product now."""

    http = Http("POST", f"{P}/publish", TAG, roles=DESK)
    calls = "publish"


class PublishScheduled(OnProduct):
    """Publish a scheduled product whose time has come (the scheduler sends it)."""

    calls = "publish_scheduled"


class RetractProduct(OnProduct):
    """Retract a published product."""

    http = Http("POST", f"{P}/retract", TAG, roles=RETRACTORS)
    calls = "retract"
    reason: Reason


class SetChannelProfile(Command, noun=N_("channel")):
    """Set what a channel takes: title and body lengths, its media and script slot."""

    http = Http("PUT", "/api/channels/{channel}", TAG, roles=(Role.ADMIN,))
    channel: Channel
    title_max: int = Field(ge=1, le=200)
    body_max: int = Field(ge=1, le=200_000)
    requires_cover: bool = False
    requires_vertical_video: bool = False
    script_slot_seconds: float | None = Field(default=None, gt=0, le=14_400)

    def profile(self) -> Profile:
        data: dict[str, Any] = self.model_dump(exclude={"channel"})
        return Profile(**data)

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        pid = named_id("channel-profile", self.channel)
        return self.create_or_change(
            newsroom,
            r,
            ChannelProfile,
            pid,
            lambda: ChannelProfile.set(
                id=pid, at=r.at, actor=r.actor, channel=self.channel, profile=self.profile()
            ),
            lambda p: p.change(at=r.at, actor=r.actor, profile=self.profile()),
        )
