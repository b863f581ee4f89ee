"""Reading the synthetic camera's pattern back from a decoded frame, and a raw (unencoded)
video track of it, for tests and benches."""

from __future__ import annotations

import time

import av
from aiortc.mediastreams import MediaStreamTrack

from hub.demo_camera import BITS, VIDEO_CLOCK, VIDEO_TIME_BASE, Pacer, TestPattern


def _read_bits(frame: av.VideoFrame, row: int) -> int:
    block = frame.width // BITS
    margin = 2 * max(1, frame.height // 90)
    y = frame.height - 2 * block - margin + row * block + block // 2
    plane = frame.planes[0]
    luma = bytes(plane)
    stride = plane.line_size
    value = 0
    for i in range(BITS):
        x = i * block + block // 2
        level = sum(luma[(y + dy) * stride + x + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1))
        value = (value << 1) | (level > 9 * 128)
    return value


def read_counter(frame: av.VideoFrame) -> int:
    """The frame counter painted into a (decoded) test pattern frame."""
    return _read_bits(frame, 0)


def read_clock_ms(frame: av.VideoFrame) -> int:
    """The wall-clock milliseconds (low 32 bits) painted into a test pattern frame."""
    return _read_bits(frame, 1)


def clock_ms_age(painted_ms: int, now: float) -> int:
    """Milliseconds from a painted clock value to `now` (seconds since the epoch)."""
    return (int(now * 1000) - painted_ms) % (1 << 32)


class SyntheticVideoTrack(MediaStreamTrack):
    """A live video track of the test pattern, paced in real time."""

    kind = "video"

    def __init__(self, width: int = 640, height: int = 360, fps: int = 30, label: str = "") -> None:
        super().__init__()
        self.pattern = TestPattern(width, height, label)
        self.fps = fps
        self.counter = 0
        self._pacer = Pacer()

    async def recv(self) -> av.VideoFrame:
        await self._pacer.until(self.counter / self.fps)
        frame = self.pattern.paint(self.counter, time.time())
        frame.pts = self.counter * VIDEO_CLOCK // self.fps
        frame.time_base = VIDEO_TIME_BASE
        self.counter += 1
        return frame
