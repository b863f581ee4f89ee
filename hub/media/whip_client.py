"""A WHIP publisher in Python (aiortc + httpx) that keeps publishing through failures.

`hub demo` publishes its synthetic sources with it, through the same WHIP endpoint phones use.
After a failure it publishes again with exponential backoff, then DELETEs the dead session
(RFC 9725 §4.4), so the hub reports the source interrupted and then resumed rather than ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import httpx
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc import RTCSessionDescription as Description
from aiortc.mediastreams import MediaStreamTrack

from hub.media.engine import codec_preferences
from hub.media.passthrough import route_keyframe_requests
from hub.media.synthetic import SyntheticVideoTrack, ToneAudioTrack

logger = logging.getLogger(__name__)

PERMANENT = (400, 401, 403, 404, 413, 415)  # retrying these cannot help


class WhipRefused(Exception):
    """The endpoint refused the offer for good (bad token, unknown source, bad offer)."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"WHIP endpoint answered {status}: {body}")
        self.status = status


class _Tap(MediaStreamTrack):
    """Feeds one peer connection from a source track that outlives it.

    aiortc stops a sender's track when its connection closes; the tap is stopped instead.
    """

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source

    async def recv(self) -> Any:
        return await self._source.recv()


class WhipPublisher:
    """Publishes tracks to `url` with a bearer token, again and again until stopped."""

    def __init__(
        self,
        url: str,
        token: str,
        tracks: Sequence[MediaStreamTrack],
        *,
        video_codec: str | None = None,
        ice_servers: Sequence[RTCIceServer] = (),
        min_backoff: float = 0.5,
        max_backoff: float = 10.0,
        liveness_timeout: float = 5.0,
        on_state: Callable[[str], None] | None = None,
        verify: bool = True,
    ) -> None:
        self.url, self.token, self.tracks = url, token, list(tracks)
        self.video_codec = video_codec
        self.ice_servers = list(ice_servers)
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self.liveness_timeout = liveness_timeout
        self.on_state = on_state
        self.state = "idle"
        self.session_url: str | None = None
        self.sessions = 0
        self._pc: RTCPeerConnection | None = None
        self._failed = asyncio.Event()
        self._live_since = datetime.now(UTC)
        self._stopping = False
        # verify=False only for the hub publishing to itself on loopback (a self-signed `hub demo`)
        self._http = httpx.AsyncClient(timeout=10.0, verify=verify)

    @property
    def connection(self) -> RTCPeerConnection | None:
        """The peer connection of the current session, if any."""
        return self._pc

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            if self.on_state is not None:
                self.on_state(state)

    async def run(self) -> None:
        """Publishes until `stop()`; raises `WhipRefused` when the endpoint refuses for good."""
        backoff = self.min_backoff
        while not self._stopping:
            try:
                await self.publish()
                backoff = self.min_backoff
                await self._until_failed()
            except WhipRefused:
                self._set_state("refused")
                raise
            except (httpx.HTTPError, OSError, RuntimeError) as exc:
                logger.info("WHIP publish to %s failed: %s", self.url, exc)
            if self._stopping:
                break
            await self._drop_connection()
            self._set_state("retrying")
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def publish(self) -> None:
        """Publishes once on a new peer connection, then DELETEs the previous session."""
        self._set_state("connecting")
        pc = RTCPeerConnection(RTCConfiguration(iceServers=self.ice_servers))
        self._failed = asyncio.Event()
        for track in self.tracks:
            transceiver = pc.addTransceiver(_Tap(track), direction="sendonly")
            if track.kind == "video" and self.video_codec is not None:
                transceiver.setCodecPreferences(codec_preferences("video", self.video_codec))
            request = getattr(track, "request_keyframe", None)
            if callable(request):
                route_keyframe_requests(transceiver.sender, request)
        pc.on("connectionstatechange", lambda: self._watch_state(pc))
        try:
            await pc.setLocalDescription(await pc.createOffer())  # gathers every candidate
            response = await self._http.post(
                self.url,
                content=pc.localDescription.sdp,
                headers={"Content-Type": "application/sdp", **self._auth()},
            )
            if response.status_code != 201:
                if response.status_code in PERMANENT:
                    raise WhipRefused(response.status_code, response.text)
                raise RuntimeError(f"WHIP endpoint answered {response.status_code}")
            await pc.setRemoteDescription(Description(sdp=response.text, type="answer"))
        except BaseException:
            await pc.close()
            raise
        previous, self.session_url = (
            self.session_url,
            urljoin(self.url, response.headers["location"]),
        )
        await self._drop_connection()
        self._pc = pc
        self._live_since = datetime.now(UTC)
        self.sessions += 1
        self._set_state("live")
        if previous is not None:
            await self._delete(previous)

    def _watch_state(self, pc: RTCPeerConnection) -> None:
        if pc is self._pc and pc.connectionState in ("failed", "closed"):
            self._failed.set()

    async def _until_failed(self) -> None:
        # aiortc notices a dead path only after 30 s of failed ICE consent checks; the hub's
        # RTCP receiver reports (about one a second) tell sooner that media still arrives.
        while not self._failed.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._failed.wait(), timeout=1.0)
            if self._pc is not None and await self._silent(self._pc):
                break

    async def _silent(self, pc: RTCPeerConnection) -> bool:
        newest = self._live_since
        for sender in pc.getSenders():
            for stats in (await sender.getStats()).values():
                if stats.type == "remote-inbound-rtp":
                    newest = max(newest, stats.timestamp)
        return (datetime.now(UTC) - newest).total_seconds() > self.liveness_timeout

    async def _drop_connection(self) -> None:
        pc, self._pc = self._pc, None
        if pc is not None:
            await pc.close()

    async def _delete(self, url: str) -> None:
        with contextlib.suppress(httpx.HTTPError):
            await self._http.delete(url, headers=self._auth())

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def stop(self) -> None:
        """Ends the session (DELETE) and the connection; `run()` returns."""
        self._stopping = True
        self._failed.set()
        if self.session_url is not None:
            await self._delete(self.session_url)
            self.session_url = None
        await self._drop_connection()
        await self._http.aclose()
        self._set_state("stopped")


def synthetic_publisher(
    url: str,
    token: str,
    label: str,
    *,
    width: int = 640,
    height: int = 360,
    fps: int = 30,
    ice_servers: Sequence[RTCIceServer] = (),
) -> WhipPublisher:
    """A publisher of the moving test pattern and a tone, for `hub demo`: `await p.run()`."""
    tracks = [SyntheticVideoTrack(width, height, fps, label), ToneAudioTrack()]
    return WhipPublisher(url, token, tracks, ice_servers=ice_servers)
