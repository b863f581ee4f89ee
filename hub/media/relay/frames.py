"""Encoded frames and their bounded fan-out: the contract between ingest, relay and outputs.

A live source is received once; every consumer (WHEP viewer, recorder, program output) gets the
same encoded frames through its own bounded queue. A consumer that falls behind drops frames up to
the next key frame and is counted; it never grows memory or slows the others.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["video", "audio"]


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """One encoded access unit as it arrived from the publisher."""

    kind: Kind
    codec: str  # "H264" (Annex-B access unit), "VP8" (one frame), "opus" (one packet)
    data: bytes
    pts: int  # in 1/clock_rate units, unwrapped, starting near zero for the session
    clock_rate: int  # 90000 for video, 48000 for Opus
    keyframe: bool  # always True for audio
    received_at: float  # loop.time() when the frame was complete
    width: int = 0  # known for video key frames, 0 otherwise
    height: int = 0


@dataclass(slots=True)
class FrameQueue:
    """A bounded queue of frames for one consumer; drops up to the next key frame when full.

    `kind` limits the queue to one kind of media (None takes both). While the queue waits for a
    key frame it calls `on_keyframe_wanted` for every video frame it has to drop; the feed's owner
    rate-limits those calls into picture loss indications to the publisher.
    """

    name: str
    max_frames: int
    kind: Kind | None = None
    on_keyframe_wanted: Callable[[], None] | None = None
    _frames: deque[EncodedFrame] = field(default_factory=deque)
    _waiter: asyncio.Future[None] | None = None
    _waiting_for_keyframe: bool = True
    dropped: int = 0
    delivered: int = 0
    closed: bool = False

    def put(self, frame: EncodedFrame) -> None:
        """Offers a frame; never blocks. Video is held back until a key frame arrives."""
        if self.closed or (self.kind is not None and frame.kind != self.kind):
            return
        if frame.kind == "video":
            if self._waiting_for_keyframe and not frame.keyframe:
                self.dropped += 1
                self._want_keyframe()
                return
            self._waiting_for_keyframe = False
        if len(self._frames) >= self.max_frames:
            self._drop_backlog()
            if frame.kind == "video" and not frame.keyframe:
                self._waiting_for_keyframe = True
                self.dropped += 1
                self._want_keyframe()
                return
        self._frames.append(frame)
        self._wake()

    def wait_for_keyframe(self) -> None:
        """Holds video back until the next key frame (a new publisher session starts)."""
        self._waiting_for_keyframe = True

    def _want_keyframe(self) -> None:
        if self.on_keyframe_wanted is not None:
            self.on_keyframe_wanted()

    def _drop_backlog(self) -> None:
        # A slow consumer loses what it has not taken yet: decoding needs a key frame next.
        self.dropped += len(self._frames)
        self._frames.clear()

    def close(self) -> None:
        """Ends the queue; a pending `get` returns None."""
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def get(self) -> EncodedFrame | None:
        """Returns the next frame, or None once the queue is closed and empty."""
        while not self._frames:
            if self.closed:
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        self.delivered += 1
        return self._frames.popleft()

    def __len__(self) -> int:
        return len(self._frames)


class Feed:
    """Fans the frames of one live source out to its consumers' queues."""

    def __init__(self, source: str, on_keyframe_wanted: Callable[[], None] | None = None) -> None:
        self.source = source
        self._queues: list[FrameQueue] = []
        self._on_keyframe_wanted = on_keyframe_wanted
        self.frames_in = 0
        self.bytes_in = 0
        self.last_frame_at: float | None = None
        self.last_video_at: float | None = None
        self.width = 0
        self.height = 0
        self.video_codec: str | None = None

    def subscribe(self, name: str, max_frames: int = 120, kind: Kind | None = None) -> FrameQueue:
        """Adds a consumer; it receives video from the next key frame, which is requested now."""
        queue = FrameQueue(
            name=name, max_frames=max_frames, kind=kind, on_keyframe_wanted=self.request_keyframe
        )
        self._queues.append(queue)
        if kind != "audio":
            self.request_keyframe()
        return queue

    def unsubscribe(self, queue: FrameQueue) -> None:
        queue.close()
        if queue in self._queues:
            self._queues.remove(queue)

    def request_keyframe(self) -> None:
        if self._on_keyframe_wanted is not None:
            self._on_keyframe_wanted()

    def restart(self) -> None:
        """A new publisher session begins: every consumer's video restarts at a key frame."""
        for queue in self._queues:
            queue.wait_for_keyframe()
        self.request_keyframe()

    def publish(self, frame: EncodedFrame) -> None:
        """Delivers a frame to every consumer without waiting for any of them."""
        self.frames_in += 1
        self.bytes_in += len(frame.data)
        self.last_frame_at = frame.received_at
        if frame.kind == "video":
            self.video_codec = frame.codec
            self.last_video_at = frame.received_at
            if frame.width:
                self.width, self.height = frame.width, frame.height
        for queue in self._queues:
            queue.put(frame)

    def close(self) -> None:
        for queue in self._queues:
            queue.close()
        self._queues.clear()

    @property
    def consumers(self) -> list[FrameQueue]:
        return list(self._queues)
