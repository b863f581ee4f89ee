"""The program monitor: an output's own encoded picture put back on a feed of the engine, so a
WHEP viewer (the console's PGM monitor, a wall tile) watches exactly what goes out on HLS and
RTMP, relayed like any source and without another encode.

The output encodes H.264 without B-frames, a key frame every segment and the parameter sets
with every key frame (encoder.py), which is what a WebRTC receiver needs. Sound stays out: the
output's audio is AAC, which WebRTC does not carry.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from hub.media.program.encoder import OutputPacket, StreamParams
from hub.media.program.sink import PacketSink, Report
from hub.media.relay.frames import EncodedFrame

VIDEO_CLOCK = 90_000


class MonitorSink(PacketSink):
    """Hands each video packet of the program to `publish` (which brings it to the event loop)."""

    def __init__(
        self, publish: Callable[[EncodedFrame], None], params: StreamParams, report: Report
    ) -> None:
        super().__init__("monitor", params, report, max_packets=120)
        self.publish = publish

    def open(self) -> None:
        self.mark_live()

    def write(self, packet: OutputPacket) -> None:
        if packet.kind != "video":
            return
        key = packet.keyframe
        self.publish(
            EncodedFrame(
                kind="video",
                codec="H264",
                data=packet.data,
                pts=int(packet.pts * packet.time_base * VIDEO_CLOCK),
                clock_rate=VIDEO_CLOCK,
                keyframe=key,
                received_at=time.monotonic(),  # asyncio's loop.time() on its default clock
                width=self.params.width if key else 0,
                height=self.params.height if key else 0,
            )
        )

    def close_output(self, clean: bool) -> None:
        return None
