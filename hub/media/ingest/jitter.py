"""A jitter buffer that releases a frame as soon as its last packet is in.

aiortc's `JitterBuffer` only knows a frame is complete when the first packet of the *next* frame
arrives (a different RTP timestamp), which holds every frame back by one frame interval: about
33 ms per hop at 30 fps. The sender marks the last packet of each video frame with the RTP marker
bit (RFC 3550 §5.1; RFC 6184 §5.1 for H.264; RFC 7741 §4.1 for VP8), so the frame can go on that
packet. Opus puts one whole frame in every packet (RFC 7587 §4.2), so audio goes packet by packet.
"""

from __future__ import annotations

from collections.abc import Iterator

from aiortc.jitterbuffer import MAX_MISORDER, JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add


class BufferedFrame(JitterFrame):
    """A released frame, with what it takes to judge whether it is whole (`whole_frames.py`)."""

    def __init__(self, data: bytes, timestamp: int, first_payload: bytes, at_boundary: bool):
        super().__init__(data=data, timestamp=timestamp)
        self.first_payload = first_payload  # the first packet's RTP payload, before depayloading
        self.at_boundary = at_boundary  # the first packet is known to follow a frame's last


class MarkerJitterBuffer(JitterBuffer):
    """aiortc's video jitter buffer, releasing a frame on its marker bit.

    Only the frame assembly is replaced (`_remove_frame`); insertion, reordering and the capacity
    limit stay aiortc's. A frame goes only when its packets are contiguous from the buffer's
    origin, so a lost packet holds it while a retransmission (NACK) may still come. aiortc then
    waits until the buffer overflows (512 packets: seconds of frozen video); this buffer gives up
    on the gap once `skip_after` complete frames wait behind it, and says so: `broken` is set (the
    next frames may refer to the lost one) and the PLI flag asks the sender for a key frame.

    It also knows whether its origin is a frame's first packet (`at_boundary`): after a released
    frame or a gap given up on at a marker, yes; after aiortc's overflow or reset, no.
    """

    def __init__(self, capacity: int = 512, skip_after: int = 5) -> None:
        super().__init__(capacity=capacity, is_video=True)
        self.ssrc: int | None = None
        self.skip_after = skip_after  # 5 frames: about 170 ms at 30 fps, many NACK round trips
        self.broken = False
        self._skipped = False
        self.at_boundary = False  # the first packet ever may be any packet of a frame

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        self.ssrc = packet.ssrc  # the media SSRC a picture loss indication must name
        pli_flag, frame = super().add(packet)
        if self._skipped or pli_flag:  # a gap given up on, or aiortc's own overflow or reset
            self._skipped, self.broken = False, True
            pli_flag = True
        return pli_flag, frame

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        frame = self._first_frame()
        added = self._packets[sequence_number % self._capacity]
        # Only a marker can complete a frame behind a gap: scan past gaps on markers alone.
        if frame is None and added is not None and added.marker and self._skip_gap():
            frame = self._first_frame()
        return frame

    def _window(self) -> Iterator[RtpPacket | None]:
        """The buffer's slots in sequence order, from its origin."""
        origin = self._origin or 0
        for offset in range(self._capacity):
            yield self._packets[(origin + offset) % self._capacity]

    def _first_frame(self) -> JitterFrame | None:
        if self._origin is None:
            return None
        packets: list[RtpPacket] = []
        for packet in self._window():
            if packet is None:
                return None
            if packets and packet.timestamp != packets[0].timestamp:
                # The previous frame ended without a marker bit: release it as aiortc would.
                return self._release(packets)
            packets.append(packet)
            if packet.marker:
                return self._release(packets)
        return None

    def _skip_gap(self) -> bool:
        """Drops everything before the first complete frame behind a gap, if enough wait there."""
        complete: list[int] = []  # offsets where complete frames start, behind the gap
        start: int | None = None
        previous: RtpPacket | None = None
        gap = False
        for offset, packet in enumerate(self._window()):
            if packet is None:
                gap, start = True, None
            elif gap:
                if start is None and previous is not None and previous.marker:
                    start = offset  # the first packet after a frame's last: a frame begins
                if packet.marker and start is not None:
                    complete.append(start)
                    start = None
            previous = packet
        if len(complete) < self.skip_after:
            return False
        self.remove(complete[0])
        self._skipped = True
        self.at_boundary = True
        return True

    def remove(self, count: int) -> None:
        if count >= self._capacity:  # aiortc's reset after a jump: the origin may be mid-frame
            self.at_boundary = False
        super().remove(count)

    def smart_remove(self, count: int) -> bool:
        self.at_boundary = False  # aiortc's overflow: the packet it stops at may be mid-frame
        return super().smart_remove(count)

    def _release(self, packets: list[RtpPacket]) -> BufferedFrame:
        self.remove(len(packets))
        data = b"".join(packet._data for packet in packets)  # type: ignore[attr-defined]
        frame = BufferedFrame(data, packets[0].timestamp, packets[0].payload, self.at_boundary)
        self.at_boundary = True  # the packets were contiguous: the next one begins a frame
        return frame


class AudioPacketBuffer(JitterBuffer):
    """Releases every audio packet at once; a late packet is dropped, a gap is not waited for.

    There is no NACK for audio, so waiting on a gap (as aiortc does, with 4 packets of prefetch)
    only adds delay; the listener's own jitter buffer conceals the loss.
    """

    def __init__(self) -> None:
        super().__init__(capacity=16)
        self.ssrc: int | None = None

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        self.ssrc = packet.ssrc
        if self._origin is not None:
            late_by = uint16_add(self._origin, -packet.sequence_number)
            if 0 < late_by < MAX_MISORDER:
                return False, None
        self._origin = uint16_add(packet.sequence_number, 1)
        data: bytes = packet._data  # type: ignore[attr-defined]
        return False, JitterFrame(data=data, timestamp=packet.timestamp)
