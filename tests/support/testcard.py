"""A test card publisher: the synthetic test pattern and a tone, encoded the way a browser sends
them (H.264 Annex-B without B-frames, or VP8; Opus in 20 ms packets; key frames only when asked)
and published into a `Feed` at real-time pace, as the WHIP ingest would.

For tests and the bench: a real encoder and real timing, no mocks. Each picture carries its
frame counter in a row of black and white blocks, big enough to survive lossy coding and scaling,
behind two sync blocks (`read_counter` says None for a picture without them, e.g. the slate). The
counter starts at `first_counter`, so two cards can be told apart on an output.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
from dataclasses import replace
from fractions import Fraction
from typing import Any

import av
from av.video.frame import PictureType

from hub.media.program.picture import yuv420_frame
from hub.media.relay.frames import EncodedFrame, Feed
from hub.media.relay.transcode import live_video_encoder

VIDEO_CLOCK = 90000
AUDIO_RATE = 48000
AUDIO_PACKET = 960  # 20 ms
STALE = 1.0  # a publisher paused this long resumes at the present, like a camera after a stall
BITS = 24
SYNC = (1, 0)
BLACK, WHITE = 16, 235  # video-range luma
GRAIN = bytes(48 + b % 64 for b in range(256))  # random bytes to mid-grey noise


class Pattern:
    """Paints numbered frames: a moving ramp and the counter's blocks, in YUV 4:2:0."""

    def __init__(self, width: int, height: int, tint: int = 0, grain: bool = False) -> None:
        self.width, self.height, self.grain = width, height, grain
        self.block = _block(width)
        self._ramp = bytes(48 + (i * 2) % 160 for i in range(2 * width))
        self._u, self._v = bytes([100 + tint % 56]), bytes([156 - tint % 56])

    def paint(self, counter: int) -> av.VideoFrame:
        width, height, block = self.width, self.height, self.block
        shift = (counter * 4) % width
        luma = bytearray(self._ramp[shift : shift + width] * height)
        bits = (*SYNC, *((counter >> (BITS - 1 - i)) & 1 for i in range(BITS)))
        row = b"".join(bytes([WHITE if bit else BLACK]) * block for bit in bits)
        for y in range(block, 2 * block):
            luma[y * width + block : y * width + block + len(row)] = row
        if self.grain:  # noise codes like a camera's detail: a realistic bit rate
            third = height * 2 // 3 * width
            noise = os.urandom(len(luma) - third)
            luma[third:] = noise.translate(GRAIN)
        chroma = (width // 2) * (height // 2)
        return yuv420_frame(width, height, bytes(luma), self._u * chroma, self._v * chroma)


def read_counter(picture: av.VideoFrame) -> int | None:
    """The counter painted into a decoded picture; None if it carries no pattern."""
    if picture.format.name != "yuv420p":
        picture = picture.reformat(format="yuv420p")
    plane = picture.planes[0]
    luma, stride = bytes(plane), plane.line_size
    block = _block(picture.width)
    y = block + block // 2
    bits = []
    for i in range(BITS + len(SYNC)):
        x = block + i * block + block // 2
        level = sum(luma[(y + dy) * stride + x + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1))
        bits.append(int(level > 9 * 128))
    if tuple(bits[: len(SYNC)]) != SYNC:
        return None
    return int("".join(map(str, bits[len(SYNC) :])), 2)


def _block(width: int) -> int:
    return max(2, width // (BITS + len(SYNC) + 2) // 2 * 2)


class PatternCard:
    """Encodes numbered test pattern frames and tone packets into `EncodedFrame`s."""

    def __init__(
        self,
        codec: str = "H264",
        width: int = 320,
        height: int = 180,
        fps: int = 30,
        *,
        first_counter: int = 0,
        audio: bool = True,
        bit_rate: int = 600_000,
        tone_hz: int = 1000,
        grain: bool = False,
    ) -> None:
        self.codec, self.fps, self.first_counter = codec, fps, first_counter
        self.with_audio = audio
        self.pattern = Pattern(width, height, tint=first_counter, grain=grain)
        self.encoder = live_video_encoder(  # key frames only when a frame asks for one
            codec, width, height, bit_rate, fps=fps, gop=100_000, time_base=Fraction(1, fps)
        )
        self.opus = _opus_encoder()
        self.tone = _tone(tone_hz)
        self.keyframe_wanted = True
        self.keyframe_counters: list[int] = []  # the counters painted into key frames
        self.video_index = 0
        self.audio_index = 0
        self._started: float | None = None

    def request_keyframe(self) -> None:
        """What a browser does on a PLI: the next frame is a key frame."""
        self.keyframe_wanted = True

    def feed(self, source: str) -> Feed:
        """A feed whose key frame requests reach this card."""
        return Feed(source, on_keyframe_wanted=self.request_keyframe)

    def video_frame(self, index: int, received_at: float) -> EncodedFrame | None:
        picture = self.pattern.paint(self.first_counter + index)
        picture.pts = index
        picture.pict_type = PictureType.I if self.keyframe_wanted else PictureType.NONE
        self.keyframe_wanted = False
        packets = self.encoder.encode(picture)
        if not packets:
            return None
        key = any(p.is_keyframe for p in packets)
        if key:
            self.keyframe_counters.append(self.first_counter + index)
        return EncodedFrame(
            kind="video",
            codec=self.codec,
            data=b"".join(bytes(p) for p in packets),
            pts=index * VIDEO_CLOCK // self.fps,
            clock_rate=VIDEO_CLOCK,
            keyframe=key,
            received_at=received_at,
            width=self.pattern.width if key else 0,
            height=self.pattern.height if key else 0,
        )

    def audio_frame(self, index: int, received_at: float) -> EncodedFrame | None:
        frame = av.AudioFrame(format="s16", layout="stereo", samples=AUDIO_PACKET)
        frame.planes[0].update(self.tone)
        frame.sample_rate = AUDIO_RATE
        frame.pts = index * AUDIO_PACKET
        frame.time_base = Fraction(1, AUDIO_RATE)
        packets = self.opus.encode(frame)
        if not packets:
            return None
        return EncodedFrame(
            kind="audio",
            codec="opus",
            data=bytes(packets[0]),
            pts=index * AUDIO_PACKET,
            clock_rate=AUDIO_RATE,
            keyframe=True,
            received_at=received_at,
        )

    def clip(self, seconds: float, keyframe_every: float = 1.0) -> list[EncodedFrame]:
        """Pre-encoded frames in time order, key frames at a fixed interval, for `replay`."""
        frames: list[EncodedFrame] = []
        for index in range(round(seconds * self.fps)):
            if index % max(1, round(keyframe_every * self.fps)) == 0:
                self.request_keyframe()
            frames.extend(f for f in [self.video_frame(index, 0.0)] if f is not None)
        if self.with_audio:
            packets = round(seconds * AUDIO_RATE / AUDIO_PACKET)
            frames.extend(f for i in range(packets) if (f := self.audio_frame(i, 0.0)))
        return sorted(frames, key=lambda f: f.pts / f.clock_rate)

    async def publish(self, feed: Feed, seconds: float) -> None:
        """Publishes for `seconds` at real-time pace; a later call carries on the same clock."""
        loop = asyncio.get_running_loop()
        if self._started is None:
            self._started = loop.time()
        end = loop.time() + seconds
        while (now := loop.time()) < end:
            self._publish_due(feed, now - self._started, now)
            next_video = self._started + self.video_index / self.fps
            next_audio = self._started + self.audio_index * AUDIO_PACKET / AUDIO_RATE
            due = min(next_video, next_audio) if self.with_audio else next_video
            await asyncio.sleep(max(0.0, min(due, end) - loop.time()))

    def _publish_due(self, feed: Feed, elapsed: float, now: float) -> None:
        video_due = int(elapsed * self.fps)
        audio_due = int(elapsed * AUDIO_RATE / AUDIO_PACKET)
        if video_due - self.video_index > STALE * self.fps:  # resumed after a pause
            self.video_index = video_due
            self.audio_index = audio_due
        while self.video_index <= video_due:
            frame = self.video_frame(self.video_index, now)
            self.video_index += 1
            if frame is not None:
                feed.publish(frame)
        while self.with_audio and self.audio_index <= audio_due:
            packet = self.audio_frame(self.audio_index, now)
            self.audio_index += 1
            if packet is not None:
                feed.publish(packet)


def _opus_encoder() -> Any:
    encoder: Any = av.CodecContext.create("libopus", "w")
    encoder.sample_rate, encoder.layout, encoder.format = AUDIO_RATE, "stereo", "s16"
    encoder.time_base = Fraction(1, AUDIO_RATE)
    encoder.bit_rate = 64_000
    return encoder


def _tone(hz: int) -> bytes:
    """20 ms of a stereo sine tone (a whole number of periods, so packets join seamlessly)."""
    samples = bytearray()
    for n in range(AUDIO_PACKET):
        value = int(3000 * math.sin(2 * math.pi * hz * n / AUDIO_RATE))
        samples += value.to_bytes(2, "little", signed=True) * 2
    return bytes(samples)


async def replay(clip: list[EncodedFrame], feed: Feed, seconds: float, fps: int = 30) -> None:
    """Publishes a pre-encoded clip over and over at real-time pace, its timestamps running on:
    a source that costs next to nothing, for measuring what consumes it."""
    loop = asyncio.get_running_loop()
    length = max(f.pts / f.clock_rate for f in clip) + 1 / fps
    start = loop.time()
    for lap in itertools.count():
        for frame in clip:
            due = start + lap * length + frame.pts / frame.clock_rate
            if due - start >= seconds:
                return
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            offset = round(lap * length * frame.clock_rate)
            feed.publish(replace(frame, pts=frame.pts + offset, received_at=loop.time()))
