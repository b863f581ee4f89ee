"""Products: what a story becomes on one channel (一次采集、多种生成), and 三审 on exactly that.

One product per story and channel (its id is derived from both). A product is reviewed at three
levels like a story, but each approval names the digest of the content it approved: the text,
the fields, the script and the SHA-256 of every capture it carries. The product may go out only
while its current digest is approved at all three levels by three different people, or was fast
tracked (绿色通道) by the chief editor for a new-media channel. Changing the content changes the
digest, which sends this product back for review; the story's other products keep theirs.

    draft ─submit→ in_review ─approve×3→ approved ─publish→ published ─retract→ retracted
      ▲               │ reject → returned          │ schedule → scheduled ─(time)→ published
      └─ fast track (chief editor, new media) ─────┘   cancel ← ┘
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from events.base import Kept, Moved, NewsroomAggregate, require_text
from events.channel_profile import NEW_MEDIA, Profile
from events.channels import CHANNEL_WORDS, parse_channels
from events.errors import InvalidValue, NotPermitted, ReviewRuleBroken, RuleBroken
from events.messages import N_, Message
from events.review import ThreeLevelReview, state_after_approval
from events.roles import REVIEW_ROLES, Actor, Role

PRODUCT_NAMESPACE = UUID("6f1d1f4e-2a43-5d0e-9d55-1c7e0d6c9a10")
PRODUCERS = (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)
PUBLISHERS = (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)
RETRACTORS = (Role.DESK_HEAD, Role.CHIEF_EDITOR)
SEGMENT_KINDS = {"voice": N_("voice-over"), "sync": N_("sound on tape")}  # 口播, 同期声
# What the product's history calls each of its events (hub/queries.py `_action`).
PRODUCT_ACTIONS = (
    "made",
    "edited",
    "submitted",
    "approved",
    "rejected",
    "fast_tracked",
    "scheduled",
    "schedule_cancelled",
    "published",
    "retracted",
)
SLOT_TOLERANCE = 0.05  # seconds: segments are timed to a tenth of a second at best
MAX_SEGMENTS = 200
STATE_WORDS = {
    "draft": N_("a draft"),
    "in_review": N_("in review"),
    "returned": N_("returned for changes"),
    "approved": N_("approved"),
    "scheduled": N_("scheduled"),
    "published": N_("published"),
    "retracted": N_("retracted"),
}


def product_id(story: UUID, channel: str) -> UUID:
    """The one product of a story on a channel."""
    return uuid5(PRODUCT_NAMESPACE, f"{story}:{channel}")


@dataclass(frozen=True, slots=True)
class MediaFact:
    """What the product needs to know of a capture it carries."""

    sha256: str
    kind: str  # photo, video, audio, document
    vertical: bool = False  # a video taller than wide (9:16)

    def as_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "kind": self.kind, "vertical": self.vertical}


@dataclass(frozen=True, slots=True)
class Content:
    """A product's content as an editor sends it."""

    title: str
    body: str
    media: tuple[UUID, ...] = ()
    cover: UUID | None = None
    script: tuple[dict[str, Any], ...] = ()


