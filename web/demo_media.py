"""`hub demo`'s live feeds: synthetic cameras that publish to the hub through its own WHIP endpoint.

Each feed is a moving test pattern with a burnt-in clock and frame counter, and a tone, sent
exactly as an encoder in the field would send it, so the wall, the recordings and the program
output see real streams. Now and then the truck's link stalls for a few seconds: the wall shows
the source interrupted, the program output failing over to its backup, and both coming back.
Every stream ends after a while and starts again (each one becomes a capture), and the demo's
recordings older than two hours are deleted, so a demo left running does not fill the disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hub.commands.live import RotateSourceToken
from hub.credentials import hash_token
from hub.demo import actor
from hub.demo_camera import EncodedPatternTrack, ToneAudioTrack, WhipPublisher, WhipRefused
from hub.media.record.sidecar import SIDECAR_SUFFIX, Sidecar
from hub.newsroom import Request
from web.runtime import Runtime

log = logging.getLogger(__name__)

TOKENS_FILE = "demo-sources.json"
STALL_EVERY = 150.0  # seconds between the truck's stalls
STALL_FOR = 4.0
STREAM_FOR = 900.0  # seconds a stream lasts before it ends and starts again (staggered)
PAUSE = 5.0
KEEP_RECORDINGS = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class DemoFeed:
    source: str
    codec: str
    width: int
    height: int
    bit_rate: int


DEMO_FEEDS = (
    DemoFeed("truck-1", "H264", 960, 540, 1_000_000),
    DemoFeed("studio-cam", "H264", 640, 360, 500_000),
    DemoFeed("chen.jie-phone", "VP8", 640, 360, 400_000),
)


def demo_tokens(rt: Runtime, seeded: dict[str, str]) -> dict[str, str]:
    """The demo sources' publish tokens: kept in the data folder, made anew when unknown."""
    path = rt.settings.data_dir / TOKENS_FILE
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    known |= {name: token for name, token in seeded.items() if name in _names()}
    sources = rt.models.directory.sources
    for name in _names():
        entry = sources.get(name)
        if entry is None:
            continue
        if name not in known or hash_token(known[name]) != entry.token_hash:
            done = rt.newsroom.handle(
                Request(actor("li.na"), datetime.now(UTC)), RotateSourceToken(name=name)
            )
            known[name] = done.extra["token"]
    _write_private(path, json.dumps(known, indent=2))
    return {name: token for name, token in known.items() if name in sources}


def _names() -> list[str]:
    return [feed.source for feed in DEMO_FEEDS]


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(text)


class DemoFeeds:
    """Publishes every demo feed to `base_url` until stopped."""

    def __init__(self, base_url: str, tokens: dict[str, str], recordings: Path) -> None:
        self.base_url, self.tokens, self.recordings = base_url, tokens, recordings
        self.feeds = [feed for feed in DEMO_FEEDS if feed.source in tokens]
        self.publishers: dict[str, WhipPublisher] = {}
        self.tracks: dict[str, tuple[EncodedPatternTrack, ToneAudioTrack]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        for index, feed in enumerate(self.feeds):
            offset = STREAM_FOR * (index + 1) / (len(self.feeds) + 1)
            self._tasks.append(asyncio.create_task(self._publish(feed, first_for=offset)))
        self._tasks.append(asyncio.create_task(self._stall_now_and_then("truck-1")))
        self._tasks.append(asyncio.create_task(self._prune()))

    def _publisher(self, feed: DemoFeed) -> WhipPublisher:
        video = EncodedPatternTrack(
            feed.codec,
            feed.width,
            feed.height,
            fps=25,
            gop=50,
            bit_rate=feed.bit_rate,
            label=feed.source,
            remember=False,
        )
        audio = ToneAudioTrack()
        self.tracks[feed.source] = (video, audio)
        return WhipPublisher(
            f"{self.base_url}/whip/{feed.source}",
            self.tokens[feed.source],
            [video, audio],
            video_codec=feed.codec,
            verify=False,  # the hub itself, on loopback, perhaps with a self-signed certificate
        )

    async def _publish(self, feed: DemoFeed, first_for: float) -> None:
        lasts = first_for
        while True:
            publisher = self.publishers[feed.source] = self._publisher(feed)
            running = asyncio.create_task(publisher.run())
            try:
                await asyncio.wait_for(asyncio.shield(running), lasts)
            except TimeoutError:
                pass
            except WhipRefused as refused:
                log.error("demo feed %s was refused: %s", feed.source, refused)
                return
            await publisher.stop()
            await running
            lasts = STREAM_FOR
            await asyncio.sleep(PAUSE)

    async def _stall_now_and_then(self, source: str) -> None:
        while True:
            await asyncio.sleep(STALL_EVERY)
            for track in self.tracks.get(source, ()):
                track.pause(STALL_FOR)  # picture and sound: the link, not the camera

    async def _prune(self) -> None:
        while True:
            await asyncio.to_thread(prune_recordings, self.recordings, KEEP_RECORDINGS)
            await asyncio.sleep(600)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.gather(*(p.stop() for p in self.publishers.values()))


def prune_recordings(folder: Path, keep: timedelta) -> int:
    """Deletes the demo feeds' finished recordings older than `keep`; returns how many."""
    cutoff = datetime.now(UTC) - keep
    removed = 0
    for path in folder.glob(f"*{SIDECAR_SUFFIX}"):
        try:
            sidecar = Sidecar.load(path)
        except (KeyError, ValueError, OSError):
            continue
        if sidecar.source not in _names() or not sidecar.reported:
            continue
        if sidecar.started_at < cutoff:
            sidecar.media.unlink(missing_ok=True)
            path.unlink(missing_ok=True)
            removed += 1
    return removed
