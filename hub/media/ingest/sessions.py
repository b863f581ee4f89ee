"""The engine's registry: sources, their publisher sessions and viewers, and shared transcodes.

Only `MediaEngine` changes it, on the event loop, and every check-then-change happens without an
`await` in between (a publisher's slot is reserved before negotiating), so the engine is its one
owner in the sense of the style guide: other parts ask the engine; nobody touches these dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from aiortc import RTCPeerConnection

from hub.media.ingest.keyframes import KeyframeRequester
from hub.media.ingest.passthrough import FeedTrack, PassthroughReceiver
from hub.media.ingest.uplink import UplinkCounts
from hub.media.ports import StreamStats
from hub.media.relay.frames import Feed, FrameQueue
from hub.media.relay.transcode import Transcoder

PublisherState = Literal["connecting", "live", "stalled", "closed"]


@dataclass(eq=False)
class PublishSession:
    """One WHIP session: a peer connection whose media feeds the source."""

    id: str
    source: str
    created_at: float
    has_video: bool
    pc: RTCPeerConnection
    receivers: list[PassthroughReceiver] = field(default_factory=list)
    state: PublisherState = "connecting"
    started: bool = False  # its media has begun to reach the feed (since connecting or a stall)
    last_frame_at: float = 0.0
    frames: int = 0
    bytes: int = 0

    def send_pli(self) -> bool:
        """Asks the publisher for a key frame now (only the source's `KeyframeRequester` does)."""
        return any([receiver.send_pli() for receiver in self.receivers])

    def packets_lost(self) -> int:
        return sum(
            receiver.packets_lost() for receiver in self.receivers if receiver.kind == "video"
        )


@dataclass(eq=False)
class ViewSession:
    """One WHEP session: a peer connection sending a feed's frames to a viewer."""

    id: str
    source: str
    created_at: float
    pc: RTCPeerConnection
    codec: str | None  # the negotiated video codec; None when the viewer takes no video
    video: FeedTrack | None
    audio: FeedTrack | None
    video_feed: Feed | None = None
    transcode: str | None = None  # the codec of the transcode it reads; None when direct
    audio_queue: FrameQueue | None = None
    connected: bool = False
    closed: bool = False

    def queues(self) -> list[FrameQueue]:
        tracks = (self.video, self.audio)
        return [track.frames for track in tracks if track is not None and track.frames is not None]

    def dropped(self) -> int:
        return sum(queue.dropped for queue in self.queues())


@dataclass(eq=False)
class Stream:
    """A source's broadcast from going live to ending; it may span several publisher sessions."""

    started_at: float
    session: str  # the session carrying it now, or last
    state: Literal["live", "interrupted"] = "live"
    interrupted_at: float = 0.0
    reason: str = ""
    frames: int = 0
    bytes: int = 0
    sessions: int = 1

    def stats(self, now: float) -> StreamStats:
        return StreamStats(
            duration=round(now - self.started_at, 3),
            frames=self.frames,
            bytes=self.bytes,
            sessions=self.sessions,
        )


@dataclass(eq=False)
class SharedTranscode:
    """A transcode and how many viewers read it."""

    transcoder: Transcoder
    viewers: int = 0


@dataclass(eq=False)
class SourceSlot:
    """Everything the engine knows about one source; its feed lives as long as the engine."""

    source: str
    feed: Feed
    keyframes: KeyframeRequester  # every key-frame request for this source goes through it
    uplink: UplinkCounts = field(default_factory=UplinkCounts)
    packets_lost: int = 0  # by publisher sessions that have since closed
    publisher: PublishSession | None = None
    reserved_by: str | None = None  # a publisher session still negotiating
    stream: Stream | None = None
    viewers: dict[str, ViewSession] = field(default_factory=dict)
    routed_codec: str | None = None  # the video codec viewers were last routed for
    dropped: int = 0  # frames dropped by viewers that have since left

    def video_codec(self) -> str | None:
        """The codec viewers are routed for: the publisher's, else what the feed last carried."""
        return self.routed_codec or self.feed.video_codec

    @property
    def state(self) -> str:
        if self.stream is not None:
            return self.stream.state
        return "connecting" if self.publisher or self.reserved_by else "idle"


@dataclass
class Registry:
    """All sources, sessions and transcodes, keyed for the lookups the engine makes."""

    slots: dict[str, SourceSlot] = field(default_factory=dict)
    publishers: dict[str, PublishSession] = field(default_factory=dict)
    viewers: dict[str, ViewSession] = field(default_factory=dict)
    transcodes: dict[tuple[str, str], SharedTranscode] = field(default_factory=dict)
