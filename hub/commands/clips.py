"""Clips: ask for a stretch of a video capture as a capture of its own (made in the background by
hub/clips/worker.py, which records here what became of it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal
from uuid import UUID, uuid4

from pydantic import Field

from events.capture import Capture
from events.clip import CLIPPERS, Clip
from events.errors import InvalidValue, RuleBroken
from hub.clips.files import capture_file
from hub.clips.media import MediaUnreadable, probe
from hub.commands.base import ById, Create, Http
from hub.commands.fields import line, lines

if TYPE_CHECKING:
    from hub.newsroom import Newsroom, Request

TAG = "clips"
SECONDS = 24 * 3600.0  # no capture is longer than a day


class RequestClip(Create):
    """Ask for a clip of a video capture."""

    http = Http(
        "POST",
        "/api/clips",
        TAG,
        roles=CLIPPERS,
        creates="/api/clips/{id}",
        description="The clip is made in the background (read its progress at the Location); "
        "it becomes a capture whose `lineage` names the source and the points. Without a crop "
        "it is cut on the key frame at or before `start`, without encoding again.",
    )
    capture: UUID = Field(description="the source capture")
    start: float = Field(ge=0, le=SECONDS, description="the in point, seconds")
    end: float = Field(gt=0, le=SECONDS, description="the out point, seconds")
    crop: Literal["9:16"] | None = Field(default=None, description="9:16: centre crop, re-encoded")

    def make(self, newsroom: Newsroom, r: Request) -> Clip:
        source = newsroom.get(Capture, self.capture)
        if not source.content_type.startswith(("video/", "audio/")):
            raise InvalidValue(
                "capture {source} holds no picture to clip (it is {type})",
                source=str(self.capture),
                type=source.content_type,
            )
        path = capture_file(newsroom.settings.data_dir, source.details.get("path"))
        if path is None:
            raise RuleBroken(
                "the file of capture {source} is not on this node", source=str(self.capture)
            )
        try:
            found = probe(path)
        except MediaUnreadable:
            raise InvalidValue(
                "capture {source} cannot be read as video", source=str(self.capture)
            ) from None
        return Clip.request(
            id=uuid4(),
            at=r.at,
            actor=r.actor,
            source=self.capture,
            assignment=source.assignment,
            content_type=source.content_type,
            has_video=found.has_video,
            duration=found.duration,
            start=self.start,
            end=self.end,
            crop=self.crop,
        )


class OnClip(ById, on=Clip, abstract=True):
    """What became of the clip the path names (the clip worker sends these)."""


class RecordClipMade(OnClip):
    """Record that a clip was made and registered as `capture`."""

    calls = "made"
    capture: UUID
    mode: str = line(10, min_length=1)
    duration: float = Field(ge=0)


class RecordClipFailed(OnClip):
    """Record that a clip could not be made, and why."""

    calls = "fail"
    reason: str = lines(2000, min_length=1)
