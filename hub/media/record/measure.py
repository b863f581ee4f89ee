"""Facts about a recording read back from the file itself: duration, resolution, checksum."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class MediaFacts:
    duration: float  # seconds from the first timestamp to the end of the last packet
    video_frames: int
    width: int
    height: int


def probe(path: Path) -> MediaFacts:
    """Reads every packet's timestamps (no decoding); a file cut short is read up to the cut."""
    span = _Span()
    width = height = 0
    try:
        with av.open(str(path)) as container:
            if container.streams.video:
                ctx = container.streams.video[0].codec_context
                width, height = ctx.width, ctx.height
            for packet in container.demux():
                span.add(packet)
    except av.FFmpegError:
        pass  # a torn last fragment (or no header at all) ends the readable part
    return MediaFacts(span.seconds, span.video_frames, width, height)


class _Span:
    def __init__(self) -> None:
        self.start: float | None = None
        self.end = 0.0
        self.video_frames = 0

    def add(self, packet: av.Packet[Any]) -> None:
        if not packet.size or packet.pts is None or packet.time_base is None:
            return
        begin = float(packet.pts * packet.time_base)
        finish = float((packet.pts + (packet.duration or 0)) * packet.time_base)
        self.start = begin if self.start is None else min(self.start, begin)
        self.end = max(self.end, begin, finish)
        self.video_frames += packet.stream.type == "video"

    @property
    def seconds(self) -> float:
        return self.end - self.start if self.start is not None else 0.0


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
