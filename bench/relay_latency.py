"""Glass-to-glass latency on loopback: publisher → hub → viewer, beside publisher → viewer direct.

One encoder paints the test pattern with the wall-clock time in its pixels (1280x720, 30 fps,
VP8, encoded live) and sends the very same packets on two connections: to the hub (WHIP, the
hub in its own process) and straight to a second viewer. Both viewers reassemble frames the
same way (released on the RTP marker bit, as a browser's jitter buffer does) and decode them;
latency is painted time → decoded, per frame. Decoding is timed apart and added, so the two
paths do not queue behind each other's decoding in this process.

    python bench/relay_latency.py [--seconds 20] [--width 1280 --height 720]
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import sys
import time
from pathlib import Path
from typing import Any

import av
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamTrack

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from relay_common import hub_process, median, percentile, publish, table  # noqa: E402

from hub.demo_camera import TestPattern  # noqa: E402
from hub.media.engine import codec_preferences  # noqa: E402
from hub.media.ingest.passthrough import PassthroughReceiver, route_keyframe_requests  # noqa: E402
from hub.media.relay.frames import Feed, FrameQueue  # noqa: E402
from hub.media.relay.transcode import live_video_encoder  # noqa: E402
from tests.support.patterns import clock_ms_age, read_clock_ms  # noqa: E402
from tests.support.whep_client import WhepViewer  # noqa: E402

VIDEO_TIME_BASE = fractions.Fraction(1, 90000)


class Tee:
    """Encodes the pattern once per frame and hands the packets to several tracks."""

    def __init__(self, width: int, height: int, fps: int, outputs: int) -> None:
        self.pattern, self.fps = TestPattern(width, height, "latency"), fps
        self.encoder = live_video_encoder("VP8", width, height, 2_500_000, fps=fps, gop=60)
        self.tracks = [TeeTrack() for _ in range(outputs)]
        self.keyframe = True

    def request_keyframe(self) -> None:
        self.keyframe = True

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for index in range(10**9):
            await asyncio.sleep(max(0.0, start + index / self.fps - loop.time()))
            frame = self.pattern.paint(index, time.time())
            frame.pts, frame.time_base = index * 90000 // self.fps, VIDEO_TIME_BASE
            if self.keyframe:
                frame.pict_type = av.video.frame.PictureType.I
                self.keyframe = False
            packets = await loop.run_in_executor(None, self.encoder.encode, frame)
            data = b"".join(bytes(packet) for packet in packets)
            for track in self.tracks:
                packet = av.Packet(data)
                packet.pts, packet.time_base = frame.pts, VIDEO_TIME_BASE
                track.queue.put_nowait(packet)


class TeeTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self.queue: asyncio.Queue[av.Packet[Any]] = asyncio.Queue()

    async def recv(self) -> av.Packet[Any]:
        return await self.queue.get()


async def direct_path(track: TeeTrack, tee: Tee) -> tuple[Feed, list[RTCPeerConnection]]:
    """A publisher and a viewer connected to each other, no hub between them."""
    sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    transceiver = sender.addTransceiver(track, direction="sendonly")
    transceiver.setCodecPreferences(codec_preferences("video", "VP8"))
    route_keyframe_requests(transceiver.sender, tee.request_keyframe)
    feed = Feed("direct")
    await sender.setLocalDescription(await sender.createOffer())
    await receiver.setRemoteDescription(sender.localDescription)
    for incoming in receiver.getTransceivers():
        incoming.direction = "recvonly"
        PassthroughReceiver(incoming.receiver, "video", feed.publish)
    await receiver.setLocalDescription(await receiver.createAnswer())
    await sender.setRemoteDescription(receiver.localDescription)
    return feed, [sender, receiver]


async def measure(frames: FrameQueue, ages: list[float], clock_offset: float) -> None:
    decoder: Any = av.CodecContext.create("vp8", "r")
    decoder.thread_count = 1
    while (frame := await frames.get()) is not None:
        started = time.perf_counter()
        pictures = decoder.decode(av.Packet(frame.data))
        decoding = time.perf_counter() - started
        for picture in pictures:
            arrived = frame.received_at + clock_offset  # the loop's clock → wall clock
            ages.append(clock_ms_age(read_clock_ms(picture), arrived) + decoding * 1000)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    arguments = parser.parse_args()
    loop = asyncio.get_running_loop()
    clock_offset = time.time() - loop.time()
    tee = Tee(arguments.width, arguments.height, 30, outputs=2)
    async with hub_process("relay") as (_, url):
        publisher = await publish(f"{url}/whip/cam", [tee.tracks[0]])
        route_keyframe_requests(publisher.getSenders()[0], tee.request_keyframe)
        viewer = WhepViewer(f"{url}/whep/cam", "bench", video_codecs=["VP8"], audio=False)
        direct_feed, direct_connections = await direct_path(tee.tracks[1], tee)
        ages: dict[str, list[float]] = {"via hub": [], "direct": []}
        running = loop.create_task(tee.run())
        await viewer.start()
        await asyncio.sleep(3)  # connect and settle
        queues = {
            "via hub": viewer.feed.subscribe("bench", 1000, "video"),
            "direct": direct_feed.subscribe("bench", 1000, "video"),
        }
        tasks = [
            loop.create_task(measure(q, ages[name], clock_offset)) for name, q in queues.items()
        ]
        await asyncio.sleep(arguments.seconds)
        for task in [*tasks, running]:
            task.cancel()
        await viewer.stop(delete=False)
        for pc in [publisher, *direct_connections]:
            await pc.close()
    rows = [
        [
            name,
            len(values),
            f"{median(values):.1f}",
            f"{percentile(values, 90):.1f}",
            f"{percentile(values, 99):.1f}",
        ]
        for name, values in ages.items()
    ]
    print(f"\n## Glass-to-glass, {arguments.width}x{arguments.height} VP8 30 fps, loopback\n")
    print(table(["path", "frames", "p50 ms", "p90 ms", "p99 ms"], rows))
    added = median(ages["via hub"]) - median(ages["direct"])
    print(f"\nThe hub adds {added:.1f} ms at p50.")


if __name__ == "__main__":
    asyncio.run(main())
