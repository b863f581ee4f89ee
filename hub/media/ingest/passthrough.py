"""Encoded frames in and out of aiortc without decoding or encoding them (aiortc 1.16.0).

Receive. aiortc's `RTCRtpReceiver` reassembles frames in its jitter buffer and hands each one to
its decoder thread through a private queue (`decoder_worker` looks up `get_decoder` when it
starts). Patching the module-level `get_decoder` would change every peer connection in the
process, including any that really must decode (program outputs, transcodes). So the interception
is scoped to one receiver: `PassthroughReceiver(receiver, ...)` swaps two private attributes of
that one instance, before its `receive()` starts the decoder thread:

- its jitter buffer, for one that releases a frame on its RTP marker bit (`jitter.py`), and
- its decoder queue, for an inbox whose `put()` turns the reassembled frame into an
  `EncodedFrame` on the event loop, in the packet's own call stack (no thread hop).

The decoder thread still starts, blocks on the empty inbox and leaves when the receiver stops
(aiortc puts None, which still ends the receiver's track). Other receivers are untouched.

Send. `RTCRtpSender` packetises a pre-encoded `av.Packet` (`_next_encoded_frame` calls
`encoder.pack`), so `FeedTrack` just hands it the feed's frames. The sender answers a viewer's
PLI/FIR by flagging its encoder (`_send_keyframe`); `route_keyframe_requests` points that one
sender's method at the feed instead, which asks the publisher (rate-limited).

Key frames. aiortc sends a PLI itself whenever its jitter buffer raises the key-frame flag; that
path would bypass the hub's bound. `PassthroughReceiver` replaces the receiver instance's
`_send_rtcp_pli` with a request to the source's `KeyframeRequester` (keyframes.py), which alone
sends PLIs, through the original method. Its `_send_rtcp_nack` is wrapped to count NACKs and to
repeat them while a gap is still repairable (`NackRepeater`).

`tests/media/test_aiortc_internals.py` fails when an aiortc upgrade moves any of this.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import queue
from collections.abc import Callable
from typing import Any

import av
from aiortc import RTCRtpReceiver, RTCRtpSender
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from hub.media.codec.bitstream import NAL_IDR, frame_info, h264_parameter_sets, nal_units
from hub.media.codec.whole_frames import h264_has_parameter_sets, vp8_whole, whole_frame
from hub.media.ingest.jitter import AudioPacketBuffer, BufferedFrame, MarkerJitterBuffer
from hub.media.ingest.keyframes import KeyframeRequester
from hub.media.ingest.uplink import NackSchedule, UplinkCounts
from hub.media.relay.frames import EncodedFrame, FrameQueue, Kind

logger = logging.getLogger(__name__)

# The private names this module relies on; the internals test checks each of them.
RECEIVER_JITTER_BUFFER = "_RTCRtpReceiver__jitter_buffer"
RECEIVER_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
RECEIVER_SEND_PLI = "_send_rtcp_pli"
RECEIVER_SEND_NACK = "_send_rtcp_nack"
RECEIVER_SEND_RTCP = "_send_rtcp"
RECEIVER_NACK_GENERATOR = "_RTCRtpReceiver__nack_generator"
RECEIVER_REMOTE_STREAMS = "_RTCRtpReceiver__remote_streams"
SENDER_SEND_KEYFRAME = "_send_keyframe"

START_CODE = b"\x00\x00\x00\x01"


class _FrameInbox(queue.Queue[Any]):
    """Stands in for a receiver's decoder queue: frames go to the hub, None to the thread."""

    def __init__(
        self,
        deliver: Callable[[RTCRtpCodecParameters, JitterFrame], None],
        end: Callable[[], None],
    ) -> None:
        super().__init__()
        self._deliver = deliver
        self._end = end

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is None:
            # aiortc stops the decoder on RTCP BYE, DTLS close or stop(): the publisher is gone.
            self._end()
            super().put(None, block, timeout)  # lets the idle decoder thread leave
            return
        codec, encoded = item
        try:
            self._deliver(codec, encoded)
        except Exception:
            # We run inside aiortc's DTLS receive loop: an exception here would end the session.
            logger.exception("dropping a frame the hub could not take")


