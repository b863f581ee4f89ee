"""Recording a live source: its encoded frames remuxed, never re-encoded, into a file that stays
playable up to its last fragment if the hub is killed.

Containers (measured in docs/outputs-bench.md): H.264 goes into fragmented MP4 (`empty_moov`, so
the header needs nothing from the end; a fragment at least every second, whatever the key frame
cadence) because every editing tool and browser takes MP4; VP8, which MP4 does not carry, and
audio-only sessions go into WebM with one-second clusters. Opus rides along in either. Browsers
send key frames only when asked, so the recorder asks when a fragment length has passed without
one: a file cut anywhere can then be decoded from a key frame at most about that far back. It asks
through the source's key-frame policy (keyframes.py) like every other path, and not at all while
the publisher sends key frames often enough by itself.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import av
from av.container import OutputContainer
from av.stream import Stream

from hub.media.codec.bitstream import parameter_sets
from hub.media.codec.muxing import add_copy_stream, opus_head
from hub.media.record.measure import probe, sha256_of
from hub.media.record.sidecar import RecordingResult, Sidecar
from hub.media.relay.frames import EncodedFrame, Feed, FrameQueue

log = logging.getLogger(__name__)

FRAGMENT_SECONDS = 1.0
AUDIO_WAIT = 1.0  # after the first video key frame, wait this long for audio before opening
VIDEO_WAIT = 5.0  # with audio and no video key frame for this long, record audio only
REANCHOR = 2.0  # a track whose timestamps stray this far from arrival times has restarted


@dataclass(frozen=True, slots=True)
class ContainerChoice:
    format: str
    suffix: str
    options: dict[str, str]


def container_for(video_codec: str | None, fragment_seconds: float) -> ContainerChoice:
    """The container for a session's codecs, with fragments of `fragment_seconds`."""
    common = {"flush_packets": "1", "max_interleave_delta": str(int(fragment_seconds * 1e6))}
    if video_codec == "H264":
        fragmented = {
            "movflags": "frag_keyframe+empty_moov+default_base_moof",
            "frag_duration": str(int(fragment_seconds * 1e6)),
        }
        return ContainerChoice("mp4", ".mp4", common | fragmented)
    clusters = {"cluster_time_limit": str(int(fragment_seconds * 1000))}
    return ContainerChoice("webm", ".webm", common | clusters)


