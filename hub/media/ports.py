"""What the media engine needs from the rest of the hub, and what it offers it.

`MediaFacts` receives the facts a stream's life is made of (the application turns them into
events); `MediaAuthorizer` decides who may publish or view; `MediaStats` is the snapshot a
`/metrics` endpoint reads. Facts are rare (a handful per stream), never per frame.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class StreamStats:
    """One stream from going live to ending, across the publisher sessions that carried it."""

    duration: float  # seconds from going live to ending
    frames: int
    bytes: int
    sessions: int  # 1, plus one for every resume on a new session

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class MediaFacts(Protocol):
    """Receives facts about live sources, in order, one at a time, off the media path."""

    async def source_live(
        self, source: str, session: str, codec: str, width: int, height: int
    ) -> None:
        """The source went live: its first key frame (or, audio only, first packet) arrived."""

    async def source_interrupted(self, source: str, session: str, reason: str) -> None:
        """Media stopped (ICE/DTLS failure, the peer left, or no media for a while)."""

    async def source_resumed(self, source: str, session: str) -> None:
        """Media is back within the grace period, on the same session or a new one."""

    async def source_ended(
        self, source: str, session: str, stats: StreamStats, reason: str
    ) -> None:
        """The stream is over: ended by its publisher, or interrupted past the grace period."""

    async def viewer_count_changed(self, source: str, viewers: int) -> None:
        """A viewer joined or left."""


class NoFacts:
    """A `MediaFacts` that keeps nothing (the engine's default)."""

    async def source_live(
        self, source: str, session: str, codec: str, width: int, height: int
    ) -> None:
        return None

    async def source_interrupted(self, source: str, session: str, reason: str) -> None:
        return None

    async def source_resumed(self, source: str, session: str) -> None:
        return None

    async def source_ended(
        self, source: str, session: str, stats: StreamStats, reason: str
    ) -> None:
        return None

    async def viewer_count_changed(self, source: str, viewers: int) -> None:
        return None


class MediaAuthorizer(Protocol):
    """Decides who may publish to or view a source; refusals raise `MediaAuthError`."""

    async def source_exists(self, source: str) -> bool:
        """Whether the source (or output) is known to the hub; False answers 404."""

    async def authorize_publish(self, source: str, bearer_token: str) -> None:
        """Raises MediaAuthError(401, ...) for an unknown token, (403, ...) if not allowed."""

    async def authorize_view(self, source: str, bearer_token: str) -> None:
        """Raises MediaAuthError(401, ...) for an unknown token, (403, ...) if not allowed."""


@dataclass(frozen=True, slots=True)
class SourceStats:
    """One source as `/metrics` sees it."""

    source: str
    state: str  # "idle", "connecting", "live" or "interrupted"
    session: str | None
    codec: str | None
    width: int
    height: int
    frames_in: int
    bytes_in: int
    viewers: int
    consumers: int  # every queue on the feed: viewers, recorders, outputs, transcoders
    dropped: int  # frames dropped by this source's slow consumers since the engine started
    transcodes: tuple[str, ...]  # codecs this source is being transcoded to
    uplink: UplinkStats | None = None  # its video uplink, once it has had a publisher


@dataclass(frozen=True, slots=True)
class UplinkStats:
    """One source's video uplink, since the engine started (counters) or now (the rest)."""

    packets_lost: int  # packets that never arrived, as RTCP receiver reports count them
    nacks: int  # retransmission requests sent
    partial_frames: int  # frames dropped because a part of them never arrived
    keyframes_wanted: int  # key frames asked for by any path, before the policy
    keyframes_requested: int  # picture loss indications that reached the publisher
    keyframes_received: int  # whole key frames that arrived
    estimate: int  # bit/s the hub told the publisher it can send (REMB); 0 before the first
    bitrate: int  # bit/s of video received over the last seconds
    freezes: int  # gaps over 200 ms between video frames
    longest_freeze: float  # seconds
    frozen: bool  # live, and no video frame for over a second
    narrow: bool  # the estimate has stayed under what the source sends at its best


@dataclass(frozen=True, slots=True)
class ViewerStats:
    """One WHEP viewer."""

    session: str
    source: str
    codec: str | None  # the video codec it receives
    transcoded: bool  # reads a transcode rather than the source's own frames
    connected: bool
    delivered: int  # frames its sender took
    dropped: int  # frames dropped because it fell behind


@dataclass(frozen=True, slots=True)
class MediaStats:
    """A snapshot of the whole engine."""

    sources: tuple[SourceStats, ...]
    publishers: int
    viewers: tuple[ViewerStats, ...]
