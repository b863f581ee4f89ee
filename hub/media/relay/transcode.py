"""One shared transcode of a source's video into another codec, for viewers that cannot take it.

A source is decoded once and encoded once per target codec, however many viewers need it; the
result is a `Feed` of its own, so those viewers get the same bounded fan-out as everyone else.
Decoding and encoding run in a worker thread (PyAV releases the GIL), one frame at a time; if
they fall behind, the input queue drops to the next key frame like any slow consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
from typing import Any, cast

import av
from av.codec.context import CodecContext
from av.video.codeccontext import VideoCodecContext
from av.video.frame import PictureType

from hub.media.relay.frames import EncodedFrame, Feed

logger = logging.getLogger(__name__)

VIDEO_TIME_BASE = fractions.Fraction(1, 90000)
DECODERS = {"H264": "h264", "VP8": "vp8"}
GOP_FRAMES = 300  # a key frame at least every 10 s at 30 fps, besides those viewers ask for
BIT_RATES = {"VP8": 1_200_000, "H264": 2_000_000}  # of a transcode


def live_video_encoder(
    codec: str,
    width: int,
    height: int,
    bit_rate: int,
    *,
    fps: int = 30,
    gop: int = GOP_FRAMES,
    time_base: fractions.Fraction = VIDEO_TIME_BASE,
) -> VideoCodecContext:
    """The hub's encoder for live video (transcodes, the demo camera, test cards): one frame in,
    one frame out, no B-frames. VP8 is libvpx on one thread (with several it collapses on these
    machines); H.264 is libx264's Constrained Baseline, and a frame marked `PictureType.I` comes
    out as an IDR, so that a key frame a viewer asks for starts a picture anyone can decode."""
    if codec == "VP8":
        context: Any = CodecContext.create("libvpx", "w")
        context.thread_count = 1
        context.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    else:
        context = CodecContext.create("libx264", "w")
        context.profile = "Constrained Baseline"
        context.options = {"preset": "ultrafast", "tune": "zerolatency", "forced-idr": "1"}
    context.width, context.height, context.pix_fmt = width, height, "yuv420p"
    context.bit_rate = bit_rate
    context.time_base = time_base
    context.framerate = fractions.Fraction(fps, 1)
    context.gop_size = gop
    encoder: VideoCodecContext = context
    return encoder


class Transcoder:
    """Decodes one feed's video and publishes it re-encoded as `codec` on `self.feed`."""

    def __init__(self, source: Feed, codec: str, queue_frames: int = 30) -> None:
        self.codec = codec
        self.feed = Feed(f"{source.source}/{codec}", on_keyframe_wanted=self.request_keyframe)
        self._source = source
        self._input = source.subscribe(f"transcode/{codec}", max_frames=queue_frames, kind="video")
        self._decoder: VideoCodecContext | None = None
        self._decoder_codec: str | None = None
        self._encoder: VideoCodecContext | None = None
        self._keyframe_wanted = True
        self.frames_out = 0
        self._task = asyncio.get_running_loop().create_task(self._run())

    def request_keyframe(self) -> None:
        """The next encoded frame is a key frame (a viewer joined or lost a picture)."""
        self._keyframe_wanted = True

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while (frame := await self._input.get()) is not None:
            try:
                encoded = await loop.run_in_executor(None, self._transcode, frame)
            except av.FFmpegError as exc:
                logger.warning(
                    "transcode of %s to %s failed: %s", self._source.source, self.codec, exc
                )
                self._decoder = None
                self._source.request_keyframe()
                continue
            now = loop.time()
            for data, keyframe, width, height in encoded:
                self.frames_out += 1
                self.feed.publish(
                    EncodedFrame(
                        kind="video",
                        codec=self.codec,
                        data=data,
                        pts=frame.pts,
                        clock_rate=frame.clock_rate,
                        keyframe=keyframe,
                        received_at=now,
                        width=width if keyframe else 0,
                        height=height if keyframe else 0,
                    )
                )

    def _transcode(self, frame: EncodedFrame) -> list[tuple[bytes, bool, int, int]]:
        """Runs in a worker thread: one encoded frame in, the re-encoded frames out."""
        if self._decoder is None or self._decoder_codec != frame.codec:
            self._decoder = cast(VideoCodecContext, CodecContext.create(DECODERS[frame.codec], "r"))
            self._decoder.thread_count = 1
            self._decoder_codec = frame.codec
        packet = av.Packet(frame.data)
        packet.pts = frame.pts
        packet.time_base = VIDEO_TIME_BASE
        out: list[tuple[bytes, bool, int, int]] = []
        for picture in self._decoder.decode(packet):
            if not isinstance(picture, av.VideoFrame):
                continue
            encoder = self._encoder
            if encoder is None or (encoder.width, encoder.height) != (
                picture.width,
                picture.height,
            ):
                encoder = self._encoder = live_video_encoder(
                    self.codec, picture.width, picture.height, BIT_RATES[self.codec]
                )
                self._keyframe_wanted = True
            picture = picture.reformat(format="yuv420p")
            picture.pts = frame.pts
            picture.time_base = VIDEO_TIME_BASE
            picture.pict_type = PictureType.I if self._keyframe_wanted else PictureType.NONE
            self._keyframe_wanted = False
            for encoded in encoder.encode(picture):
                out.append((bytes(encoded), encoded.is_keyframe, picture.width, picture.height))
        return out

    async def close(self) -> None:
        """Stops transcoding and ends the feed; its viewers' queues close."""
        self._source.unsubscribe(self._input)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self.feed.close()