def recording_path(folder: Path, source: str, started_at: datetime, suffix: str) -> Path:
    """`{source}-{UTC start}{suffix}`, made unique; the source is reduced to safe characters."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", source).strip(".") or "source"
    stem = f"{safe}-{started_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    path = folder / f"{stem}{suffix}"
    serial = 1
    while path.exists():
        serial += 1
        path = folder / f"{stem}-{serial}{suffix}"
    return path


class _Track:
    """One stream of the file and the mapping from the frames' clock to the file's."""

    def __init__(self, stream: Stream, codec: str, clock_rate: int) -> None:
        self.stream = stream
        self.codec = codec
        self.time_base = Fraction(1, clock_rate)
        self.rate = clock_rate
        self.offset: int | None = None
        self.last: int | None = None

    def timestamp(self, frame: EncodedFrame, origin: float) -> int:
        # Tracks start where they arrived (their clocks are unrelated, RFC 3550 §5.1); a track
        # whose publisher restarted its clock is anchored again.
        expected = round((frame.received_at - origin) * self.rate)
        if self.offset is None or abs(frame.pts + self.offset - expected) > REANCHOR * self.rate:
            self.offset = expected - frame.pts
        stamp = frame.pts + self.offset
        if self.last is not None and stamp <= self.last:
            stamp = self.last + 1  # muxers need strictly increasing timestamps
        self.last = stamp
        return stamp


class RecordingWriter:
    """Remuxes one session's frames into its file. Blocking I/O: call it from a worker thread."""

    def __init__(
        self,
        folder: Path,
        source: str,
        *,
        session: str | None = None,
        started_at: datetime,
        fragment_seconds: float = FRAGMENT_SECONDS,
    ) -> None:
        self.folder = folder
        self.source = source
        self.session = session
        self.started_at = started_at
        self.fragment_seconds = fragment_seconds
        self.sidecar: Sidecar | None = None
        self.frames_written = 0
        self.frames_dropped = 0
        self._held: list[EncodedFrame] = []
        self._container: OutputContainer | None = None
        self._tracks: dict[str, _Track] = {}
        self._origin = 0.0

    def write(self, frames: Iterable[EncodedFrame]) -> None:
        for frame in frames:
            if self._container is not None:
                self._mux(frame)
            elif self._hold(frame) and self._ready(frame.received_at):
                self._open()

    def close(self) -> RecordingResult | None:
        """Closes the file and measures it; None when nothing was ever recorded."""
        if self._container is None and self._held:
            self._open()
        if self._container is None or self.sidecar is None:
            return None
        self._container.close()
        return self.sidecar.finalise("complete", measure(self.sidecar, interrupted=False))

    def abandon(self, reason: str) -> RecordingResult | None:
        """Closes what can be closed after a write failed; the result says why it ended."""
        if self._container is None or self.sidecar is None:
            return None
        try:
            self._container.close()
        except (av.FFmpegError, OSError) as error:
            log.warning("closing %s after a failure: %s", self.sidecar.media, error)
        result = measure(self.sidecar, interrupted=True, reason=reason)
        return self.sidecar.finalise("interrupted", result)

    def _hold(self, frame: EncodedFrame) -> bool:
        key = self._first("video")
        if frame.kind == "video" and (key is None or frame.codec != key.codec):
            usable = frame.keyframe and (frame.codec != "H264" or parameter_sets(frame.data))
            if key is not None or not usable:
                self.frames_dropped += 1
                return False
        self._held.append(frame)
        return True

    def _first(self, kind: str) -> EncodedFrame | None:
        return next((f for f in self._held if f.kind == kind), None)

    def _ready(self, now: float) -> bool:
        key, audio = self._first("video"), self._first("audio")
        if key is not None:
            return audio is not None or now - key.received_at >= AUDIO_WAIT
        return audio is not None and now - audio.received_at >= VIDEO_WAIT

    def _open(self) -> None:
        key, audio = self._first("video"), self._first("audio")
        choice = container_for(key.codec if key else None, self.fragment_seconds)
        media = recording_path(self.folder, self.source, self.started_at, choice.suffix)
        self.sidecar = Sidecar(
            media=media,
            source=self.source,
            session=self.session,
            started_at=self.started_at,
            video_codec=key.codec if key else None,
            audio_codec=audio.codec if audio else None,
            width=key.width if key else 0,
            height=key.height if key else 0,
        )
        self.sidecar.save()  # first: a file without its sidecar would never be reported
        container = av.open(str(media), "w", format=choice.format, options=choice.options)
        if key is not None:
            extradata = parameter_sets(key.data) if key.codec == "H264" else b""
            stream = add_copy_stream(
                container,
                key.codec.lower(),
                Fraction(1, key.clock_rate),
                extradata=extradata,
                width=key.width,
                height=key.height,
            )
            self._tracks["video"] = _Track(stream, key.codec, key.clock_rate)
        if audio is not None:
            stream = add_copy_stream(
                container, "opus", Fraction(1, audio.clock_rate), extradata=opus_head()
            )
            self._tracks["audio"] = _Track(stream, audio.codec, audio.clock_rate)
        self._container = container
        self._origin = min(f.received_at for f in self._held)
        held, self._held = self._held, []
        for frame in held:
            self._mux(frame)

    def _mux(self, frame: EncodedFrame) -> None:
        track = self._tracks.get(frame.kind)
        if track is None or track.codec != frame.codec or self._container is None:
            self.frames_dropped += 1
            return
        packet = av.Packet(frame.data)
        packet.stream = track.stream
        packet.time_base = track.time_base
        packet.pts = packet.dts = track.timestamp(frame, self._origin)
        packet.is_keyframe = frame.keyframe
        self._container.mux(packet)
        self.frames_written += 1
        if frame.width and self.sidecar is not None:
            self._note_resolution(self.sidecar, frame.width, frame.height)

    @staticmethod
    def _note_resolution(sidecar: Sidecar, width: int, height: int) -> None:
        # Browsers ramp resolution up with the bandwidth estimate: keep the latest on disk.
        if (sidecar.width, sidecar.height) != (width, height):
            sidecar.width, sidecar.height = width, height
            sidecar.save()


