"""What the hub knows of a publisher's uplink: losses, repairs, its estimated width, freezes.

`UplinkCounts` is kept per source (it outlives publisher sessions, like the feed) and read by
/metrics and the wall. The estimate is the Receiver Estimated Maximum Bitrate the hub itself sends
the publisher (REMB, draft-alvestrand-rmcat-remb): aiortc's receiver estimates it from the
abs-send-time extension, and the hub reads it on its way out.

`NackSchedule` repeats retransmission requests. aiortc sends a NACK only when a new gap appears,
so a retransmission lost on the way is never asked for again unless another packet is lost: at
light loss a single lost retransmission freezes the picture until the jitter buffer gives up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiortc.rtp import RTCP_PSFB_APP, RtcpPsfbPacket, unpack_remb_fci
from aiortc.utils import uint16_gt

FREEZE = 0.2  # a gap between two forwarded video frames longer than this is a freeze
FROZEN = 1.0  # a live source without a video frame for this long is shown frozen
RATE_WINDOW = 2.0  # seconds over which the received bitrate is measured
NARROW = 0.8  # an estimate under this share of the source's best bitrate is too narrow...
NARROW_FOR = 5.0  # ...once it has stayed there this long


@dataclass(slots=True)
class UplinkCounts:
    """Counters for one source's video uplink."""

    nacks: int = 0  # NACK packets sent to the publisher
    nacked_packets: int = 0  # sequence numbers they asked for, repeats included
    partial_frames: int = 0  # frames dropped because a part of them never arrived
    estimate: int = 0  # bit/s, the last REMB sent; 0 before the first
    freezes: int = 0  # gaps over FREEZE between forwarded video frames
    longest_freeze: float = 0.0
    frozen_seconds: float = 0.0
    last_frame_at: float = 0.0  # loop time of the last forwarded video frame
    bitrate: int = 0  # bit/s of video over the last RATE_WINDOW
    best_bitrate: int = 0  # the highest `bitrate` of this publisher session
    narrow_since: float | None = None  # since when the estimate has been too narrow
    _window_start: float = 0.0
    _window_bytes: int = 0

    def saw_rtcp(self, packet: Any, now: float) -> None:
        """Reads the estimate from a REMB on its way to the publisher."""
        if isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
            try:
                bitrate, _ = unpack_remb_fci(packet.fci)
            except ValueError:
                return
            self.estimate = bitrate

    def forwarded(self, now: float, size: int = 0) -> None:
        """A video frame of `size` bytes went to the feed at `now`."""
        self._measure(now, size)
        if self.last_frame_at:
            gap = now - self.last_frame_at
            if gap > FREEZE:
                self.freezes += 1
                self.frozen_seconds += gap
                self.longest_freeze = max(self.longest_freeze, gap)
        self.last_frame_at = now

    def _measure(self, now: float, size: int) -> None:
        if not self._window_start:
            self._window_start = now
        self._window_bytes += size
        elapsed = now - self._window_start
        if elapsed < RATE_WINDOW:
            return
        self.bitrate = int(self._window_bytes * 8 / elapsed)
        self.best_bitrate = max(self.best_bitrate, self.bitrate)
        self._window_start, self._window_bytes = now, 0
        if 0 < self.estimate < NARROW * self.best_bitrate:
            if self.narrow_since is None:
                self.narrow_since = now
        else:
            self.narrow_since = None

    def frozen(self, now: float) -> bool:
        return bool(self.last_frame_at) and now - self.last_frame_at > FROZEN

    def narrow(self, now: float) -> bool:
        return self.narrow_since is not None and now - self.narrow_since >= NARROW_FOR

    def restart(self) -> None:
        """A new publisher session: the gap since the last one is an interruption, not a freeze."""
        self.last_frame_at = 0.0
        self.bitrate = self.best_bitrate = self._window_bytes = 0
        self._window_start = 0.0
        self.narrow_since = None


@dataclass
class NackSchedule:
    """Which missing packets to ask for again, and when (no clock, no I/O)."""

    interval: float = 0.05  # between requests for the same packet
    attempts: int = 6  # requests per packet, the first (aiortc's) included
    _asked: dict[int, tuple[float, int]] = field(default_factory=dict)

    def due(self, now: float, missing: set[int], oldest_awaited: int | None) -> list[int]:
        """Packets still missing and still awaited by the jitter buffer, due for a repeat."""
        if oldest_awaited is None:
            self._asked.clear()
            return []
        for seq in list(self._asked):
            if seq not in missing or uint16_gt(oldest_awaited, seq):
                del self._asked[seq]
        due: list[int] = []
        for seq in sorted(missing):
            if uint16_gt(oldest_awaited, seq):
                continue  # the buffer gave up on it: asking again only costs the uplink
            last, count = self._asked.get(seq, (now, 1))  # aiortc asked when it went missing
            if seq not in self._asked:
                self._asked[seq] = (last, count)
            elif now - last >= self.interval and count < self.attempts:
                self._asked[seq] = (now, count + 1)
                due.append(seq)
        return due
