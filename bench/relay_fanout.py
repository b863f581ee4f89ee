"""Fan-out: one 720p30 source to 1, 4 and 16 viewers, this relay beside stock aiortc; and ingest
capacity: how many 720p publishers, each recorded and relayed to 2 viewers, one hub process
takes without dropping a frame.

The hub runs in its own process (see relay_common.py) and its CPU is read from /proc. Publishers
replay a pre-encoded VP8 clip (1280x720, 30 fps, about 2.5 Mbit/s), so they cost little; viewers
are aiortc peers that reassemble frames without decoding them and count them. Publishers and
viewers share this process, so on a 2-core machine they compete with the hub for CPU: their own
CPU is printed too. The fan-out steps relay only; the capacity steps also record every stream
(`--capacity-mode relay` leaves recording out). Program outputs are not running.

    python bench/relay_fanout.py [--window 10] [--skip-stock] [--capacity 4,8,12,16]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from child import cpu_seconds  # noqa: E402
from relay_common import (  # noqa: E402
    LoopedClipTrack,
    encode_clip,
    hub_process,
    median,
    publish,
    table,
)

from tests.support.whep_client import WhepViewer  # noqa: E402


class Meter:
    """CPU of the hub and of this process, and frame counts, over one window."""

    def __init__(self, pid: int, viewers: list[WhepViewer]) -> None:
        self.pid, self.viewers = pid, viewers
        self.hub_cpu = cpu_seconds(pid)
        self.own_cpu = time.process_time()
        self.frames = [viewer.feed.frames_in for viewer in viewers]
        self.started = time.monotonic()

    def read(self) -> tuple[float, float, list[float]]:
        elapsed = time.monotonic() - self.started
        hub = (cpu_seconds(self.pid) - self.hub_cpu) / elapsed * 100
        own = (time.process_time() - self.own_cpu) / elapsed * 100
        fps = [
            (v.feed.frames_in - f) / elapsed for v, f in zip(self.viewers, self.frames, strict=True)
        ]
        return hub, own, fps


async def add_viewers(url: str, viewers: list[WhepViewer], count: int) -> None:
    while len(viewers) < count:
        viewer = WhepViewer(url, "bench", video_codecs=["VP8"], audio=False)
        await viewer.start()
        viewers.append(viewer)


async def fanout(mode: str, clip: list[bytes], counts: list[int], window: float) -> list[list[Any]]:
    rows: list[list[Any]] = []
    async with hub_process(mode) as (pid, url):
        publisher = await publish(f"{url}/whip/cam", [LoopedClipTrack(clip)])
        viewers: list[WhepViewer] = []
        baseline = 0.0
        try:
            for count in counts:
                await add_viewers(f"{url}/whep/cam", viewers, count)
                await asyncio.sleep(4)  # connect, key frame, settle
                meter = Meter(pid, viewers)
                await asyncio.sleep(window)
                hub, own, fps = meter.read()
                baseline = hub if count == 0 else baseline
                per_viewer = f"{(hub - baseline) / count:.2f}" if count else "-"
                low = f"{min(fps):.1f}" if fps else "-"
                mid = f"{median(fps):.1f}" if fps else "-"
                rows.append([mode, count, f"{hub:.1f}", per_viewer, low, mid, f"{own:.0f}"])
                print(" ".join(str(cell) for cell in rows[-1]), flush=True)
        finally:
            for viewer in viewers:
                await viewer.stop(delete=False)
            await publisher.close()
    return rows


async def capacity(
    clip: list[bytes], steps: list[int], window: float, mode: str = "record"
) -> list[list[Any]]:
    rows: list[list[Any]] = []
    async with hub_process(mode) as (pid, url), httpx.AsyncClient() as http:
        publishers = []
        tracks: list[LoopedClipTrack] = []
        viewers: list[WhepViewer] = []
        try:
            for step in steps:
                while len(publishers) < step:
                    source = f"cam{len(publishers)}"
                    tracks.append(LoopedClipTrack(clip))
                    publishers.append(await publish(f"{url}/whip/{source}", [tracks[-1]]))
                    for _ in range(2):
                        viewer = WhepViewer(
                            f"{url}/whep/{source}", "bench", video_codecs=["VP8"], audio=False
                        )
                        await viewer.start()
                        viewers.append(viewer)
                await asyncio.sleep(4)
                before = (await http.get(url + "/bench/stats")).json()
                meter = Meter(pid, viewers)
                sent_before = [track.sent for track in tracks]
                await asyncio.sleep(window)
                after = (await http.get(url + "/bench/stats")).json()
                sent = [t.sent - b for t, b in zip(tracks, sent_before, strict=True)]
                hub, own, fps = meter.read()
                elapsed = time.monotonic() - meter.started
                ingest = [
                    (a["frames_in"] - b["frames_in"]) / elapsed
                    for a, b in zip(after["sources"], before["sources"], strict=True)
                ]
                dropped = sum(
                    a["dropped"] - b["dropped"]
                    for a, b in zip(after["sources"], before["sources"], strict=True)
                )
                dropped += after["recording_dropped"] - before["recording_dropped"]
                rows.append(
                    [
                        step,
                        after["recordings"],
                        2 * step,
                        f"{hub:.0f}",
                        f"{min(sent) / elapsed:.1f}",
                        f"{min(ingest):.1f}",
                        dropped,
                        f"{min(fps):.1f}",
                        f"{median(fps):.1f}",
                        f"{own:.0f}",
                    ]
                )
                print(" ".join(str(cell) for cell in rows[-1]), flush=True)
        finally:
            for viewer in viewers:
                await viewer.stop(delete=False)
            for publisher in publishers:
                await publisher.close()
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--window", type=float, default=10.0, help="seconds measured per step")
    parser.add_argument("--viewers", default="0,1,4,16")
    parser.add_argument("--capacity", default="4,8,12,16", help="publisher counts; '' skips")
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument(
        "--capacity-mode",
        choices=["record", "relay"],
        default="record",
        help="record every stream as the hub does (default), or relay only",
    )
    arguments = parser.parse_args()
    clip = encode_clip()
    counts = [int(n) for n in arguments.viewers.split(",") if n]
    rows = await fanout("relay", clip, counts, arguments.window) if counts else []
    if counts and not arguments.skip_stock:
        rows += await fanout("stock", clip, counts, arguments.window)
    print("\n## One 1280x720 30 fps source, N viewers\n")
    headers = [
        "hub",
        "viewers",
        "hub CPU %",
        "per extra viewer %",
        "min fps",
        "median fps",
        "bench process CPU %",
    ]
    print(table(headers, rows))
    if arguments.capacity:
        steps = [int(n) for n in arguments.capacity.split(",")]
        cap = await capacity(clip, steps, arguments.window, arguments.capacity_mode)
        what = "recorded and relayed" if arguments.capacity_mode == "record" else "relay only"
        print(f"\n## Publishers (720p30, ~2.5 Mbit/s), 2 viewers each, {what}\n")
        headers = [
            "publishers",
            "recordings",
            "viewers",
            "hub CPU %",
            "publisher min sent fps",
            "hub min ingest fps",
            "frames dropped",
            "viewer min fps",
            "viewer median fps",
            "bench process CPU %",
        ]
        print(table(headers, cap))


if __name__ == "__main__":
    asyncio.run(main())
