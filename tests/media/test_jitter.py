"""Frame release in the hub's receive path: on the marker bit, not one frame later."""

from __future__ import annotations

from typing import Any

from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from hub.media.ingest.jitter import AudioPacketBuffer, MarkerJitterBuffer


def rtp(seq: int, timestamp: int, marker: int = 0, data: bytes = b"") -> RtpPacket:
    packet = RtpPacket(payload_type=96, sequence_number=seq, timestamp=timestamp, marker=marker)
    packet._data = data or bytes([seq % 256])  # type: ignore[attr-defined]  # set by aiortc
    return packet


def last_released(buffer: Any, *packets: RtpPacket) -> tuple[bool, Any]:
    """Adds the packets in turn, none but the last releasing a frame; answers what the last does."""
    *first, last = packets
    for packet in first:
        assert buffer.add(packet) == (False, None), packet.sequence_number
    result: tuple[bool, Any] = buffer.add(last)
    return result


def test_a_frame_is_released_on_its_marker_bit() -> None:
    pli, frame = last_released(
        MarkerJitterBuffer(),
        rtp(100, 3000, data=b"ab"),
        rtp(101, 3000, data=b"cd"),
        rtp(102, 3000, marker=1, data=b"ef"),
    )

    assert not pli
    assert frame is not None
    assert (frame.data, frame.timestamp) == (b"abcdef", 3000)


def test_aiortc_holds_the_same_frame_until_the_next_one_begins() -> None:
    _, frame = last_released(
        JitterBuffer(capacity=512, is_video=True),
        rtp(100, 3000, data=b"ab"),
        rtp(101, 3000, marker=1, data=b"cd"),  # the frame is whole here, and still held
        rtp(102, 6000, data=b"ef"),
    )

    assert frame is not None and frame.data == b"abcd"


def test_a_marker_that_overtakes_a_packet_waits_for_it() -> None:
    _, frame = last_released(
        MarkerJitterBuffer(),
        rtp(100, 3000, data=b"ab"),
        rtp(102, 3000, marker=1, data=b"ef"),
        rtp(101, 3000, data=b"cd"),
    )

    assert frame is not None and frame.data == b"abcdef"


def test_frames_follow_one_another() -> None:
    buffer = MarkerJitterBuffer()
    released = []
    for seq, timestamp, marker in [(1, 0, 1), (2, 3000, 0), (3, 3000, 1), (4, 6000, 1)]:
        _, frame = buffer.add(rtp(seq, timestamp, marker))
        released.append(frame.timestamp if frame else None)
    assert released == [0, None, 3000, 6000]


def test_a_frame_without_a_marker_goes_when_the_next_frame_begins() -> None:
    buffer = MarkerJitterBuffer()
    buffer.add(rtp(1, 0, data=b"a"))

    _, frame = buffer.add(rtp(2, 3000, data=b"b"))

    assert frame is not None and (frame.data, frame.timestamp) == (b"a", 0)


def test_a_late_packet_of_a_released_frame_is_ignored() -> None:
    buffer = MarkerJitterBuffer()
    buffer.add(rtp(5, 0, marker=1))
    assert buffer.add(rtp(4, 0)) == (False, None)
    _, frame = buffer.add(rtp(6, 3000, marker=1))
    assert frame is not None and frame.timestamp == 3000


def test_the_buffer_remembers_the_media_ssrc_for_picture_loss_indications() -> None:
    buffer = MarkerJitterBuffer()
    packet = rtp(1, 0, marker=1)
    packet.ssrc = 1234
    buffer.add(packet)
    assert buffer.ssrc == 1234


def test_audio_packets_go_at_once_and_late_ones_are_dropped() -> None:
    buffer = AudioPacketBuffer()
    _, first = buffer.add(rtp(10, 960, data=b"a"))
    _, skipped_ahead = buffer.add(rtp(12, 2880, data=b"c"))
    _, late = buffer.add(rtp(11, 1920, data=b"b"))

    assert first is not None and first.data == b"a"
    assert skipped_ahead is not None and skipped_ahead.timestamp == 2880
    assert late is None


def test_audio_survives_sequence_number_wrap() -> None:
    buffer = AudioPacketBuffer()
    buffer.add(rtp(65535, 0))
    _, frame = buffer.add(rtp(0, 960))
    assert frame is not None and frame.timestamp == 960


def test_a_gap_that_no_retransmission_fills_is_given_up_after_a_few_frames() -> None:
    buffer = MarkerJitterBuffer(skip_after=3)
    buffer.add(rtp(1, 0, marker=1))
    buffer.add(rtp(2, 3000))  # its packet 3 is lost for good
    waiting = [(4, 6000), (5, 9000), (6, 12000)]  # 4 may be the end of the damaged frame
    results = [buffer.add(rtp(seq, ts, marker=1)) for seq, ts in waiting]
    assert results == [(False, None)] * 3, "a retransmission may still come"

    pli, frame = buffer.add(rtp(7, 15000, marker=1))  # three whole frames wait behind the gap

    assert pli, "the sender is asked for a key frame"
    assert buffer.broken, "what follows may refer to the lost frame"
    assert frame is not None and frame.timestamp == 9000
    assert [buffer.add(rtp(8, 18000, marker=1))[1] is not None] == [True]


def test_a_late_retransmission_still_completes_the_frame() -> None:
    buffer = MarkerJitterBuffer(skip_after=3)
    buffer.add(rtp(1, 0, marker=1))
    buffer.add(rtp(2, 3000, data=b"a"))
    buffer.add(rtp(4, 6000, marker=1))

    _, frame = buffer.add(rtp(3, 3000, marker=1, data=b"b"))  # the NACKed packet arrives

    assert frame is not None and (frame.data, frame.timestamp) == (b"ab", 3000)
    assert not buffer.broken
