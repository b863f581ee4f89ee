"""The JSON file beside each recording: written when it opens, finalised when it closes.

A sidecar still saying "recording" at start-up marks a file left open by a killed hub; `reported`
stays false until the store has turned the recording into a Capture, so none is lost between the
two (at-least-once: the store recognises a recording it already has by its path).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

RecordingState = Literal["recording", "complete", "interrupted"]
SIDECAR_SUFFIX = ".json"


@dataclass(frozen=True, slots=True)
class RecordingResult:
    """A finished recording as the store needs it for a Capture (DESIGN §3)."""

    source: str
    session: str | None
    path: Path
    started_at: datetime
    ended_at: datetime
    duration: float  # seconds, from the timestamps in the file
    size: int  # bytes
    sha256: str
    video_codec: str | None  # "H264" | "VP8" | None (audio only)
    audio_codec: str | None  # "opus" | None
    width: int
    height: int
    interrupted: bool  # the hub stopped without closing it
    reason: str | None = None

    @property
    def codec(self) -> str:
        return "+".join(c for c in (self.video_codec, self.audio_codec) if c)

    @property
    def resolution(self) -> str:
        return f"{self.width}x{self.height}" if self.width else ""


@dataclass(slots=True)
class Sidecar:
    """What is known about one recording file, kept on disk next to it."""

    media: Path
    source: str
    session: str | None
    started_at: datetime
    video_codec: str | None
    audio_codec: str | None
    width: int = 0
    height: int = 0
    state: RecordingState = "recording"
    reported: bool = False
    measured: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return sidecar_path(self.media)

    def save(self) -> None:
        """Writes atomically: a reader (or a crash) sees the old or the new sidecar, never half."""
        data = {
            "media": self.media.name,
            "source": self.source,
            "session": self.session,
            "started_at": self.started_at.isoformat(),
            "video_codec": self.video_codec,
            "audio_codec": self.audio_codec,
            "width": self.width,
            "height": self.height,
            "state": self.state,
            "reported": self.reported,
            "measured": self.measured,
        }
        temporary = self.path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(data, indent=1, ensure_ascii=False))
        os.replace(temporary, self.path)

    @classmethod
    def load(cls, path: Path) -> Sidecar:
        data = json.loads(path.read_text())
        return cls(
            media=path.with_name(data["media"]),
            source=data["source"],
            session=data["session"],
            started_at=datetime.fromisoformat(data["started_at"]),
            video_codec=data["video_codec"],
            audio_codec=data["audio_codec"],
            width=data["width"],
            height=data["height"],
            state=data["state"],
            reported=data["reported"],
            measured=data["measured"],
        )

    def finalise(self, state: RecordingState, result: RecordingResult) -> RecordingResult:
        """Records the measured result and the final state; returns the result."""
        self.state = state
        self.measured = {
            "ended_at": result.ended_at.isoformat(),
            "duration": result.duration,
            "size": result.size,
            "sha256": result.sha256,
            "reason": result.reason,
        }
        self.save()
        return result

    def result(self) -> RecordingResult:
        """The finalised result (only once `finalise` has run)."""
        m = self.measured
        return RecordingResult(
            source=self.source,
            session=self.session,
            path=self.media,
            started_at=self.started_at,
            ended_at=datetime.fromisoformat(m["ended_at"]),
            duration=m["duration"],
            size=m["size"],
            sha256=m["sha256"],
            video_codec=self.video_codec,
            audio_codec=self.audio_codec,
            width=self.width,
            height=self.height,
            interrupted=self.state == "interrupted",
            reason=m["reason"],
        )


def sidecar_path(media: Path) -> Path:
    return media.with_name(media.name + SIDECAR_SUFFIX)
