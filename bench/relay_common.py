"""Shared parts of the relay benches: a hub in its own process, a looped 720p clip, CPU readings.

The hub under test runs in a child process (`python bench/relay_common.py serve --mode M`), so
its CPU time can be read from /proc apart from the publishers and viewers that drive it:

- mode `relay`: this project's engine and WHIP/WHEP routes (encoded frames forwarded);
- mode `record`: the same, and every stream recorded to disk as the hub does (`Recorder`);
- mode `stock`: aiortc as its examples use it: the publisher's track is decoded, and every viewer
  gets `MediaRelay().subscribe(track)`, which aiortc encodes again for each viewer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fractions
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import av
import httpx
import uvicorn
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaBlackhole, MediaRelay
from aiortc.mediastreams import MediaStreamTrack
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from child import free_port  # noqa: E402

from hub.demo_camera import Pacer, TestPattern  # noqa: E402
from hub.media.engine import MediaEngine, codec_preferences  # noqa: E402
from hub.media.ingest.http import media_routes  # noqa: E402
from hub.media.ingest.passthrough import route_keyframe_requests  # noqa: E402
from hub.media.ports import NoFacts  # noqa: E402
from hub.media.record.recording import Recorder  # noqa: E402

VIDEO_TIME_BASE = fractions.Fraction(1, 90000)


class OpenDoor:
    """An authorizer that lets everyone publish and view anything (bench only)."""

    async def source_exists(self, source: str) -> bool:
        return True

    async def authorize_publish(self, source: str, bearer_token: str) -> None:
        return None

    async def authorize_view(self, source: str, bearer_token: str) -> None:
        return None


class RecordEveryStream(NoFacts):
    """Records each stream from going live to ending, as the hub's `SourceFacts` do."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.engine: MediaEngine | None = None
        self.recorders: dict[str, tuple[Recorder, asyncio.Task[Any]]] = {}

    async def source_live(
        self, source: str, session: str, codec: str, width: int, height: int
    ) -> None:
        assert self.engine is not None
        feed = self.engine.feed(source)
        recorder = Recorder(feed, self.folder, session=session)
        self.recorders[source] = (recorder, asyncio.create_task(recorder.run()))
        feed.request_keyframe()

    async def source_ended(self, source: str, session: str, stats: Any, reason: str) -> None:
        found = self.recorders.pop(source, None)
        if found is not None:
            found[0].stop()
            await found[1]

    def dropped(self) -> int:
        return sum(recorder.frames_dropped for recorder, _ in self.recorders.values())


def relay_app(engine: MediaEngine, recording: RecordEveryStream | None = None) -> Starlette:
    async def stats(request: Request) -> JSONResponse:
        answer = asdict(engine.stats())
        answer["recordings"] = len(recording.recorders) if recording else 0
        answer["recording_dropped"] = recording.dropped() if recording else 0
        return JSONResponse(answer)

    routes = [*media_routes(engine, OpenDoor()), Route("/bench/stats", stats)]
    return Starlette(routes=routes)


def stock_app() -> Starlette:
    """aiortc's own way: decode the publisher's track, encode it again for every viewer."""
    relay = MediaRelay()
    tracks: dict[str, MediaStreamTrack] = {}
    connections: set[RTCPeerConnection] = set()
    sinks: list[MediaBlackhole] = []

    async def answer(pc: RTCPeerConnection, offer: str) -> Response:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        location = f"/session/{id(pc)}"
        return Response(pc.localDescription.sdp, 201, {"Location": location}, "application/sdp")

    async def whip(request: Request) -> Response:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        connections.add(pc)
        source = request.path_params["source"]

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                tracks[source] = track
                sink = MediaBlackhole()  # someone must read the decoded track, as a player would
                sink.addTrack(relay.subscribe(track))
                sinks.append(sink)
                asyncio.ensure_future(sink.start())

        return await answer(pc, (await request.body()).decode())

    async def whep(request: Request) -> Response:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        connections.add(pc)
        pc.addTrack(relay.subscribe(tracks[request.path_params["source"]]))
        return await answer(pc, (await request.body()).decode())

    async def stats(request: Request) -> JSONResponse:
        return JSONResponse({"sources": [], "viewers": []})

    routes = [
        Route("/whip/{source}", whip, methods=["POST"]),
        Route("/whep/{source}", whep, methods=["POST"]),
        Route("/bench/stats", stats),
    ]
    return Starlette(routes=routes)


