"""Streams that carry already-encoded packets into a container (remux, no codec opened).

PyAV's `add_stream` opens an encoder when the header is written, and its `add_mux_stream` cannot
take extradata (Opus needs an OpusHead, FLV an AVC sequence header). A stream copied from a
template is never opened and its codec context's parameters, extradata included, are what the
muxer writes: so we make a template in a throwaway container and fill in the parameters.
"""

from __future__ import annotations

import io
import struct
from fractions import Fraction

import av
from av.audio.codeccontext import AudioCodecContext
from av.container import OutputContainer
from av.stream import Stream
from av.video.codeccontext import VideoCodecContext

OPUS_SAMPLE_RATE = 48000


def add_copy_stream(
    container: OutputContainer,
    codec: str,
    time_base: Fraction,
    *,
    extradata: bytes = b"",
    width: int = 0,
    height: int = 0,
    sample_rate: int = 0,
    layout: str = "stereo",
) -> Stream:
    """Adds a stream for packets of `codec` ("h264", "vp8", "opus", "aac") to `container`."""
    with av.open(io.BytesIO(), "w", format=container.format.name) as scratch:
        template = scratch.add_stream(codec)
        stream = container.add_stream_from_template(template)
    ctx = stream.codec_context
    if extradata:
        ctx.extradata = extradata
    if isinstance(ctx, VideoCodecContext):
        ctx.width, ctx.height = width, height
    elif isinstance(ctx, AudioCodecContext):
        ctx.sample_rate = sample_rate or OPUS_SAMPLE_RATE
        ctx.layout = layout
    stream.time_base = time_base
    return stream


def opus_head(channels: int = 2, pre_skip: int = 0) -> bytes:
    """The OpusHead identification header (RFC 7845 §5.1) that WebRTC does not send (RFC 7587)."""
    return b"OpusHead" + struct.pack("<BBHIhB", 1, channels, pre_skip, OPUS_SAMPLE_RATE, 0, 0)
