"""A real hub for the media tests: the engine and the WHIP/WHEP routes on uvicorn, on 127.0.0.1.

Peer connections are real aiortc ones (aioice offers the host's non-loopback address, so media
flows over 192.0.2.x on this machine); nothing on the media path is mocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import av
import httpx
import pytest
import uvicorn
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from hub.media.engine import MediaConfig, MediaEngine, codec_preferences
from hub.media.errors import MediaAuthError
from hub.media.ingest.http import media_routes
from hub.media.ingest.passthrough import route_keyframe_requests
from hub.media.ports import StreamStats
from hub.media.relay.frames import EncodedFrame, FrameQueue
from tests.support.patterns import read_counter
from tests.support.waiting import eventually
from tests.support.whep_client import WhepViewer

SOURCES = {"cam1", "cam2", "truck"}
PUBLISH_TOKENS = {"pub-all": SOURCES, "pub-cam1": {"cam1"}}
VIEW_TOKENS = {"wall": SOURCES}
FAST = MediaConfig(media_timeout=1.0, grace_period=5.0, connect_timeout=10.0)


class Authorizer:
    """Tokens and sources of a test hub."""

    async def source_exists(self, source: str) -> bool:
        return source in SOURCES

    async def authorize_publish(self, source: str, bearer_token: str) -> None:
        self._check(PUBLISH_TOKENS, source, bearer_token, "publish to")

    async def authorize_view(self, source: str, bearer_token: str) -> None:
        self._check(VIEW_TOKENS, source, bearer_token, "view")

    def _check(self, tokens: dict[str, set[str]], source: str, token: str, verb: str) -> None:
        allowed = tokens.get(token)
        if allowed is None:
            raise MediaAuthError(401, "bad_token", "the token is not valid")
        if source not in allowed:
            raise MediaAuthError(403, "forbidden", f"this token may not {verb} {source}")


@dataclass
class RecordingFacts:
    """Keeps every fact the engine reports, in order."""

    facts: list[tuple[Any, ...]] = field(default_factory=list)

    async def source_live(
        self, source: str, session: str, codec: str, width: int, height: int
    ) -> None:
        self.facts.append(("live", source, session, codec, width, height))

    async def source_interrupted(self, source: str, session: str, reason: str) -> None:
        self.facts.append(("interrupted", source, session, reason))

    async def source_resumed(self, source: str, session: str) -> None:
        self.facts.append(("resumed", source, session))

    async def source_ended(
        self, source: str, session: str, stats: StreamStats, reason: str
    ) -> None:
        self.facts.append(("ended", source, session, stats, reason))

    async def picture_frozen(self, source: str, session: str, frozen: bool) -> None:
        self.facts.append(("frozen", source, session, frozen))

    async def uplink_narrow(
        self, source: str, session: str, narrow: bool, estimate: int, bitrate: int
    ) -> None:
        self.facts.append(("narrow", source, session, narrow, estimate, bitrate))

    async def viewer_count_changed(self, source: str, viewers: int) -> None:
        self.facts.append(("viewers", source, viewers))

    def of(self, source: str, *kinds: str) -> list[tuple[Any, ...]]:
        return [f for f in self.facts if f[1] == source and (not kinds or f[0] in kinds)]

    async def wait_for(self, kind: str, source: str, count: int = 1) -> tuple[Any, ...]:
        """The `count`-th fact of this kind for this source, once it has been reported."""
        await eventually(lambda: len(self.of(source, kind)) >= count, f"{count} × {kind}")
        return self.of(source, kind)[count - 1]


@dataclass
class Hub:
    """A running test hub, and the clients a test made of it (closed when the test ends)."""

    url: str
    engine: MediaEngine
    facts: RecordingFacts
    connections: list[RTCPeerConnection] = field(default_factory=list)
    viewers: list[WhepViewer] = field(default_factory=list)

    def whip(self, source: str) -> str:
        return f"{self.url}/whip/{source}"

    def whep(self, source: str) -> str:
        return f"{self.url}/whep/{source}"

    async def publish(
        self,
        source: str,
        tracks: Sequence[MediaStreamTrack],
        video_codec: str | None = None,
        token: str = "pub-all",
    ) -> Publisher:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.connections.append(pc)
        return await whip_publish(pc, self.whip(source), token, tracks, video_codec)

    def viewer(self, source: str, video_codecs: Sequence[str] = ("H264", "VP8")) -> WhepViewer:
        viewer = WhepViewer(self.whep(source), "wall", video_codecs=video_codecs)
        self.viewers.append(viewer)
        return viewer

    def connection(self) -> RTCPeerConnection:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.connections.append(pc)
        return pc

    async def close_clients(self) -> None:
        for viewer in self.viewers:
            await viewer.stop(delete=False)
        for pc in self.connections:
            await pc.close()


@contextlib.asynccontextmanager
async def serve(app: Starlette, *, lifespan: str = "off") -> AsyncIterator[str]:
    """Serves `app` with uvicorn on an ephemeral port of 127.0.0.1; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await eventually(lambda: server.started or task.done(), "uvicorn to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@contextlib.asynccontextmanager
async def running_hub(
    config: MediaConfig = FAST, extra_routes: Sequence[BaseRoute] = ()
) -> AsyncIterator[Hub]:
    facts = RecordingFacts()
    async with MediaEngine(config, facts) as engine:
        app = Starlette(routes=[*media_routes(engine, Authorizer()), *extra_routes])
        async with serve(app) as url:
            running = Hub(url, engine, facts)
            try:
                yield running
            finally:
                await running.close_clients()


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    async with running_hub() as running:
        yield running


@dataclass
class Publisher:
    """A raw WHIP publisher: an aiortc peer connection and its session's URL."""

    pc: RTCPeerConnection
    location: str
    token: str

    async def delete(self) -> int:
        async with httpx.AsyncClient() as http:
            response = await http.delete(self.location, headers=bearer(self.token))
        return response.status_code


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def whip_publish(
    pc: RTCPeerConnection,
    url: str,
    token: str,
    tracks: Sequence[MediaStreamTrack],
    video_codec: str | None = None,
) -> Publisher:
    """Publishes tracks once on `pc`; key frame requests reach tracks that can make one."""
    for track in tracks:
        transceiver = pc.addTransceiver(track, direction="sendonly")
        if track.kind == "video" and video_codec is not None:
            transceiver.setCodecPreferences(codec_preferences("video", video_codec))
        request = getattr(track, "request_keyframe", None)
        if request is not None:
            route_keyframe_requests(transceiver.sender, request)
    await pc.setLocalDescription(await pc.createOffer())
    async with httpx.AsyncClient() as http:
        response = await http.post(
            url,
            content=pc.localDescription.sdp,
            headers={"Content-Type": "application/sdp", **bearer(token)},
        )
    if response.status_code != 201:
        raise AssertionError(f"WHIP answered {response.status_code}: {response.text}")
    await pc.setRemoteDescription(RTCSessionDescription(sdp=response.text, type="answer"))
    return Publisher(pc, urljoin(url, response.headers["location"]), token)


async def take(frames: FrameQueue, count: int, timeout: float = 20.0) -> list[EncodedFrame]:
    """The next `count` frames of a queue."""
    taken: list[EncodedFrame] = []

    async def fill() -> None:
        while len(taken) < count:
            frame = await frames.get()
            assert frame is not None, "the queue closed"
            taken.append(frame)

    try:
        await asyncio.wait_for(fill(), timeout)
    except TimeoutError:
        raise AssertionError(f"got {len(taken)} of {count} frames in {timeout} s") from None
    return taken


def decode_counters(frames: Sequence[EncodedFrame]) -> list[tuple[int, int, int]]:
    """Decodes video frames; returns (counter, width, height) for each picture."""
    decoders: dict[str, Any] = {}
    out = []
    for frame in frames:
        decoder = decoders.setdefault(frame.codec, av.CodecContext.create(frame.codec.lower(), "r"))
        for picture in decoder.decode(av.Packet(frame.data)):
            out.append((read_counter(picture), picture.width, picture.height))
    return out
