"""`hub demo`'s synthetic camera: a moving test pattern with a burnt-in clock and counter, and a
tone, published over WHIP the way a phone publishes.

The pattern is readable by eye (time of day, frame number, label) and by machine: two rows of 32
black or white blocks at the bottom carry the frame counter and the wall-clock time in
milliseconds (low 32 bits), big enough to survive lossy coding, so a test or a bench reads them
back from a decoded frame. Painting uses byte-slice assignment only (no numpy): about 1 ms per
720p frame.

`WhipPublisher` (aiortc + httpx) keeps publishing through failures: after a failure it publishes
again with exponential backoff, then DELETEs the dead session (RFC 9725 §4.4), so the hub reports
the source interrupted and then resumed rather than ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import math
import time
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import av
import httpx
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc import RTCSessionDescription as Description
from aiortc.mediastreams import MediaStreamTrack
from av.video.frame import PictureType

from hub.media.engine import codec_preferences
from hub.media.ingest.passthrough import route_keyframe_requests
from hub.media.program.picture import yuv420_frame
from hub.media.relay.transcode import live_video_encoder

VIDEO_CLOCK = 90000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK)
AUDIO_RATE = 48000
AUDIO_FRAME = 960  # 20 ms, one Opus frame
BITS = 32
BLACK, WHITE = 16, 235  # video-range luma

# A 5x7 font: each glyph is seven rows of five bits, most significant bit on the left.
FONT: dict[str, tuple[int, ...]] = {
    " ": (0, 0, 0, 0, 0, 0, 0),
    "0": (14, 17, 19, 21, 25, 17, 14),
    "1": (4, 12, 4, 4, 4, 4, 14),
    "2": (14, 17, 1, 2, 4, 8, 31),
    "3": (31, 2, 4, 2, 1, 17, 14),
    "4": (2, 6, 10, 18, 31, 2, 2),
    "5": (31, 16, 30, 1, 1, 17, 14),
    "6": (6, 8, 16, 30, 17, 17, 14),
    "7": (31, 1, 2, 4, 8, 8, 8),
    "8": (14, 17, 17, 14, 17, 17, 14),
    "9": (14, 17, 17, 15, 1, 2, 12),
    ":": (0, 12, 12, 0, 12, 12, 0),
    ".": (0, 0, 0, 0, 0, 12, 12),
    "#": (10, 10, 31, 10, 31, 10, 10),
    "-": (0, 0, 0, 31, 0, 0, 0),
    "_": (0, 0, 0, 0, 0, 0, 31),
    "/": (1, 1, 2, 4, 8, 16, 16),
    "A": (14, 17, 17, 31, 17, 17, 17),
    "B": (30, 17, 17, 30, 17, 17, 30),
    "C": (14, 17, 16, 16, 16, 17, 14),
    "D": (28, 18, 17, 17, 17, 18, 28),
    "E": (31, 16, 16, 30, 16, 16, 31),
    "F": (31, 16, 16, 30, 16, 16, 16),
    "G": (14, 17, 16, 23, 17, 17, 15),
    "H": (17, 17, 17, 31, 17, 17, 17),
    "I": (14, 4, 4, 4, 4, 4, 14),
    "J": (7, 2, 2, 2, 2, 18, 12),
    "K": (17, 18, 20, 24, 20, 18, 17),
    "L": (16, 16, 16, 16, 16, 16, 31),
    "M": (17, 27, 21, 21, 17, 17, 17),
    "N": (17, 17, 25, 21, 19, 17, 17),
    "O": (14, 17, 17, 17, 17, 17, 14),
    "P": (30, 17, 17, 30, 16, 16, 16),
    "Q": (14, 17, 17, 17, 21, 18, 13),
    "R": (30, 17, 17, 30, 20, 18, 17),
    "S": (15, 16, 16, 14, 1, 1, 30),
    "T": (31, 4, 4, 4, 4, 4, 4),
    "U": (17, 17, 17, 17, 17, 17, 14),
    "V": (17, 17, 17, 17, 17, 10, 4),
    "W": (17, 17, 17, 21, 21, 21, 10),
    "X": (17, 17, 10, 4, 10, 17, 17),
    "Y": (17, 17, 10, 4, 4, 4, 4),
    "Z": (31, 1, 2, 4, 8, 16, 31),
}


class TestPattern:
    """Paints numbered frames of a moving pattern into YUV 4:2:0 `av.VideoFrame`s."""

    def __init__(self, width: int = 640, height: int = 360, label: str = "") -> None:
        if width < BITS * 4 or height < 64 or width % 2 or height % 2:
            raise ValueError(
                f"a test pattern needs an even size of at least 128x64, not {width}x{height}"
            )
        self.width, self.height, self.label = width, height, label.upper()
        self.block = width // BITS
        self.scale = max(1, height // 90)
        self._ramp = bytes(16 + (i * 3) % 200 for i in range(2 * width))
        tint = zlib.crc32(label.encode())
        self._u, self._v = 108 + tint % 40, 108 + (tint >> 8) % 40
        self._glyphs: dict[str, list[bytes]] = {}

    def paint(self, counter: int, wall_time: float) -> av.VideoFrame:
        """Frame `counter`, stamped with `wall_time` (seconds since the epoch)."""
        width, height, scale = self.width, self.height, self.scale
        offset = (counter * 4) % width
        luma = bytearray(self._ramp[offset : offset + width] * height)
        box = height // 6
        x = (counter * 6) % (width - box)
        for y in range(height // 2, height // 2 + box):
            luma[y * width + x : y * width + x + box] = bytes([WHITE]) * box
        clock = (
            time.strftime("%H:%M:%S", time.localtime(wall_time))
            + f".{int(wall_time * 1000) % 1000:03d}"
        )
        margin = 2 * scale
        top = height // 6  # below where a wall tile writes the source's name
        self._text(luma, margin, top, clock)
        self._text(luma, margin, top + 9 * scale, f"#{counter:06d}")
        if self.label:
            self._text(luma, margin, top + 18 * scale, self.label[:24])
        data_top = height - 2 * self.block - margin
        self._bits(luma, data_top, counter)
        self._bits(luma, data_top + self.block, int(wall_time * 1000))
        chroma = (width // 2) * (height // 2)
        return yuv420_frame(
            width, height, bytes(luma), bytes([self._u]) * chroma, bytes([self._v]) * chroma
        )

    def _text(self, luma: bytearray, x: int, y: int, text: str) -> None:
        rows = [b"".join(self._glyph(char)[row] for char in text) for row in range(7)]
        length = min(len(rows[0]), self.width - x)
        for row, pixels in enumerate(rows):
            for dy in range(self.scale):
                start = (y + row * self.scale + dy) * self.width + x
                luma[start : start + length] = pixels[:length]

    def _glyph(self, char: str) -> list[bytes]:
        cached = self._glyphs.get(char)
        if cached is None:
            s = self.scale
            bits = FONT.get(char, FONT[" "])
            cached = [
                b"".join(bytes([WHITE if row >> (4 - c) & 1 else BLACK]) * s for c in range(5))
                + bytes([BLACK]) * s
                for row in bits
            ]
            self._glyphs[char] = cached
        return cached

    def _bits(self, luma: bytearray, top: int, value: int) -> None:
        block = self.block
        pixels = b"".join(
            bytes([WHITE if value >> (BITS - 1 - i) & 1 else BLACK]) * block for i in range(BITS)
        )
        for y in range(top, top + block):
            luma[y * self.width : y * self.width + len(pixels)] = pixels


class ToneAudioTrack(MediaStreamTrack):
    """A live 440 Hz tone with a short 880 Hz pip at the start of every second."""

    kind = "audio"

    def __init__(self, level: float = 0.1) -> None:
        super().__init__()
        amplitude = int(32767 * level)
        samples = bytearray()
        for n in range(AUDIO_RATE):
            pitch = 880 if n < AUDIO_RATE // 10 else 440
            sample = int(amplitude * math.sin(2 * math.pi * pitch * n / AUDIO_RATE))
            samples += sample.to_bytes(2, "little", signed=True)
        self._second = bytes(samples)
        self._sent = 0
        self._start: float | None = None
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Sends nothing for `seconds` (a stalled link), then goes on where the clock is."""
        self._paused_until = time.monotonic() + seconds

    async def recv(self) -> av.AudioFrame:
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        if (left := self._paused_until - time.monotonic()) > 0:
            await asyncio.sleep(left)
            self._sent = int((loop.time() - self._start) * AUDIO_RATE) // AUDIO_FRAME * AUDIO_FRAME
        due = self._start + self._sent / AUDIO_RATE
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        offset = (self._sent % AUDIO_RATE) * 2
        frame = av.AudioFrame(format="s16", layout="mono", samples=AUDIO_FRAME)
        frame.planes[0].update(self._second[offset : offset + AUDIO_FRAME * 2])
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._sent
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._sent += AUDIO_FRAME
        return frame


