"""What each channel takes: title and body lengths, the media it needs, a timed script.

A product for a channel (events/product.py) is made to its channel's profile. The hub has a
sensible default profile per channel; an admin may set another (`ChannelProfile`, one aggregate
per channel, its id named after the channel), and the newest setting holds for what is made or
edited afterwards.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from events.base import Kept, NewsroomAggregate
from events.channels import parse_channels
from events.errors import InvalidValue
from events.messages import N_
from events.roles import Actor, Role

# New-media channels: the chief editor's fast track (绿色通道, 新媒体首发) reaches these only.
NEW_MEDIA = ("website", "app", "wechat", "weibo", "douyin")
MAX_TITLE = 200
MAX_BODY = 200_000
MAX_SLOT = 4 * 3600.0


@dataclass(frozen=True, slots=True)
class Profile:
    """A channel's limits and what it requires of a product."""

    title_max: int
    body_max: int
    requires_cover: bool = False  # a photo to head the article (a WeChat article's cover)
    requires_vertical_video: bool = False  # a 9:16 video (a Douyin clip)
    script_slot_seconds: float | None = None  # TV and radio: timed segments fill the slot

    def __post_init__(self) -> None:
        if not 1 <= self.title_max <= MAX_TITLE:
            raise InvalidValue("a title limit is 1 to {most} characters", most=MAX_TITLE)
        if not 1 <= self.body_max <= MAX_BODY:
            raise InvalidValue("a body limit is 1 to {most} characters", most=MAX_BODY)
        slot = self.script_slot_seconds
        if slot is not None and not 0 < slot <= MAX_SLOT:
            raise InvalidValue("a slot is more than 0 and at most {most} seconds", most=MAX_SLOT)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# The defaults: what the platforms take (a WeChat title is at most 64 characters, a Weibo post
# 2,000, a Douyin caption about 1,000) and the slots of a county station's news items.
DEFAULT_PROFILES: dict[str, Profile] = {
    "tv": Profile(40, 5000, script_slot_seconds=90.0),
    "radio": Profile(40, 5000, script_slot_seconds=60.0),
    "paper": Profile(60, 20_000),
    "website": Profile(80, 50_000),
    "app": Profile(60, 50_000),
    "wechat": Profile(64, 20_000, requires_cover=True),
    "weibo": Profile(60, 2000),
    "douyin": Profile(55, 1000, requires_vertical_video=True),
    "outdoor": Profile(30, 200),
    "emergency": Profile(40, 1000),
}


class Channel(Kept):
    """The channel a profile is for."""

    channel: str


class ChannelProfile(Channel, NewsroomAggregate):
    """The profile an admin set for one channel (its id is named after the channel)."""

    class Set(Channel, NewsroomAggregate.Created):
        profile: dict[str, Any]

    class Changed(NewsroomAggregate.Event):
        profile: dict[str, Any]

        def apply(self, p: ChannelProfile) -> None:
            p.profile = Profile(**self.profile)

    def __init__(self, profile: dict[str, Any]) -> None:
        self.profile = Profile(**profile)

    @classmethod
    def set(
        cls, *, id: Any, at: datetime, actor: Actor, channel: str, profile: Profile
    ) -> ChannelProfile:
        actor.require(Role.ADMIN, doing=N_("set a channel's profile"))
        parse_channels([channel])
        return cls._record_new(
            cls.Set, id, at, actor.name, channel=channel, profile=profile.as_dict()
        )

    def change(self, *, at: datetime, actor: Actor, profile: Profile) -> None:
        actor.require(Role.ADMIN, doing=N_("set a channel's profile"))
        self._record(self.Changed, at, actor.name, profile=profile.as_dict())