async def serve(mode: str, port: int) -> None:
    def server(app: Starlette) -> uvicorn.Server:
        return uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))

    if mode == "relay":
        async with MediaEngine() as engine:
            await server(relay_app(engine)).serve()
    elif mode == "record":
        with tempfile.TemporaryDirectory(prefix="bench-recordings-") as folder:
            recording = RecordEveryStream(Path(folder))
            async with MediaEngine(facts=recording) as engine:
                recording.engine = engine
                await server(relay_app(engine, recording)).serve()
    else:
        await server(stock_app()).serve()


@contextlib.asynccontextmanager
async def hub_process(mode: str) -> AsyncIterator[tuple[int, str]]:
    """Starts a hub of this mode in a child process; yields its pid and base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "serve", "--mode", mode, "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(url + "/bench/stats")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
        yield process.pid, url
    finally:
        process.terminate()
        process.wait(10)


def encode_clip(
    width: int = 1280,
    height: int = 720,
    fps: int = 30,
    seconds: int = 10,
    bit_rate: int = 2_500_000,
    gop: int = 30,
    noise_rows: int = 24,
) -> list[bytes]:
    """A VP8 clip of the test pattern, encoded once so publishers cost almost nothing."""
    encoder: Any = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
    encoder.bit_rate, encoder.time_base = bit_rate, VIDEO_TIME_BASE
    encoder.framerate, encoder.gop_size, encoder.thread_count = fractions.Fraction(fps), gop, 2
    encoder.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    pattern = TestPattern(width, height, "clip")
    clip = []
    for index in range(fps * seconds):
        frame = pattern.paint(index, time.time())
        # A band of noise, so the clip costs its bit rate as camera pictures do.
        luma = bytearray(bytes(frame.planes[0]))
        band = width * (height // 2)
        luma[band : band + width * noise_rows] = os.urandom(width * noise_rows)
        frame.planes[0].update(bytes(luma))
        frame.pts = index * 90000 // fps
        clip.append(b"".join(bytes(packet) for packet in encoder.encode(frame)))
    return clip


class LoopedClipTrack(MediaStreamTrack):
    """Plays a pre-encoded clip in a loop at its frame rate, as `av.Packet`s."""

    kind = "video"

    def __init__(self, clip: Sequence[bytes], fps: int = 30) -> None:
        super().__init__()
        self.clip, self.fps, self.sent = clip, fps, 0
        self._pacer = Pacer()

    async def recv(self) -> av.Packet[Any]:
        await self._pacer.until(self.sent / self.fps)
        packet = av.Packet(self.clip[self.sent % len(self.clip)])
        packet.pts, packet.time_base = self.sent * 90000 // self.fps, VIDEO_TIME_BASE
        self.sent += 1
        return packet


async def publish(
    url: str, tracks: Sequence[MediaStreamTrack], codec: str = "VP8"
) -> RTCPeerConnection:
    """Publishes tracks once over WHIP; the caller closes the connection."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    for track in tracks:
        transceiver = pc.addTransceiver(track, direction="sendonly")
        transceiver.setCodecPreferences(codec_preferences(track.kind, codec))
        request = getattr(track, "request_keyframe", None)
        if callable(request):
            route_keyframe_requests(transceiver.sender, request)
    await negotiate(pc, url)
    return pc


async def negotiate(pc: RTCPeerConnection, url: str, timeout: float = 30) -> None:
    """Posts the connection's offer to a WHIP or WHEP URL and applies the hub's answer."""
    await pc.setLocalDescription(await pc.createOffer())
    async with httpx.AsyncClient(timeout=timeout) as http:
        response = await http.post(
            url,
            content=pc.localDescription.sdp,
            headers={"Content-Type": "application/sdp", "Authorization": "Bearer bench"},
        )
    response.raise_for_status()
    await pc.setRemoteDescription(RTCSessionDescription(sdp=response.text, type="answer"))


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] if ordered else float("nan")


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--mode", choices=["relay", "record", "stock"], default="relay")
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    asyncio.run(serve(arguments.mode, arguments.port))
