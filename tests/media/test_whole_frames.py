"""Only whole frames leave the receive path: a recorded packet sequence replayed with holes."""

from __future__ import annotations

import pytest
from aiortc.rtp import RtpPacket

from hub.media.codec.bitstream import nal_units
from hub.media.codec.whole_frames import (
    h264_has_parameter_sets,
    h264_whole,
    vp8_payload_starts_frame,
    vp8_whole,
)
from hub.media.relay.frames import EncodedFrame
from tests.media.rtp_replay import Recorded, record, replay, without


def same_frame(codec: str, frame: EncodedFrame, sent: bytes) -> bool:
    if codec == "VP8":
        return frame.data == sent
    # RTP carries NAL units without start codes; the hub may put SPS/PPS before an IDR.
    forwarded = [nal for nal in nal_units(frame.data) if nal[0] & 0x1F not in (7, 8)]
    return forwarded == [nal for nal in nal_units(sent) if nal[0] & 0x1F not in (7, 8)]


def check_all_whole(codec: str, recorded: Recorded, forwarded: list[EncodedFrame]) -> None:
    for frame in forwarded:
        assert same_frame(codec, frame, recorded.frames[frame.pts]), f"frame {frame.pts} is partial"
        assert frame.keyframe == (frame.pts in recorded.keyframes)


@pytest.mark.parametrize("codec", ["VP8", "H264"])
async def test_a_clean_sequence_is_forwarded_whole_and_complete(codec: str) -> None:
    recorded = record(codec, 20, keyframes=[0])

    result = await replay(codec, recorded.packets)

    check_all_whole(codec, recorded, result.forwarded)
    assert [frame.pts for frame in result.forwarded] == sorted(recorded.frames)
    assert result.receiver.counts.partial_frames == 0


@pytest.mark.parametrize("lost", [1, 3])
async def test_the_tail_of_an_idr_is_not_taken_for_a_key_frame(lost: int) -> None:
    """The stream's first packets (SPS, PPS, the first slices' start) never arrived."""
    recorded = record("H264", 30, keyframes=[0, 15], slices=4)

    result = await replay("H264", recorded.packets[lost:])

    check_all_whole("H264", recorded, result.forwarded)
    times = sorted(recorded.frames)
    assert [frame.pts for frame in result.forwarded] == times[15:]
    assert result.receiver.counts.partial_frames == 1


@pytest.mark.parametrize("codec", ["VP8", "H264"])
async def test_after_the_buffer_overflows_only_the_next_whole_key_frame_goes(codec: str) -> None:
    """Every frame of a long run loses its first packets, so aiortc's buffer overflows mid-frame.

    For H.264 the first two: SPS/PPS and the start of the IDR's first slice, leaving its tail.
    """
    lost = 1 if codec == "VP8" else 2
    lossy = range(5, 185)
    recorded = record(codec, 210, keyframes=[0, *lossy, 200])
    times = sorted(recorded.frames)
    firsts = {times[i] for i in lossy}
    seen: dict[int, int] = {}

    def first_of_a_lossy_frame(index: int, packet: RtpPacket) -> bool:
        if packet.timestamp not in firsts:
            return False
        seen[packet.timestamp] = seen.get(packet.timestamp, 0) + 1
        return seen[packet.timestamp] <= lost

    packets = without(recorded.packets, first_of_a_lossy_frame)
    assert len(packets) - 5 * 4 > 512, "enough to overflow the 512-packet buffer"

    result = await replay(codec, packets)

    check_all_whole(codec, recorded, result.forwarded)
    assert [frame.pts for frame in result.forwarded] == times[:5] + times[200:]
    counts = result.receiver.keyframes.counts
    assert counts.wanted > counts.requested == 1, "aiortc's own flag went through the bound"


def test_a_vp8_payload_starts_a_frame_only_at_partition_zero_with_its_start_bit() -> None:
    assert vp8_payload_starts_frame(bytes([0x10, 0]))
    assert not vp8_payload_starts_frame(bytes([0x00, 0]))  # a continuation
    assert not vp8_payload_starts_frame(bytes([0x11, 0]))  # partition 1
    assert not vp8_payload_starts_frame(b"")


def test_a_vp8_key_frame_shorter_than_its_first_partition_is_not_whole() -> None:
    size = 100
    tag = (size << 5).to_bytes(3, "little")
    header = tag + b"\x9d\x01\x2a" + b"\x40\x01\xf0\x00"
    assert vp8_whole(header + bytes(size), keyframe=True)
    assert not vp8_whole(header + bytes(size - 1), keyframe=True)


def test_an_idr_without_its_parameter_sets_or_first_slice_is_not_whole() -> None:
    sps, pps = b"\x00\x00\x00\x01\x67\x42", b"\x00\x00\x00\x01\x68\xce"
    first = b"\x00\x00\x00\x01\x65\x88\x80"  # first_mb_in_slice = 0 (ue "1")
    later = b"\x00\x00\x00\x01\x65\x20\x80"  # first_mb_in_slice = 7 (ue "0001000")
    assert h264_whole(sps + pps + first + later, at_boundary=False)
    assert h264_has_parameter_sets(sps + pps + first + later)
    assert not h264_has_parameter_sets(first + later)
    assert not h264_whole(sps + pps + later, at_boundary=False)
    assert not h264_whole(b"\x12\x34" + first, at_boundary=False)  # a fragment's rest first
