"""Live video over a weak uplink: the publisher in a network namespace, the hub outside.

Run as root (network namespaces, nftables, tc):

    sudo .venv/bin/python bench/weak_network.py [--codecs VP8,H264] [--conditions clean,loss5,...]

A veth pair joins the namespace `wnpub` (10.77.0.2) to the host (10.77.0.1). The hub (this
project's engine and WHIP/WHEP routes) listens on the host side; an aiortc publisher runs inside
the namespace (`python bench/weak_network.py publish ...`), encoding the numbered test pattern
with aiortc's own encoders, which follow the hub's REMB. A viewer on the host decodes what the
hub forwards and reads each frame's counter and painted clock back. The conditions are made on
the publisher's side of the link, as a phone's uplink would be: random loss with nftables
(`numgen random`), a rate cap with `tbf`, and an outage with `ip link set ... down`. The kernel
here has no netem, so there is no added delay.

Per condition it prints: frames delivered of those sent, fps, freezes over 200 ms and the
longest, corrupt frames (data bits that are neither black nor white) and stale ones (a counter
not after the last, or painted over 10 s before),
latency p50/p95 (painted clock to decoded), key-frame requests the publisher received (and the
most in any one second), the hub's last uplink estimate and received bitrate, and the time from
the link's return to the next decoded frame. With Chromium as the publisher (`--publishers`,
its fake camera through the hub's own whip.js, H.264) there is no counter to read: it prints
frames decoded, fps and freezes, and the key-frame requests the hub sent.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import uvicorn
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from relay_common import OpenDoor, free_port, negotiate, percentile, table  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import HTMLResponse  # noqa: E402
from starlette.routing import Mount, Route  # noqa: E402
from starlette.staticfiles import StaticFiles  # noqa: E402

from hub.demo_camera import BITS  # noqa: E402
from hub.media.engine import MediaConfig, MediaEngine, codec_preferences  # noqa: E402
from hub.media.ingest.http import media_routes  # noqa: E402
from hub.media.ports import NoFacts  # noqa: E402
from tests.support.patterns import SyntheticVideoTrack, clock_ms_age, read_clock_ms  # noqa: E402
from tests.support.patterns import read_counter as read_counter_bits  # noqa: E402

NS, HOST_IF, NS_IF = "wnpub", "wn0", "wn1"
HOST_IP, NS_IP = "10.77.0.1", "10.77.0.2"
CONDITIONS: dict[str, list[str]] = {
    "clean": [],
    "loss5": ["loss 5"],
    "loss15": ["loss 15"],
    "cap1M": ["cap 1mbit"],
    "cap0.5M": ["cap 500kbit"],
    "outage10s": ["outage 10"],
}
OUTAGE_AT = 8.0  # seconds after going live when the link goes down
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
CHROMIUM_PAGE = """<!doctype html><meta charset="utf-8"><title>publish</title>
<script type="module">
import { publish } from "/static/js/whip.js";
const stream = await navigator.mediaDevices.getUserMedia({
  video: { width: 1280, height: 720, frameRate: 30 }, audio: false,
});
window.session = await publish("/whip/cam", "bench", stream, {});
</script>"""
CHROMIUM = [
    "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # The fake camera runs at 20 fps unless told otherwise; a phone's camera gives 30.
    "--use-fake-device-for-media-stream=fps=30", "--use-fake-ui-for-media-stream",
    "--user-data-dir=/tmp/weak-network-chromium",
]  # fmt: skip


def sh(*command: str, check: bool = True) -> None:
    subprocess.run(command, check=check, capture_output=True)


def in_ns(*command: str, check: bool = True) -> None:
    sh("ip", "netns", "exec", NS, *command, check=check)


def make_namespace() -> None:
    sh("ip", "netns", "del", NS, check=False)
    sh("ip", "link", "del", HOST_IF, check=False)
    sh("ip", "netns", "add", NS)
    sh("ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF)
    sh("ip", "link", "set", NS_IF, "netns", NS)
    sh("ip", "addr", "add", f"{HOST_IP}/24", "dev", HOST_IF)
    sh("ip", "link", "set", HOST_IF, "up")
    in_ns("ip", "addr", "add", f"{NS_IP}/24", "dev", NS_IF)
    in_ns("ip", "link", "set", NS_IF, "up")
    in_ns("ip", "link", "set", "lo", "up")


def remove_namespace() -> None:
    sh("ip", "netns", "del", NS, check=False)
    sh("ip", "link", "del", HOST_IF, check=False)


def clear_condition() -> None:
    in_ns("nft", "delete", "table", "inet", "weak", check=False)
    in_ns("tc", "qdisc", "del", "dev", NS_IF, "root", check=False)
    in_ns("ip", "link", "set", NS_IF, "up", check=False)


def apply_condition(steps: Sequence[str]) -> None:
    """Loss and caps on the publisher's uplink (its namespace's egress); outages are timed."""
    for step in steps:
        kind, value = step.split()
        if kind == "loss":
            in_ns("nft", "add", "table", "inet", "weak")
            in_ns(
                "nft",
                "add chain inet weak out { type filter hook output priority 0 ; }",
            )
            in_ns(
                "nft",
                f"add rule inet weak out meta l4proto udp numgen random mod 100 < {value} drop",
            )
        elif kind == "cap":
            in_ns(
                "tc", "qdisc", "add", "dev", NS_IF, "root", "tbf",
                "rate", value, "burst", "16kb", "latency", "200ms",
            )  # fmt: skip


# The publisher, inside the namespace


async def run_publisher(url: str, codec: str, seconds: float) -> dict[str, Any]:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    track = SyntheticVideoTrack(640, 360, 30, label="uplink")
    transceiver = pc.addTransceiver(track, direction="sendonly")
    transceiver.setCodecPreferences(codec_preferences("video", codec))
    sender = transceiver.sender
    requests: list[float] = []
    original = sender._send_keyframe

    def counted() -> None:
        requests.append(time.monotonic())
        original()

    sender._send_keyframe = counted  # type: ignore[method-assign]
    await negotiate(pc, url, timeout=20)
    started = time.monotonic()
    targets: list[int] = []
    while time.monotonic() - started < seconds:
        await asyncio.sleep(1.0)
        encoder = getattr(sender, "_RTCRtpSender__encoder", None)
        if encoder is not None and hasattr(encoder, "target_bitrate"):
            targets.append(int(encoder.target_bitrate))
    await pc.close()
    per_second: dict[int, int] = {}
    for at in requests:
        per_second[int(at - started)] = per_second.get(int(at - started), 0) + 1
    return {
        "sent": track.counter,
        "requests": len(requests),
        "max_per_second": max(per_second.values(), default=0),
        "targets": targets,
    }


# The hub and the viewer, on the host


@dataclass
class Seen:
    """What the viewer decoded: arrival times, counters, latencies, corrupt frames."""

    arrivals: list[float] = field(default_factory=list)
    counters: list[int] = field(default_factory=list)
    latencies: list[int] = field(default_factory=list)
    corrupt: int = 0  # data bits neither black nor white: a damaged picture
    out_of_order: int = 0  # a counter not after the last one, or painted over 10 s before


def clean_bits(frame: av.VideoFrame, row: int) -> bool:
    """Every data block of the row is near black or near white, as painted."""
    block = frame.width // BITS
    margin = 2 * max(1, frame.height // 90)
    y = frame.height - 2 * block - margin + row * block + block // 2
    plane = frame.planes[0]
    luma, stride = bytes(plane), plane.line_size
    for i in range(BITS):
        x = i * block + block // 2
        level = sum(luma[(y + dy) * stride + x + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1))
        if 9 * 70 < level < 9 * 180:
            return False
    return True


async def watch(track: Any, seen: Seen, pattern: bool) -> None:
    last = -1
    with contextlib.suppress(MediaStreamError):
        while True:
            frame = await track.recv()
            now = time.time()
            if not pattern:  # Chromium's fake camera: no counter to read back
                seen.arrivals.append(time.monotonic())
                seen.counters.append(len(seen.counters))
                continue
            counter, age = read_counter_bits(frame), clock_ms_age(read_clock_ms(frame), now)
            if not (clean_bits(frame, 0) and clean_bits(frame, 1)):
                seen.corrupt += 1
                continue
            if counter <= last or age > 10000:
                seen.out_of_order += 1  # an old frame shown again, or one seconds stale
                continue
            last = counter
            seen.arrivals.append(time.monotonic())
            seen.counters.append(counter)
            seen.latencies.append(age)


async def start_viewer(
    url: str, seen: Seen, pattern: bool
) -> tuple[RTCPeerConnection, asyncio.Task[None]]:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    transceiver = pc.addTransceiver("video", direction="recvonly")
    tasks: list[asyncio.Task[None]] = []

    @pc.on("track")
    def on_track(track: Any) -> None:
        tasks.append(asyncio.ensure_future(watch(track, seen, pattern)))

    await negotiate(pc, url, timeout=20)
    del transceiver
    while not tasks:
        await asyncio.sleep(0.05)
    return pc, tasks[0]


@contextlib.asynccontextmanager
async def hub() -> AsyncIterator[tuple[str, MediaEngine]]:
    config = MediaConfig(media_timeout=3.0, grace_period=60.0)
    async with MediaEngine(config, NoFacts()) as engine:
        routes = [
            *media_routes(engine, OpenDoor()),
            Mount("/static", StaticFiles(directory=STATIC)),
            Route("/publish.html", lambda request: HTMLResponse(CHROMIUM_PAGE)),
        ]
        app = Starlette(routes=routes)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host=HOST_IP, port=port, log_level="warning", lifespan="off")
        )
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        try:
            yield f"http://{HOST_IP}:{port}", engine
        finally:
            server.should_exit = True
            await task


async def sample_uplink(engine: MediaEngine, sampled: list[Any]) -> None:
    """Keeps the source's uplink figures from the last second it was live."""
    while True:
        await asyncio.sleep(1.0)
        sources = engine.stats().sources
        if sources and sources[0].state == "live" and sources[0].uplink is not None:
            sampled.append(sources[0].uplink)


