"""Synthetic live sources: a moving test pattern with a burnt-in clock and counter, and a tone.

The pattern is readable by eye (time of day, frame number, label) and by machine: two rows of 32
black or white blocks at the bottom carry the frame counter and the wall-clock time in
milliseconds (low 32 bits), big enough to survive lossy coding, so a test or a bench reads them
back from a decoded frame (`read_counter`, `read_clock_ms`). Painting uses byte-slice assignment
only (no numpy): about 1 ms per 720p frame.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
import zlib
from typing import Any

import av
from aiortc.mediastreams import MediaStreamTrack
from av.video.frame import PictureType

VIDEO_CLOCK = 90000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK)
AUDIO_RATE = 48000
AUDIO_FRAME = 960  # 20 ms, one Opus frame
BITS = 32
BLACK, WHITE = 16, 235  # video-range luma

# A 5x7 font: each glyph is seven rows of five bits, most significant bit on the left.
FONT: dict[str, tuple[int, ...]] = {
    " ": (0, 0, 0, 0, 0, 0, 0),
    "0": (14, 17, 19, 21, 25, 17, 14),
    "1": (4, 12, 4, 4, 4, 4, 14),
    "2": (14, 17, 1, 2, 4, 8, 31),
    "3": (31, 2, 4, 2, 1, 17, 14),
    "4": (2, 6, 10, 18, 31, 2, 2),
    "5": (31, 16, 30, 1, 1, 17, 14),
    "6": (6, 8, 16, 30, 17, 17, 14),
    "7": (31, 1, 2, 4, 8, 8, 8),
    "8": (14, 17, 17, 14, 17, 17, 14),
    "9": (14, 17, 17, 15, 1, 2, 12),
    ":": (0, 12, 12, 0, 12, 12, 0),
    ".": (0, 0, 0, 0, 0, 12, 12),
    "#": (10, 10, 31, 10, 31, 10, 10),
    "-": (0, 0, 0, 31, 0, 0, 0),
    "_": (0, 0, 0, 0, 0, 0, 31),
    "/": (1, 1, 2, 4, 8, 16, 16),
    "A": (14, 17, 17, 31, 17, 17, 17),
    "B": (30, 17, 17, 30, 17, 17, 30),
    "C": (14, 17, 16, 16, 16, 17, 14),
    "D": (28, 18, 17, 17, 17, 18, 28),
    "E": (31, 16, 16, 30, 16, 16, 31),
    "F": (31, 16, 16, 30, 16, 16, 16),
    "G": (14, 17, 16, 23, 17, 17, 15),
    "H": (17, 17, 17, 31, 17, 17, 17),
    "I": (14, 4, 4, 4, 4, 4, 14),
    "J": (7, 2, 2, 2, 2, 18, 12),
    "K": (17, 18, 20, 24, 20, 18, 17),
    "L": (16, 16, 16, 16, 16, 16, 31),
    "M": (17, 27, 21, 21, 17, 17, 17),
    "N": (17, 17, 25, 21, 19, 17, 17),
    "O": (14, 17, 17, 17, 17, 17, 14),
    "P": (30, 17, 17, 30, 16, 16, 16),
    "Q": (14, 17, 17, 17, 21, 18, 13),
    "R": (30, 17, 17, 30, 20, 18, 17),
    "S": (15, 16, 16, 14, 1, 1, 30),
    "T": (31, 4, 4, 4, 4, 4, 4),
    "U": (17, 17, 17, 17, 17, 17, 14),
    "V": (17, 17, 17, 17, 17, 10, 4),
    "W": (17, 17, 17, 21, 21, 21, 10),
    "X": (17, 17, 10, 4, 10, 17, 17),
    "Y": (17, 17, 10, 4, 4, 4, 4),
    "Z": (31, 1, 2, 4, 8, 16, 31),
}


class TestPattern:
    """Paints numbered frames of a moving pattern into YUV 4:2:0 `av.VideoFrame`s."""

    def __init__(self, width: int = 640, height: int = 360, label: str = "") -> None:
        if width < BITS * 4 or height < 64 or width % 2 or height % 2:
            raise ValueError(
                f"a test pattern needs an even size of at least 128x64, not {width}x{height}"
            )
        self.width, self.height, self.label = width, height, label.upper()
        self.block = width // BITS
        self.scale = max(1, height // 90)
        self._ramp = bytes(16 + (i * 3) % 200 for i in range(2 * width))
        tint = zlib.crc32(label.encode())
        self._u, self._v = 108 + tint % 40, 108 + (tint >> 8) % 40
        self._glyphs: dict[str, list[bytes]] = {}

    def paint(self, counter: int, wall_time: float) -> av.VideoFrame:
        """Frame `counter`, stamped with `wall_time` (seconds since the epoch)."""
        width, height, scale = self.width, self.height, self.scale
        offset = (counter * 4) % width
        luma = bytearray(self._ramp[offset : offset + width] * height)
        box = height // 6
        x = (counter * 6) % (width - box)
        for y in range(height // 2, height // 2 + box):
            luma[y * width + x : y * width + x + box] = bytes([WHITE]) * box
        clock = (
            time.strftime("%H:%M:%S", time.localtime(wall_time))
            + f".{int(wall_time * 1000) % 1000:03d}"
        )
        margin = 2 * scale
        top = height // 6  # below where a wall tile writes the source's name
        self._text(luma, margin, top, clock)
        self._text(luma, margin, top + 9 * scale, f"#{counter:06d}")
        if self.label:
            self._text(luma, margin, top + 18 * scale, self.label[:24])
        data_top = height - 2 * self.block - margin
        self._bits(luma, data_top, counter)
        self._bits(luma, data_top + self.block, int(wall_time * 1000))
        frame = av.VideoFrame(width, height, "yuv420p")
        _fill_plane(frame.planes[0], bytes(luma), width, height)
        chroma = (width // 2) * (height // 2)
        _fill_plane(frame.planes[1], bytes([self._u]) * chroma, width // 2, height // 2)
        _fill_plane(frame.planes[2], bytes([self._v]) * chroma, width // 2, height // 2)
        return frame

    def _text(self, luma: bytearray, x: int, y: int, text: str) -> None:
        rows = [b"".join(self._glyph(char)[row] for char in text) for row in range(7)]
        length = min(len(rows[0]), self.width - x)
        for row, pixels in enumerate(rows):
            for dy in range(self.scale):
                start = (y + row * self.scale + dy) * self.width + x
                luma[start : start + length] = pixels[:length]

    def _glyph(self, char: str) -> list[bytes]:
        cached = self._glyphs.get(char)
        if cached is None:
            s = self.scale
            bits = FONT.get(char, FONT[" "])
            cached = [
                b"".join(bytes([WHITE if row >> (4 - c) & 1 else BLACK]) * s for c in range(5))
                + bytes([BLACK]) * s
                for row in bits
            ]
            self._glyphs[char] = cached
        return cached

    def _bits(self, luma: bytearray, top: int, value: int) -> None:
        block = self.block
        pixels = b"".join(
            bytes([WHITE if value >> (BITS - 1 - i) & 1 else BLACK]) * block for i in range(BITS)
        )
        for y in range(top, top + block):
            luma[y * self.width : y * self.width + len(pixels)] = pixels


def _fill_plane(plane: Any, data: bytes, width: int, height: int) -> None:
    stride = plane.line_size
    if stride != width:  # FFmpeg pads lines for alignment
        padding = bytes(stride - width)
        data = b"".join(data[y * width : (y + 1) * width] + padding for y in range(height))
    plane.update(data)


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
        self._start: float | None = None

    async def recv(self) -> av.VideoFrame:
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        due = self._start + self.counter / self.fps
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        frame = self.pattern.paint(self.counter, time.time())
        frame.pts = self.counter * VIDEO_CLOCK // self.fps
        frame.time_base = VIDEO_TIME_BASE
        self.counter += 1
        return frame


class ToneAudioTrack(MediaStreamTrack):
    """A live 440 Hz tone with a short 880 Hz pip at the start of every second."""

    kind = "audio"

    def __init__(self, level: float = 0.1) -> None:
        super().__init__()
        amplitude = int(32767 * level)
        samples = bytearray()
        for n in range(AUDIO_RATE):
            pitch = 880 if n < AUDIO_RATE // 10 else 440
            sample = int(amplitude * math.sin(2 * math.pi * pitch * n / AUDIO_RATE))
            samples += sample.to_bytes(2, "little", signed=True)
        self._second = bytes(samples)
        self._sent = 0
        self._start: float | None = None
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Sends nothing for `seconds` (a stalled link), then goes on where the clock is."""
        self._paused_until = time.monotonic() + seconds

    async def recv(self) -> av.AudioFrame:
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        if (left := self._paused_until - time.monotonic()) > 0:
            await asyncio.sleep(left)
            self._sent = int((loop.time() - self._start) * AUDIO_RATE) // AUDIO_FRAME * AUDIO_FRAME
        due = self._start + self._sent / AUDIO_RATE
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        offset = (self._sent % AUDIO_RATE) * 2
        frame = av.AudioFrame(format="s16", layout="mono", samples=AUDIO_FRAME)
        frame.planes[0].update(self._second[offset : offset + AUDIO_FRAME * 2])
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._sent
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._sent += AUDIO_FRAME
        return frame


