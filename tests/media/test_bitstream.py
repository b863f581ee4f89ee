"""Key frames and picture sizes read from real encoder output (libvpx, libx264 via PyAV)."""

from __future__ import annotations

import fractions
from typing import Any

import av
import pytest

from hub.media.codec.bitstream import (
    FrameInfo,
    h264_frame_info,
    h264_parameter_sets,
    nal_units,
    vp8_frame_info,
)

SIZES = [(320, 240), (640, 360), (1280, 720), (642, 362), (1920, 1080)]


def encode(codec: str, width: int, height: int, count: int = 3, **settings: Any) -> list[bytes]:
    pix_fmt = settings.pop("pix_fmt", "yuv420p")
    encoder: Any = av.CodecContext.create(codec, "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, pix_fmt
    encoder.time_base = fractions.Fraction(1, 30)
    encoder.options = {"deadline": "realtime"} if codec == "libvpx" else {"preset": "ultrafast"}
    encoder.options = {**encoder.options, **settings}
    out = []
    for index in range(count):
        frame = av.VideoFrame(width, height, pix_fmt)
        for plane in frame.planes:
            plane.update(bytes([index * 40 % 256]) * plane.buffer_size)
        frame.pts = index
        out += [bytes(packet) for packet in encoder.encode(frame)]
    out += [bytes(packet) for packet in encoder.encode(None)]
    return out


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_vp8_key_frame_and_size(width: int, height: int) -> None:
    first, *rest = encode("libvpx", width, height)
    assert vp8_frame_info(first) == FrameInfo(True, width, height)
    assert all(not vp8_frame_info(frame).keyframe for frame in rest)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_h264_baseline_key_frame_and_size(width: int, height: int) -> None:
    first, *rest = encode("libx264", width, height, tune="zerolatency")
    assert h264_frame_info(first) == FrameInfo(True, width, height)
    assert all(not h264_frame_info(frame).keyframe for frame in rest)


@pytest.mark.parametrize(
    "settings",
    [
        {"x264-params": "cqm=jvt"},  # High profile with scaling lists in the SPS
        {"x264-params": "interlaced=1"},  # field coding: frame_mbs_only_flag = 0
        {"pix_fmt": "yuv444p"},  # High 4:4:4: other crop units
        {"pix_fmt": "yuv422p"},
    ],
)
def test_h264_size_from_high_profiles(settings: dict[str, str]) -> None:
    first = encode("libx264", 1280, 720, count=1, **settings)[0]
    assert h264_frame_info(first) == FrameInfo(True, 1280, 720)


def test_a_truncated_sps_gives_no_size_rather_than_an_error() -> None:
    first = encode("libx264", 640, 360, count=1)[0]
    sps, pps = h264_parameter_sets(first)
    assert sps is not None and pps is not None
    broken = b"\x00\x00\x00\x01" + sps[:4] + b"\x00\x00\x00\x01\x65\x88"
    assert h264_frame_info(broken) == FrameInfo(True, 0, 0)


def test_nal_units_split_on_three_and_four_byte_start_codes() -> None:
    stream = b"\x00\x00\x00\x01\x67\x01\x00\x00\x01\x68\x02\x00\x00\x01\x65\x03"
    assert list(nal_units(stream)) == [b"\x67\x01", b"\x68\x02", b"\x65\x03"]


def test_garbage_is_not_a_key_frame() -> None:
    assert vp8_frame_info(b"\x00\x01\x02") == FrameInfo(False)
    assert h264_frame_info(b"\x01\x02\x03") == FrameInfo(False)
