"""Clips: a stretch of a video capture, cut (or cut and cropped to 9:16) into a capture of its own.

An editor marks in and out on a recording or a video upload and asks for a clip; the hub makes
it in the background and registers the result as a new capture whose lineage names the source
and the points. The request decides here, on what the source is (the application reads the
file and says its length and whether it holds a picture): a clip of a photo, of audio only, or
of a stretch the source does not have is refused, and nothing is made. The request stays open
until the clip is made or making it failed, so a hub that restarts makes the open ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Unpack
from uuid import UUID

from events.base import Kept, Making, NewsroomAggregate, require_one_of
from events.errors import InvalidValue, RuleBroken
from events.messages import N_
from events.roles import Actor, Role

CROPS = ("9:16",)  # the vertical picture of the short-video outlets
CLIPPERS = (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)
STATES = ("requested", "made", "failed")
MODES = ("copy", "crop")  # stream copy from the key frame at or before `in`, or re-encoded


class Cut(Kept):
    """Which capture to cut, for which assignment, from `start` to `end` seconds, in which frame."""

    source: UUID
    assignment: UUID | None
    start: float
    end: float
    crop: str | None


class Clip(Cut, NewsroomAggregate):
    """One clip request and what became of it."""

    class Requested(Cut, NewsroomAggregate.Created):
        pass

    class Made(NewsroomAggregate.Event):
        capture: UUID
        mode: str
        duration: float

        def apply(self, c: Clip) -> None:
            c.state = "made"
            c.capture = self.capture

    class Failed(NewsroomAggregate.Event):
        reason: str

        def apply(self, c: Clip) -> None:
            c.state = "failed"
            c.reason = self.reason

    def __init__(self, actor: str) -> None:
        self.requested_by = actor
        self.state = "requested"
        self.capture: UUID | None = None
        self.reason = ""

    @classmethod
    def request(
        cls,
        *,
        source: UUID,
        assignment: UUID | None,
        content_type: str,
        has_video: bool,
        duration: float,
        start: float,
        end: float,
        crop: str | None,
        **making: Unpack[Making],
    ) -> Clip:
        """`content_type`, `has_video` and `duration`: what the source's file turned out to be."""
        making["actor"].require(*CLIPPERS, doing=N_("ask for clips"))
        if not has_video:
            raise InvalidValue(
                "capture {source} holds no picture to clip (it is {type})",
                source=str(source),
                type=content_type,
            )
        if crop is not None:
            require_one_of(CROPS, N_("crop '{crop}' is not one of {known}"), crop=crop)
        if start < 0:
            raise InvalidValue("a clip's in point cannot be before the start")
        if start >= end:
            raise InvalidValue(
                "a clip's in point ({start} s) must be before its out point ({end} s)",
                start=start,
                end=end,
            )
        if end > duration:
            raise InvalidValue(
                "the out point {end} s is past the end of capture {source} ({duration} s)",
                end=end,
                source=str(source),
                duration=round(duration, 3),
            )
        return cls._make(
            cls.Requested,
            making,
            source=source,
            assignment=assignment,
            start=start,
            end=end,
            crop=crop,
        )

    def _require_open(self) -> None:
        if self.state != "requested":
            raise RuleBroken("clip {id} is {state} already", id=str(self.id), state=self.state)

    def made(
        self, *, at: datetime, actor: Actor, capture: UUID, mode: str, duration: float
    ) -> None:
        actor.require(Role.ADMIN, doing=N_("record clips as made"))
        self._require_open()
        require_one_of(MODES, N_("clip mode '{mode}' is not one of {known}"), mode=mode)
        self._record(self.Made, at, actor.name, capture=capture, mode=mode, duration=duration)

    def fail(self, *, at: datetime, actor: Actor, reason: str) -> None:
        actor.require(Role.ADMIN, doing=N_("record clips as failed"))
        self._require_open()
        self._record(self.Failed, at, actor.name, reason=reason[:2000])

    @staticmethod
    def lineage(source: UUID, start: float, end: float, crop: str | None) -> dict[str, object]:
        """What a clip's capture says it came from (its `details.lineage`)."""
        return {"source": str(source), "in": start, "out": end, "crop": crop}