class Pacer:
    """Keeps a live track in real time: the first wait starts its clock, and each wait returns
    no sooner than `offset` seconds after that."""

    def __init__(self) -> None:
        self.start: float | None = None

    async def until(self, offset: float) -> None:
        loop = asyncio.get_running_loop()
        if self.start is None:
            self.start = loop.time()
        due = self.start + offset
        if due > loop.time():
            await asyncio.sleep(due - loop.time())


class EncodedPatternTrack(MediaStreamTrack):
    """A video track that encodes the test pattern itself and returns `av.Packet`s.

    aiortc's sender only packetises them, so the exact bytes sent are known (`on_packet`), and
    a key frame comes every `gop` frames or when asked (`request_keyframe`, routed from PLIs).
    """

    kind = "video"

    def __init__(
        self,
        codec: str = "VP8",
        width: int = 640,
        height: int = 360,
        fps: int = 30,
        gop: int = 60,
        bit_rate: int = 1_000_000,
        label: str = "",
        remember: bool = True,
    ) -> None:
        super().__init__()
        self.codec, self.fps, self.gop = codec, fps, gop
        self.pattern = TestPattern(width, height, label)
        # key frames when this track decides (every `gop` frames, or when asked), not the encoder
        self.encoder = live_video_encoder(codec, width, height, bit_rate, fps=fps, gop=10_000)
        self.counter = 0
        self.remember = remember  # off for a feed that runs for days (`hub demo`)
        self.sent: dict[int, bytes] = {}  # frame counter → encoded frame, for tests to compare
        self._paused_until = 0.0
        self._keyframe_wanted = True
        self._pending: list[av.Packet[Any]] = []
        self._pacer = Pacer()

    def request_keyframe(self) -> None:
        self._keyframe_wanted = True

    def pause(self, seconds: float) -> None:
        """Sends nothing for `seconds`, like a camera whose network stalls, then goes on."""
        self._paused_until = time.monotonic() + seconds

    async def recv(self) -> av.Packet[Any]:
        while not self._pending:
            await self._pacer.until(self.counter / self.fps)
            if time.monotonic() < self._paused_until:
                self.counter += 1
                self._keyframe_wanted = True  # the viewers will have asked for one meanwhile
                continue
            frame = self.pattern.paint(self.counter, time.time())
            frame.pts = self.counter * VIDEO_CLOCK // self.fps
            frame.time_base = VIDEO_TIME_BASE
            key = self._keyframe_wanted or self.counter % self.gop == 0
            frame.pict_type = PictureType.I if key else PictureType.NONE
            self._keyframe_wanted = False
            packets = self.encoder.encode(frame)
            data = b"".join(bytes(p) for p in packets)
            if data:
                if self.remember:
                    self.sent[self.counter] = data
                packet = av.Packet(data)
                packet.pts, packet.time_base = frame.pts, VIDEO_TIME_BASE
                self._pending.append(packet)
            self.counter += 1
        return self._pending.pop(0)


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