class EncodedPatternTrack(MediaStreamTrack):
    """A video track that encodes the test pattern itself and returns `av.Packet`s.

    aiortc's sender only packetises them, so the exact bytes sent are known (`on_packet`), and
    a key frame comes every `gop` frames or when asked (`request_keyframe`, routed from PLIs).
    """

    kind = "video"

    def __init__(
        self,
        codec: str = "VP8",
        width: int = 640,
        height: int = 360,
        fps: int = 30,
        gop: int = 60,
        bit_rate: int = 1_000_000,
        label: str = "",
        remember: bool = True,
    ) -> None:
        super().__init__()
        self.codec, self.fps, self.gop = codec, fps, gop
        self.pattern = TestPattern(width, height, label)
        self.encoder = _pattern_encoder(codec, width, height, fps, bit_rate)
        self.counter = 0
        self.remember = remember  # off for a feed that runs for days (`hub demo`)
        self.sent: dict[int, bytes] = {}  # frame counter → encoded frame, for tests to compare
        self._paused_until = 0.0
        self._keyframe_wanted = True
        self._pending: list[av.Packet[Any]] = []
        self._start: float | None = None

    def request_keyframe(self) -> None:
        self._keyframe_wanted = True

    def pause(self, seconds: float) -> None:
        """Sends nothing for `seconds`, like a camera whose network stalls, then goes on."""
        self._paused_until = time.monotonic() + seconds

    async def recv(self) -> av.Packet[Any]:
        while not self._pending:
            await self._pace()
            if time.monotonic() < self._paused_until:
                self.counter += 1
                self._keyframe_wanted = True  # the viewers will have asked for one meanwhile
                continue
            frame = self.pattern.paint(self.counter, time.time())
            frame.pts = self.counter * VIDEO_CLOCK // self.fps
            frame.time_base = VIDEO_TIME_BASE
            key = self._keyframe_wanted or self.counter % self.gop == 0
            frame.pict_type = PictureType.I if key else PictureType.NONE
            self._keyframe_wanted = False
            packets = self.encoder.encode(frame)
            data = b"".join(bytes(p) for p in packets)
            if data:
                if self.remember:
                    self.sent[self.counter] = data
                packet = av.Packet(data)
                packet.pts, packet.time_base = frame.pts, VIDEO_TIME_BASE
                self._pending.append(packet)
            self.counter += 1
        return self._pending.pop(0)

    async def _pace(self) -> None:
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        due = self._start + self.counter / self.fps
        if due > loop.time():
            await asyncio.sleep(due - loop.time())


def _pattern_encoder(codec: str, width: int, height: int, fps: int, bit_rate: int) -> Any:
    """A low-latency PyAV encoder: one frame in, one frame out, no B-frames."""
    if codec == "VP8":
        encoder: Any = av.CodecContext.create("libvpx", "w")
        encoder.thread_count = 1
        encoder.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    else:
        encoder = av.CodecContext.create("libx264", "w")
        encoder.profile = "Constrained Baseline"
        encoder.options = {"preset": "ultrafast", "tune": "zerolatency"}
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
    encoder.bit_rate = bit_rate
    encoder.time_base = VIDEO_TIME_BASE
    encoder.framerate = fractions.Fraction(fps, 1)
    encoder.gop_size = 10_000  # key frames when this track decides (gop, or asked)
    return encoder
