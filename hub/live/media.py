"""Live media inside the hub: the engine, what it observes recorded as events, recordings turned
into captures, and the program outputs kept in step with the store.

    WHIP/WHEP ──> MediaEngine ──facts──> SourceFacts ──commands──> Newsroom (events)
                      │  feeds                 └── Recorder per stream ──> Capture when it ends
                      └──────> OutputSupervisor (one ProgramOutput per running output)

At start-up, before any publisher is let in, the store is reconciled with what a killed hub left
behind: a source the store still thinks live is ended with a reason, and every recording the
store was never told about (its file trimmed to the last whole fragment) becomes a capture.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from aiortc import RTCIceServer
from starlette.concurrency import run_in_threadpool

from events.roles import SYSTEM_ACTOR
from hub.commands.alerts import RecordAlertAired
from hub.commands.live import (
    SourceEnded,
    SourceInterrupted,
    SourcePictureFroze,
    SourceResumed,
    SourceUplinkNarrow,
    SourceWentLive,
)
from hub.commands.stories import RegisterCapture
from hub.config import Settings
from hub.emergency.onair import EmergencyOnAir
from hub.live.access import NewsroomMediaAccess
from hub.live.facts import tell
from hub.live.outputs import OutputSupervisor
from hub.media.engine import MediaConfig, MediaEngine
from hub.media.ingest.http import Credentials, MediaEndpoints
from hub.media.ports import StreamStats
from hub.media.record.reconcile import mark_reported, reconcile
from hub.media.record.recording import Recorder
from hub.media.record.sidecar import RecordingResult
from hub.newsroom import Request as Command
from hub.runtime import HubRuntime

log = logging.getLogger(__name__)

RESTART_REASON = "the hub stopped while the source was live"


def ice_servers(settings: Settings) -> tuple[RTCIceServer, ...]:
    """The configured STUN/TURN servers; TURN ones carry the configured credentials."""
    servers = []
    for url in settings.ice_servers:
        if url.startswith(("turn:", "turns:")) and settings.turn_username:
            servers.append(
                RTCIceServer(url, settings.turn_username, settings.turn_password or None)
            )
        else:
            servers.append(RTCIceServer(url))
    return tuple(servers)


def media_config(settings: Settings) -> MediaConfig:
    return MediaConfig(ice_servers=ice_servers(settings))


class SourceFacts:
    """The engine's `MediaFacts`: each becomes an event; a stream is recorded while it lasts."""

    def __init__(
        self,
        rt: HubRuntime,
        access: NewsroomMediaAccess,
        engine: Callable[[], MediaEngine],
        folder: Path,
    ) -> None:
        self.rt, self.access, self.engine, self.folder = rt, access, engine, folder
        self.recorders: dict[str, tuple[Recorder, asyncio.Task[RecordingResult | None]]] = {}

    async def source_live(
        self, source: str, session: str, codec: str, width: int, height: int
    ) -> None:
        publisher = self.access.publishers.get(source)
        self._start_recording(source, session)
        assignment = await run_in_threadpool(self.assignment_of, source, publisher)
        await tell(
            self.rt,
            SourceWentLive(
                name=source,
                session=session,
                publisher=publisher,
                assignment=assignment,
                codec=codec,
                width=width,
                height=height,
            ),
        )

    def assignment_of(self, source: str, publisher: str | None) -> UUID | None:
        """The assignment the publisher (or the source's owner) is on now, as the wall shows it:
        the stream is filed there."""
        reporter = publisher or self.rt.newsroom.source(source).owner
        if reporter is None:
            return None
        with self.rt.models.reading() as models:
            person = models.wall.state()["people"].get(reporter)
        found = person.get("assignment") if person else None
        return UUID(found) if found else None

    async def source_interrupted(self, source: str, session: str, reason: str) -> None:
        await tell(self.rt, SourceInterrupted(name=source, session=session, reason=reason))

    async def picture_frozen(self, source: str, session: str, frozen: bool) -> None:
        await tell(self.rt, SourcePictureFroze(name=source, session=session, frozen=frozen))

    async def uplink_narrow(
        self, source: str, session: str, narrow: bool, estimate: int, bitrate: int
    ) -> None:
        fact = SourceUplinkNarrow(
            name=source, session=session, narrow=narrow, estimate=estimate, bitrate=bitrate
        )
        await tell(self.rt, fact)

    async def source_resumed(self, source: str, session: str) -> None:
        await tell(self.rt, SourceResumed(name=source, session=session))

    async def source_ended(
        self, source: str, session: str, stats: StreamStats, reason: str
    ) -> None:
        result = await self._stop_recording(source)
        assignment = await run_in_threadpool(lambda: self.rt.newsroom.source(source).assignment)
        ended = SourceEnded(name=source, session=session, reason=reason, stats=stats.as_dict())
        await tell(self.rt, ended)
        if result is not None:
            await register_recording(self.rt, result, assignment)

    async def viewer_count_changed(self, source: str, viewers: int) -> None:
        return None  # a figure for /metrics and /api/sources, not an event

    def _start_recording(self, source: str, session: str) -> None:
        if source in self.recorders:
            return
        feed = self.engine().feed(source)
        recorder = Recorder(feed, self.folder, session=session, started_at=datetime.now(UTC))
        task = asyncio.create_task(recorder.run(), name=f"recording-{source}")
        self.recorders[source] = (recorder, task)
        feed.request_keyframe()  # the fact came after the first key frame: a file starts at one

    async def _stop_recording(self, source: str) -> RecordingResult | None:
        found = self.recorders.pop(source, None)
        if found is None:
            return None
        recorder, task = found
        recorder.stop()
        try:
            return await task
        except Exception:
            log.exception("the recording of %s failed", source)
            return None

    async def close(self) -> None:
        """Closes every recording file (the engine's last facts register them)."""
        for source in list(self.recorders):
            await self._stop_recording(source)