def measure(sidecar: Sidecar, *, interrupted: bool, reason: str | None = None) -> RecordingResult:
    """Reads duration, size and checksum from the file as it is on disk."""
    media = sidecar.media
    exists = media.exists()
    facts = probe(media) if exists else None
    stat_time = media.stat().st_mtime if exists else sidecar.started_at.timestamp()
    return RecordingResult(
        source=sidecar.source,
        session=sidecar.session,
        path=media,
        started_at=sidecar.started_at,
        ended_at=datetime.fromtimestamp(stat_time, UTC),
        duration=facts.duration if facts else 0.0,
        size=media.stat().st_size if exists else 0,
        sha256=sha256_of(media) if exists else "",
        video_codec=sidecar.video_codec,
        audio_codec=sidecar.audio_codec,
        width=sidecar.width or (facts.width if facts else 0),
        height=sidecar.height or (facts.height if facts else 0),
        interrupted=interrupted,
        reason=reason,
    )


class Recorder:
    """Records one publishing session of a source; `run` returns the result when it ends."""

    def __init__(
        self,
        feed: Feed,
        folder: Path,
        *,
        session: str | None = None,
        started_at: datetime | None = None,
        fragment_seconds: float = FRAGMENT_SECONDS,
        max_frames: int = 900,
    ) -> None:
        self.feed = feed
        self.fragment_seconds = fragment_seconds
        self.max_frames = max_frames
        self.writer = RecordingWriter(
            folder,
            feed.source,
            session=session,
            started_at=started_at or datetime.now(UTC),
            fragment_seconds=fragment_seconds,
        )
        self._queue: FrameQueue | None = None
        self._stopped = False
        self._last_keyframe_at = 0.0  # loop time of the last video key frame taken

    async def run(self) -> RecordingResult | None:
        """Records until `stop` (or the feed closes); None if no frame ever came."""
        if self._stopped:
            return None
        self._queue = self.feed.subscribe(f"recording:{self.feed.source}", self.max_frames)
        asker = asyncio.create_task(self._ask_for_keyframes())
        try:
            await self._record(self._queue)
        except (av.FFmpegError, OSError) as error:
            log.error("recording %s failed: %s", self.feed.source, error)
            return await asyncio.to_thread(self.writer.abandon, f"write failed: {error}")
        except asyncio.CancelledError:
            self.writer.close()  # shutting down: close the file here and now, then go
            raise
        finally:
            asker.cancel()
            self.feed.unsubscribe(self._queue)
        return await asyncio.to_thread(self.writer.close)

    def stop(self) -> None:
        """Ends the recording once the frames already queued are written."""
        self._stopped = True
        if self._queue is not None:
            self.feed.unsubscribe(self._queue)

    @property
    def frames_dropped(self) -> int:
        """Frames lost: to a full queue (the disk fell behind) or not fitting the file."""
        queued = self._queue.dropped if self._queue is not None else 0
        return queued + self.writer.frames_dropped

    async def _record(self, queue: FrameQueue) -> None:
        while (frame := await queue.get()) is not None:
            self._note_keyframe(frame)
            batch = [frame]
            while len(queue):
                more = await queue.get()
                if more is None:
                    break
                self._note_keyframe(more)
                batch.append(more)
            # Writes can block on a busy disk: never on the event loop.
            await asyncio.to_thread(self.writer.write, batch)

    def _note_keyframe(self, frame: EncodedFrame) -> None:
        if frame.kind == "video" and frame.keyframe:
            self._last_keyframe_at = frame.received_at

    async def _ask_for_keyframes(self) -> None:
        """Asks for a key frame only when the last fragment length has had none."""
        loop = asyncio.get_running_loop()
        self._last_keyframe_at = loop.time()  # the queue starts at a key frame anyway
        while True:
            await asyncio.sleep(self.fragment_seconds)
            if loop.time() - self._last_keyframe_at >= self.fragment_seconds:
                self.feed.request_keyframe()