class PassthroughReceiver:
    """Takes one aiortc receiver's reassembled frames as `EncodedFrame`s, undecoded."""

    def __init__(
        self,
        receiver: RTCRtpReceiver,
        kind: Kind,
        on_frame: Callable[[EncodedFrame], None],
        on_end: Callable[[], None] | None = None,
        keyframes: KeyframeRequester | None = None,
        counts: UplinkCounts | None = None,
    ) -> None:
        self.kind: Kind = kind
        self._receiver = receiver
        self._on_frame = on_frame
        self._on_end = on_end
        self._loop = asyncio.get_running_loop()
        self._buffer = MarkerJitterBuffer() if kind == "video" else AudioPacketBuffer()
        self._parameter_sets: tuple[bytes, bytes] | None = None
        self._size = (0, 0)
        self._tasks: set[asyncio.Task[None]] = set()
        self.ended = False
        # The source's requester when the engine gives one; else this receiver's own.
        self.keyframes = keyframes or KeyframeRequester(self.send_pli)
        self.counts = counts or UplinkCounts()
        self._rtcp_pli: Callable[[int], Any] = getattr(receiver, RECEIVER_SEND_PLI)
        self._rtcp_nack: Callable[[int, list[int]], Any] = getattr(receiver, RECEIVER_SEND_NACK)
        self._rtcp: Callable[[Any], Any] = getattr(receiver, RECEIVER_SEND_RTCP)
        setattr(receiver, RECEIVER_JITTER_BUFFER, self._buffer)
        setattr(receiver, RECEIVER_DECODER_QUEUE, _FrameInbox(self._deliver, self._end))
        self._nacks = NackSchedule()
        self._nack_timer: asyncio.TimerHandle | None = None
        if kind == "video":
            setattr(receiver, RECEIVER_SEND_PLI, self._pli_wanted)
            setattr(receiver, RECEIVER_SEND_NACK, self._send_nack)
            setattr(receiver, RECEIVER_SEND_RTCP, self._send_rtcp)
            self._nack_timer = self._loop.call_later(self._nacks.interval, self._repeat_nacks)

    async def _pli_wanted(self, media_ssrc: int) -> None:
        """aiortc's own receive path wants a key frame: it asks within the bound like any other."""
        self.request_keyframe()

    async def _send_nack(self, media_ssrc: int, lost: list[int]) -> None:
        self.counts.nacks += 1
        self.counts.nacked_packets += len(lost)
        await self._rtcp_nack(media_ssrc, lost)

    async def _send_rtcp(self, packet: Any) -> None:
        self.counts.saw_rtcp(packet, self._loop.time())
        await self._rtcp(packet)

    def _repeat_nacks(self) -> None:
        """Asks again for packets still missing while the jitter buffer still waits for them."""
        if self.ended:
            self._nack_timer = None
            return
        self._nack_timer = self._loop.call_later(self._nacks.interval, self._repeat_nacks)
        generator = getattr(self._receiver, RECEIVER_NACK_GENERATOR, None)
        ssrc = self._buffer.ssrc
        if generator is None or ssrc is None:
            return
        due = self._nacks.due(self._loop.time(), generator.missing, self._buffer._origin)
        if due:
            self._spawn(self._send_nack(ssrc, due))

    def packets_lost(self) -> int:
        """Packets of the media stream that never arrived, as RTCP receiver reports count them."""
        streams = getattr(self._receiver, RECEIVER_REMOTE_STREAMS, {})
        stream = streams.get(self._buffer.ssrc)
        return max(0, stream.packets_lost) if stream is not None else 0

    def _spawn(self, work: Any) -> None:
        task = self._loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _end(self) -> None:
        if not self.ended:
            self.ended = True
            if self._on_end is not None:
                self._on_end()

    def _deliver(self, codec: RTCRtpCodecParameters, encoded: JitterFrame) -> None:
        data = encoded.data
        if self.kind == "audio":
            frame = EncodedFrame(
                "audio",
                codec.name,
                data,
                encoded.timestamp,
                codec.clockRate,
                True,
                self._loop.time(),
            )
            self._on_frame(frame)
            return
        whole = not isinstance(encoded, BufferedFrame) or whole_frame(
            codec.name, data, encoded.first_payload, encoded.at_boundary
        )
        if codec.name == "H264":
            data = self._with_parameter_sets(data)
        info = frame_info(codec.name, data)
        if info.keyframe and codec.name == "VP8":
            whole = whole and vp8_whole(data, keyframe=True)
        elif info.keyframe and codec.name == "H264":
            whole = whole and h264_has_parameter_sets(data)
        if not whole:
            # A frame's tail: never forwarded, never taken for a key frame.
            self.counts.partial_frames += 1
            if isinstance(self._buffer, MarkerJitterBuffer):
                self._buffer.broken = True
            self.request_keyframe()
            return
        if isinstance(self._buffer, MarkerJitterBuffer) and self._buffer.broken:
            if not info.keyframe:
                # It may refer to a frame that was lost: wait for a key frame, and ask at once.
                self.request_keyframe()
                return
            self._buffer.broken = False
        if info.keyframe:
            self.keyframes.arrived()
        self.counts.forwarded(self._loop.time(), len(data))
        if info.width:
            self._size = (info.width, info.height)
        width, height = self._size if info.keyframe else (0, 0)
        frame = EncodedFrame(
            "video",
            codec.name,
            data,
            encoded.timestamp,
            codec.clockRate,
            info.keyframe,
            self._loop.time(),
            width,
            height,
        )
        self._on_frame(frame)

    def _with_parameter_sets(self, access_unit: bytes) -> bytes:
        """Remembers SPS/PPS and puts them before an IDR that lacks them, so any viewer can start.

        Browsers repeat them before every IDR; some encoders send them once (RFC 6184 §8.4).
        """
        sps, pps = h264_parameter_sets(access_unit)
        if sps is not None and pps is not None:
            self._parameter_sets = (sps, pps)
            return access_unit
        if self._parameter_sets is None or sps is not None or pps is not None:
            return access_unit
        if not any(nal and nal[0] & 0x1F == NAL_IDR for nal in nal_units(access_unit)):
            return access_unit
        sps, pps = self._parameter_sets
        return START_CODE + sps + START_CODE + pps + access_unit

    def request_keyframe(self) -> None:
        """Asks the publisher for a key frame through the source's key-frame policy."""
        if self.kind == "video" and not self.ended:
            self.keyframes.request()

    def send_pli(self) -> bool:
        """Sends the publisher a PLI now (RFC 4585 §6.3.1); False when there is nobody to ask.

        Only a `KeyframeRequester` calls this: it holds the bound.
        """
        ssrc = self._buffer.ssrc
        if self.kind != "video" or ssrc is None or self.ended:
            return False
        self._spawn(self._rtcp_pli(ssrc))
        return True

    def close(self) -> None:
        """Stops asking for key frames; the receiver itself is stopped with its connection."""
        self.ended = True
        if self._nack_timer is not None:
            self._nack_timer.cancel()
            self._nack_timer = None