async def register_recording(
    rt: HubRuntime, result: RecordingResult, assignment: UUID | None
) -> None:
    """Turns a finished recording into a capture, once (its file name is the retry key)."""
    if result.size == 0 or not result.sha256:
        log.warning("recording %s holds nothing; no capture", result.path)
        mark_reported(result)
        return
    content_type = "video/mp4" if result.path.suffix == ".mp4" else "video/webm"
    if result.video_codec is None:
        content_type = "audio/webm"
    details: dict[str, Any] = {
        "session": result.session,
        "codec": result.codec,
        "resolution": result.resolution,
        "started_at": result.started_at.isoformat(),
        "ended_at": result.ended_at.isoformat(),
        "interrupted": result.interrupted,
        "path": str(result.path),
    }
    if result.reason:
        details["reason"] = result.reason

    capture = RegisterCapture(
        assignment=assignment,
        kind="recording",
        filename=result.path.name,
        content_type=content_type,
        size=result.size,
        sha256=result.sha256,
        duration=round(result.duration, 3),
        source=result.source,
        details=details,
    )
    if await tell(rt, capture, key=f"recording:{result.path.name}") is not None:
        await run_in_threadpool(mark_reported, result)


def end_streams_left_live(rt: HubRuntime) -> dict[str, UUID | None]:
    """Ends every stream the store still thinks live (the engine has just started, empty).

    Returns each source's last assignment, for the recordings reconciled next.
    """
    newsroom = rt.newsroom
    assignments: dict[str, UUID | None] = {}
    for name in list(rt.models.directory.sources):
        source = newsroom.source(name)
        assignments[name] = source.assignment
        if source.state in ("live", "interrupted") and source.session is not None:
            newsroom.handle(
                Command(SYSTEM_ACTOR, datetime.now(UTC)),
                SourceEnded(name=name, session=source.session, reason=RESTART_REASON, stats={}),
            )
    return assignments


class LiveMedia:
    """The media side of one hub process: built and closed in the application's lifespan."""

    def __init__(self, rt: HubRuntime, credentials: Credentials) -> None:
        settings = rt.settings
        self.rt = rt
        self.recordings = settings.data_dir / "recordings"
        self.access = NewsroomMediaAccess(rt)
        # The facts need the engine (for its feeds) and the engine its facts: the first is lazy.
        self.facts = SourceFacts(rt, self.access, lambda: self.engine, self.recordings)
        self.engine = MediaEngine(media_config(settings), self.facts)
        self.endpoints = MediaEndpoints(
            self.engine, self.access, max_sdp_bytes=64 * 1024, credentials=credentials
        )
        self.outputs = OutputSupervisor(rt, self.engine, settings.data_dir / "hls")
        self.emergency = EmergencyOnAir(
            self._alerts, lambda: self.outputs.running, settings.carries_emergencies, self._aired
        )

    def _alerts(self) -> dict[str, Any]:
        with self.rt.models.reading() as models:
            return models.alerts.snapshot()

    async def _aired(self, alert: str, outputs: list[str], spoken: bool, font: bool) -> None:
        command = RecordAlertAired(id=UUID(alert), outputs=outputs, spoken=spoken, font=font)
        await tell(self.rt, command)

    async def start(self) -> None:
        self.recordings.mkdir(parents=True, exist_ok=True)
        assignments = await run_in_threadpool(end_streams_left_live, self.rt)
        for result in await run_in_threadpool(reconcile, self.recordings):
            await register_recording(self.rt, result, assignments.get(result.source))
        await self.outputs.start()
        await self.emergency.start()

    async def close(self) -> None:
        await self.emergency.close()
        await self.outputs.close()
        await self.engine.close()  # ends every stream: its facts stop and register recordings
        await self.facts.close()


@contextlib.asynccontextmanager
async def live_media(rt: HubRuntime, credentials: Credentials, *, enabled: bool) -> Any:
    """Runs the media side for the lifespan of the application, when enabled; `credentials`
    reads a WHIP/WHEP request's credential (the web side knows sessions and tokens)."""
    if not enabled:
        yield None
        return
    live = LiveMedia(rt, credentials)
    await live.start()
    try:
        yield live
    finally:
        await live.close()