def digest_of(channel: str, content: Content, facts: dict[str, dict[str, Any]]) -> str:
    """SHA-256 of the canonical JSON of the content, each capture named with its checksum."""

    def named(capture: UUID) -> list[str]:
        return [str(capture), facts[str(capture)]["sha256"]]

    canonical = {
        "channel": channel,
        "title": content.title,
        "body": content.body,
        "media": [named(m) for m in content.media],
        "cover": named(content.cover) if content.cover else None,
        "script": list(content.script),
    }
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _script(segments: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
    if len(segments) > MAX_SEGMENTS:
        raise InvalidValue("a script has at most {most} segments", most=MAX_SEGMENTS)
    cleaned = []
    for number, segment in enumerate(segments, 1):
        kind, seconds = segment.get("kind"), segment.get("seconds")
        if kind not in SEGMENT_KINDS:
            raise InvalidValue(
                "segment {number} is '{kind}', not voice or sync", number=number, kind=kind
            )
        if not isinstance(seconds, int | float) or not 0 < seconds <= 4 * 3600:
            raise InvalidValue(
                "segment {number} must last more than 0 seconds and at most 4 hours",
                number=number,
            )
        text = str(segment.get("text") or "").strip()
        cleaned.append({"kind": kind, "text": text, "seconds": round(float(seconds), 2)})
    return tuple(cleaned)


def recorded(content: Content, facts: dict[str, dict[str, Any]], digest: str) -> dict[str, Any]:
    """The fields `Made` and `Edited` record of the content."""
    return {
        "title": content.title,
        "body": content.body,
        "media": list(content.media),
        "cover": content.cover,
        "script": list(content.script),
        "facts": facts,
        "digest": digest,
    }


class StoryOnChannel(Kept):
    """Which story a product is made of, and for which channel (its id comes from both)."""

    story: UUID
    channel: str


class RecordedContent(Kept):
    """What `Made` and `Edited` record of the content (`recorded`), kept as it is: the review's
    decisions name its digest."""

    title: str
    body: str
    media: list[UUID]
    cover: UUID | None
    script: list[dict[str, Any]]
    facts: dict[str, dict[str, Any]]
    digest: str


class Product(StoryOnChannel, RecordedContent, ThreeLevelReview, NewsroomAggregate):
    """A story's product on one channel, reviewed at three levels on its exact content."""

    STATE_WORDS = STATE_WORDS

    class Made(StoryOnChannel, RecordedContent, NewsroomAggregate.Created):
        pass

    class Edited(RecordedContent, NewsroomAggregate.Event):
        revision: int
        voided_approvals: int  # approvals of the earlier content, now void
        unscheduled: bool  # a scheduled publication of the earlier content was dropped

        def apply(self, p: Product) -> None:
            p.revision = self.revision
            if self.digest != p.digest:
                p.approvals = {}
                p.fast_track = None
                if p.state in ("in_review", "approved", "scheduled", "published", "retracted"):
                    p.state = "in_review"
            self.keep(p)
            if self.unscheduled:
                p.publish_at = None

    class Submitted(Moved):
        state = "in_review"
        revision: int
        digest: str

    class Approved(NewsroomAggregate.Event):
        level: int
        digest: str
        reason: str

        def apply(self, p: Product) -> None:
            p.approvals[self.level] = (self.actor, self.digest)
            p.state = state_after_approval(self.level)

    class Rejected(NewsroomAggregate.Event):
        level: int
        digest: str
        reason: str

        def apply(self, p: Product) -> None:
            p.approvals = {}
            p.state = "returned"

    class FastTracked(NewsroomAggregate.Event):
        digest: str
        reason: str

        def apply(self, p: Product) -> None:
            p.fast_track = (self.actor, self.reason, self.digest)
            p.state = "approved"

    class Scheduled(NewsroomAggregate.Event):
        publish_at: datetime

        def apply(self, p: Product) -> None:
            p.publish_at = self.publish_at
            p.scheduled_by = self.actor
            p.state = "scheduled"

    class ScheduleCancelled(NewsroomAggregate.Event):
        reason: str

        def apply(self, p: Product) -> None:
            p.publish_at = None
            p.state = "approved"

    class Published(NewsroomAggregate.Event):
        digest: str
        publication: int
        on_behalf_of: str | None  # the person who scheduled it, when the scheduler published

        def apply(self, p: Product) -> None:
            p.publications = self.publication
            p.live_digest = self.digest
            p.publish_at = None
            p.state = "published"

    class Retracted(NewsroomAggregate.Event):
        reason: str
        publication: int

        def apply(self, p: Product) -> None:
            p.live_digest = None
            p.state = "retracted"

    def __init__(self) -> None:
        """What `Made` does not say."""
        self.revision = 1
        self.state = "draft"
        self.approvals: dict[int, tuple[str, str]] = {}  # level -> (reviewer, digest)
        self.fast_track: tuple[str, str, str] | None = None  # (chief editor, reason, digest)
        self.publish_at: datetime | None = None
        self.scheduled_by: str | None = None
        self.publications = 0
        self.live_digest: str | None = None

    # -- making and editing ---------------------------------------------------------------------

    @classmethod
    def make(
        cls,
        *,
        at: datetime,
        actor: Actor,
        story: UUID,
        channel: str,
        content: Content,
        profile: Profile,
        facts: dict[UUID, MediaFact],
    ) -> Product:
        actor.require(*PRODUCERS, doing=N_("make products"))
        parse_channels([channel])
        content, kept = _checked(content, profile, facts)
        return cls._record_new(
            cls.Made,
            product_id(story, channel),
            at,
            actor.name,
            story=story,
            channel=channel,
            **recorded(content, kept, digest_of(channel, content, kept)),
        )

    def edit(
        self,
        *,
        at: datetime,
        actor: Actor,
        content: Content,
        profile: Profile,
        facts: dict[UUID, MediaFact],
    ) -> None:
        """A new revision; a changed digest voids the approvals given so far (of this product)."""
        actor.require(*PRODUCERS, doing=N_("edit products"))
        content, kept = _checked(content, profile, facts)
        digest = digest_of(self.channel, content, kept)
        changed = digest != self.digest
        self._record(
            self.Edited,
            at,
            actor.name,
            revision=self.revision + 1,
            **recorded(content, kept, digest),
            voided_approvals=len(self.approvals) + (1 if self.fast_track else 0) if changed else 0,
            unscheduled=changed and self.state == "scheduled",
        )

    # -- review ----------------------------------------------------------------------------------

    def submit(self, *, at: datetime, actor: Actor, profile: Profile) -> None:
        actor.require(*PRODUCERS, doing=N_("submit products"))
        if self.state not in ("draft", "returned"):
            raise RuleBroken(
                "{product} is {state}; it cannot be submitted",
                product=self.named(),
                state=self.state_words(),
            )
        self.require_complete(profile)
        self._record(self.Submitted, at, actor.name, revision=self.revision, digest=self.digest)

    # What the review (events/review.py) asks of a product: it is on the content's digest.

    def reviewers(self) -> list[str]:
        return [reviewer for reviewer, _ in self.approvals.values()]

    def decided_on(self) -> dict[str, Any]:
        return {"digest": self.digest}

    def not_in_review(self) -> ReviewRuleBroken:
        return ReviewRuleBroken(
            "{product} is {state}, not in review", product=self.named(), state=self.state_words()
        )

    def approved_already(self, actor: Actor) -> ReviewRuleBroken:
        return ReviewRuleBroken(
            "{actor} already approved {product}; three different people must review it",
            actor=actor.name,
            product=self.named(),
        )

    def fast_track_now(self, *, at: datetime, actor: Actor, reason: str, profile: Profile) -> None:
        """The chief editor approves a new-media product in one step (绿色通道), with a reason."""
        if Role.CHIEF_EDITOR.value not in actor.roles:
            raise NotPermitted(
                "{actor} may not fast-track products: it needs the role {role}",
                actor=actor.name,
                role=Role.CHIEF_EDITOR.value,
            )
        if self.channel not in NEW_MEDIA:
            raise RuleBroken(
                "{product} is not for a new-media channel; the fast track is for {channels}",
                product=self.named(),
                channels=list(NEW_MEDIA),
            )
        if self.state not in ("draft", "returned", "in_review"):
            raise RuleBroken(
                "{product} is {state}; only a product not yet approved is fast-tracked",
                product=self.named(),
                state=self.state_words(),
            )
        self.require_complete(profile)
        reason = require_text(reason, N_("a reason for the fast track"), max_length=2000)
        self._record(self.FastTracked, at, actor.name, digest=self.digest, reason=reason)

    def clearance(self) -> str | None:
        """Why the current content may go out ("review" or "fast_track"), or None."""
        current = [self.approvals.get(level) for level in range(1, len(REVIEW_ROLES) + 1)]
        approved = [a for a in current if a is not None and a[1] == self.digest]
        if len({reviewer for reviewer, _ in approved}) == len(REVIEW_ROLES):
            return "review"
        if self.fast_track and self.fast_track[2] == self.digest and self.channel in NEW_MEDIA:
            return "fast_track"
        return None

    # -- publication -----------------------------------------------------------------------------

    def schedule(self, *, at: datetime, actor: Actor, publish_at: datetime) -> None:
        actor.require(*PUBLISHERS, doing=N_("schedule products"))
        self._require_cleared()
        if self.state == "published":
            raise RuleBroken("{product} is published already", product=self.named())
        if publish_at <= at:
            raise InvalidValue("the time to publish must be in the future")
        self._record(self.Scheduled, at, actor.name, publish_at=publish_at)

    def cancel_schedule(self, *, at: datetime, actor: Actor, reason: str) -> None:
        actor.require(*PUBLISHERS, doing=N_("schedule products"))
        if self.state != "scheduled":
            raise RuleBroken("{product} is not scheduled", product=self.named())
        reason = require_text(reason, N_("a reason for cancelling"), max_length=2000)
        self._record(self.ScheduleCancelled, at, actor.name, reason=reason)

    def publish(self, *, at: datetime, actor: Actor) -> None:
        actor.require(*PUBLISHERS, doing=N_("publish products"))
        self._publish(at, actor.name, None)

    def publish_scheduled(self, *, at: datetime, actor: Actor) -> None:
        """The scheduler publishes, on behalf of whoever scheduled, once the time has come."""
        actor.require(Role.ADMIN, doing=N_("publish on a schedule"))
        if self.state != "scheduled" or self.publish_at is None:
            raise RuleBroken("{product} is not scheduled", product=self.named())
        if at < self.publish_at:
            raise RuleBroken("{product} is not due yet", product=self.named())
        self._publish(at, actor.name, self.scheduled_by)

    def _publish(self, at: datetime, actor: str, on_behalf_of: str | None) -> None:
        self._require_cleared()
        if self.state == "published" and self.live_digest == self.digest:
            raise RuleBroken("{product} is published already", product=self.named())
        self._record(
            self.Published,
            at,
            actor,
            digest=self.digest,
            publication=self.publications + 1,
            on_behalf_of=on_behalf_of,
        )

    def retract(self, *, at: datetime, actor: Actor, reason: str) -> None:
        actor.require(*RETRACTORS, doing=N_("retract products"))
        if self.live_digest is None:
            raise RuleBroken("{product} is not published", product=self.named())
        reason = require_text(reason, N_("a reason for retracting"), max_length=2000)
        self._record(self.Retracted, at, actor.name, reason=reason, publication=self.publications)

    # -- rules -----------------------------------------------------------------------------------

    def _require_cleared(self) -> None:
        if self.clearance() is None:
            raise ReviewRuleBroken(
                "{product} may not go out: its content (digest {digest}) is not approved at "
                "all three levels by three different people",
                product=self.named(),
                digest=self.digest[:12],
            )

    def require_complete(self, profile: Profile) -> None:
        """What the channel needs before a product is reviewed: its media and its script."""
        if profile.requires_cover and self.cover is None:
            raise RuleBroken("{product} needs a cover photo", product=self.named())
        if profile.requires_vertical_video and not any(
            self.facts[str(m)]["kind"] == "video" and self.facts[str(m)]["vertical"]
            for m in self.media
        ):
            raise RuleBroken("{product} needs a vertical (9:16) video", product=self.named())
        slot = profile.script_slot_seconds
        if slot is not None:
            total = round(sum(s["seconds"] for s in self.script), 2)
            if abs(total - slot) > SLOT_TOLERANCE:
                raise RuleBroken(
                    "the script of {product} lasts {total} s; its slot is {slot} s",
                    product=self.named(),
                    total=total,
                    slot=slot,
                )

    def named(self) -> Message:
        """How a refusal names the product: its id, its channel and its title."""
        return Message(
            "product {id} ({channel}, '{title}')",
            id=str(self.id),
            channel=Message(CHANNEL_WORDS[self.channel]),
            title=self.title,
        )


def _checked(
    content: Content, profile: Profile, facts: dict[UUID, MediaFact]
) -> tuple[Content, dict[str, dict[str, Any]]]:
    """The content cleaned and within the channel's limits, and the facts of its captures."""
    title = require_text(content.title, N_("title"), max_length=profile.title_max)
    if len(content.body) > profile.body_max:
        raise InvalidValue(
            "the body is {length} characters; this channel takes at most {most}",
            length=len(content.body),
            most=profile.body_max,
        )
    media = tuple(dict.fromkeys(content.media))
    for capture in (*media, *([content.cover] if content.cover else [])):
        if capture not in facts:
            raise InvalidValue("no capture {id}", id=str(capture))
    if content.cover is not None and facts[content.cover].kind != "photo":
        raise InvalidValue("the cover {id} is not a photo", id=str(content.cover))
    cleaned = Content(title, content.body, media, content.cover, _script(content.script))
    used = set(media) | ({content.cover} if content.cover else set())
    return cleaned, {str(c): facts[c].as_dict() for c in sorted(used, key=str)}