async def run_condition(name: str, codec: str, publisher: str, seconds: float) -> list[object]:
    clear_condition()
    seen = Seen()
    outage = [float(s.split()[1]) for s in CONDITIONS[name] if s.startswith("outage")]
    if outage:
        seconds = max(seconds, OUTAGE_AT + outage[0] + 10)
    async with hub() as (url, engine):
        viewer, watching = await start_viewer(f"{url}/whep/cam", seen, publisher == "aiortc")
        apply_condition([s for s in CONDITIONS[name] if not s.startswith("outage")])
        if publisher == "aiortc":
            command = [sys.executable, __file__, "publish", "--url", f"{url}/whip/cam"]
            command += ["--codec", codec, "--seconds", str(seconds)]
        else:
            # getUserMedia needs a secure context; the hub's address is plain HTTP here.
            secure = f"--unsafely-treat-insecure-origin-as-secure={url}"
            command = [*CHROMIUM, secure, f"{url}/publish.html"]
        child = await asyncio.create_subprocess_exec(
            "ip", "netns", "exec", NS, *command,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        while not (engine.stats().sources and engine.stats().sources[0].state == "live"):
            await asyncio.sleep(0.1)
        sampled: list[Any] = []
        sampler = asyncio.create_task(sample_uplink(engine, sampled))
        started = time.monotonic()
        link_back: float | None = None
        if outage:
            await asyncio.sleep(OUTAGE_AT)
            in_ns("ip", "link", "set", NS_IF, "down")
            await asyncio.sleep(outage[0])
            in_ns("ip", "link", "set", NS_IF, "up")
            link_back = time.monotonic()
        if publisher == "aiortc":
            out, _ = await child.communicate()
            sent = json.loads(out.decode().strip().splitlines()[-1])
        else:
            await asyncio.sleep(max(0.0, started + seconds - time.monotonic()))
            child.terminate()
            await child.wait()
            sent = {"sent": "-", "requests": "-", "max_per_second": "-"}
        ended = time.monotonic()
        sampler.cancel()
        uplink = sampled[-1] if sampled else None
        watching.cancel()
        await viewer.close()
    clear_condition()
    label = f"{name} {codec if publisher == 'aiortc' else 'H264'} {publisher}"
    return summarise(label, seen, sent, uplink, started, ended, link_back, publisher)


def summarise(
    label: str,
    seen: Seen,
    sent: dict[str, Any],
    uplink: Any,
    started: float,
    ended: float,
    link_back: float | None,
    publisher: str,
) -> list[object]:
    arrivals = [at for at in seen.arrivals if at >= started]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    freezes = [gap for gap in gaps if gap > 0.2]
    watched = (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else 0.0
    recovery = "-"
    if link_back is not None:
        after = [at for at in arrivals if at >= link_back]
        recovery = f"{after[0] - link_back:.2f}" if after else "never"
    pattern = publisher == "aiortc"
    latencies = seen.latencies or [0]
    requests = (
        f"{sent['requests']} (max {sent['max_per_second']}/s)"
        if pattern
        else f"{uplink.keyframes_requested if uplink else 0} (hub)"
    )
    return [
        label,
        f"{len(set(seen.counters))}/{sent['sent']}" if pattern else f"{len(arrivals)}/-",
        f"{len(arrivals) / watched:.1f}" if watched else "0",
        len(freezes),
        f"{max(freezes, default=0.0):.2f}",
        f"{seen.corrupt}/{seen.out_of_order}" if pattern else "-",
        f"{percentile(latencies, 50):.0f}" if pattern else "-",
        f"{percentile(latencies, 95):.0f}" if pattern else "-",
        requests,
        f"{uplink.estimate / 1e6:.2f}" if uplink is not None and uplink.estimate else "-",
        f"{uplink.bitrate / 1e6:.2f}" if uplink is not None else "-",
        recovery,
    ]


HEADERS = [
    "condition",
    "delivered/sent",
    "fps",
    "freezes>200ms",
    "longest s",
    "corrupt/stale",
    "lat p50 ms",
    "lat p95 ms",
    "key-frame requests",
    "REMB Mbit/s",
    "received Mbit/s",
    "recovery s",
]


async def bench(
    codecs: Sequence[str], conditions: Sequence[str], publishers: Sequence[str], seconds: float
) -> None:
    make_namespace()
    rows = []
    try:
        for condition in conditions:
            for publisher in publishers:
                for codec in codecs if publisher == "aiortc" else ["H264"]:
                    row = await run_condition(condition, codec, publisher, seconds)
                    print(" | ".join(str(cell) for cell in row), flush=True)
                    rows.append(row)
    finally:
        remove_namespace()
    print(table(HEADERS, rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    publish = sub.add_parser("publish")
    publish.add_argument("--url", required=True)
    publish.add_argument("--codec", default="VP8")
    publish.add_argument("--seconds", type=float, default=25.0)
    parser.add_argument("--codecs", default="VP8,H264")
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--publishers", default="aiortc,chromium")
    parser.add_argument("--seconds", type=float, default=25.0)
    args = parser.parse_args()
    if args.command == "publish":
        result = asyncio.run(run_publisher(args.url, args.codec, args.seconds))
        print(json.dumps(result))
        return
    conditions = args.conditions.split(",")
    publishers = args.publishers.split(",")
    asyncio.run(bench(args.codecs.split(","), conditions, publishers, args.seconds))


if __name__ == "__main__":
    main()