def route_keyframe_requests(sender: RTCRtpSender, request: Callable[[], None]) -> None:
    """Makes this sender answer a viewer's PLI/FIR by asking the feed rather than its encoder."""
    setattr(sender, SENDER_SEND_KEYFRAME, request)


class TimestampRebaser:
    """Keeps a viewer's RTP timestamps moving forward across publisher sessions.

    A feed outlives its publisher's sessions, and each session's timestamps start near zero. A
    viewer's decoder must see them continue, so on a jump backwards (or more than `max_gap`
    forwards) the new frames are placed after the last ones by the wall-clock gap between them.
    """

    def __init__(self, clock_rate: int, max_gap: float = 5.0) -> None:
        self._clock_rate = clock_rate
        self._max_gap = int(max_gap * clock_rate)
        self._offset: int | None = None
        self._last_pts = 0
        self._last_at = 0.0

    def map(self, pts: int, received_at: float) -> int:
        if self._offset is None:
            self._offset = -pts
        out = pts + self._offset
        if self._last_at and not 0 < out - self._last_pts <= self._max_gap:
            gap = max(1, round((received_at - self._last_at) * self._clock_rate))
            self._offset = self._last_pts + gap - pts
            out = pts + self._offset
        self._last_pts, self._last_at = out, received_at
        return out


class FeedTrack(MediaStreamTrack):
    """A track whose `recv()` returns a feed's encoded frames as `av.Packet`s.

    It reads one `FrameQueue` at a time; `switch()` moves it to another (the source's own feed or
    a transcode of it) without the sender noticing. Frames of another codec than the one the
    viewer negotiated are skipped: the sender would packetise them wrongly. The track ends when
    its queue closes and no switch is pending.
    """

    def __init__(self, kind: Kind, codec: str) -> None:
        super().__init__()
        self.kind = kind
        self.codec = codec
        self._frames: FrameQueue | None = None
        self._attached = asyncio.Event()
        self._rebaser: TimestampRebaser | None = None
        self._time_base: fractions.Fraction | None = None

    @property
    def frames(self) -> FrameQueue | None:
        return self._frames

    def switch(self, frames: FrameQueue) -> None:
        """Reads from `frames` from now on; the caller closes the old queue."""
        self._frames = frames
        self._attached.set()

    async def recv(self) -> av.Packet[Any]:
        await self._attached.wait()
        while (source := self._frames) is not None:
            frame = await source.get()
            if frame is None:
                if source is self._frames:
                    break
            elif frame.codec == self.codec:
                return self._packet(frame)
        self.stop()
        raise MediaStreamError

    def _packet(self, frame: EncodedFrame) -> av.Packet[Any]:
        if self._rebaser is None or self._time_base is None:
            self._rebaser = TimestampRebaser(frame.clock_rate)
            self._time_base = fractions.Fraction(1, frame.clock_rate)
        packet = av.Packet(frame.data)
        packet.pts = self._rebaser.map(frame.pts, frame.received_at)
        packet.time_base = self._time_base
        return packet
