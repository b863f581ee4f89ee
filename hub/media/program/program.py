"""A program output: one selected source (with a backup and a slate) decoded, composed to the
output's format, encoded once and sent to HLS and an RTMP push.

`ProgramOutput` lives on the event loop and owns the output's state: it watches the sources'
last-frame times (the `ProgramBus` decides), subscribes to the source that should be on air, pumps
its frames to the `Mixer` thread, and reports what happens as facts. The decode and encode work
runs in the mixer's thread and each sink's own thread (PyAV releases the GIL there), so the event
loop only moves frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import av

from hub.media.fact_queue import Fact, FactQueue
from hub.media.program.bus import BusFact, FailedOver, ProgramBus, Recovered, Switched
from hub.media.program.encoder import EncoderSettings, ProgramEncoder
from hub.media.program.hls import HlsSink, hls_folder
from hub.media.program.mixer import (
    FrameIn,
    KeyframeWanted,
    Mixer,
    MixerEvent,
    MixerFailed,
    OnAir,
    Preempt,
    SoundLoop,
    Take,
)
from hub.media.program.monitor import MonitorSink
from hub.media.program.rtmp import RtmpSink
from hub.media.program.sink import PacketSink, SinkStatus
from hub.media.program.slate import Slate
from hub.media.relay.frames import Feed, FrameQueue

log = logging.getLogger(__name__)

OutputState = Literal["idle", "program", "backup", "slate", "stopped", "failed"]
CHECK_EVERY = 0.05  # how often the sources' last-frame times are looked at
KEYFRAME_NUDGE = 0.5  # while a new source has not shown its key frame, ask again this often
BACKUP_GRACE = 0.4  # a stalled source's last picture stays this long for the backup's key frame


class FeedLookup(Protocol):
    """Where an output finds a source's feed (the media engine)."""

    def feed(self, source: str) -> Feed: ...


class OutputFacts(Protocol):
    """What an output reports, in order, on the event loop (the integrator records events)."""

    async def started(self, output: str, program: str | None, backup: str | None) -> None: ...

    async def switched(self, output: str, previous: str | None, source: str) -> None: ...

    async def failed_over(self, output: str, to: str, reason: str) -> None:
        """`to` is the backup source, or "slate"."""

    async def recovered(self, output: str, source: str) -> None: ...

    async def stopped(self, output: str, reason: str) -> None: ...

    async def sink_error(self, output: str, sink: str, error: str) -> None: ...

    async def sink_recovered(self, output: str, sink: str) -> None: ...


@dataclass(frozen=True, slots=True)
class OutputConfig:
    """One output's format and destinations."""

    name: str
    width: int = 1280
    height: int = 720
    fps: int = 30
    segment_seconds: float = 1.0  # HLS segment length, and the key frame interval
    video_bitrate: int = 2_500_000
    audio_bitrate: int = 128_000
    preset: str = "veryfast"
    stall_timeout: float = 0.5
    recover_after: float = 1.0
    hls_root: Path | None = None  # HLS goes to hls_root/name/
    hls_list_size: int = 6
    rtmp_url: str | None = None
    monitor: bool = False  # the program's picture on the engine's feed named after the output
    centre: str = "融媒体中心"
    centre_latin: str = "MEDIA CENTRE"

    @property
    def hls_path(self) -> str | None:
        return f"/hls/{self.name}/index.m3u8" if self.hls_root is not None else None

    def encoder_settings(self) -> EncoderSettings:
        return EncoderSettings(
            width=self.width,
            height=self.height,
            fps=self.fps,
            gop=max(1, round(self.fps * self.segment_seconds)),
            video_bitrate=self.video_bitrate,
            audio_bitrate=self.audio_bitrate,
            preset=self.preset,
        )


@dataclass(frozen=True, slots=True)
class OutputStats:
    """A plain snapshot for /api/outputs and /metrics."""

    name: str
    state: OutputState
    program: str | None
    backup: str | None
    on_air: str | None  # the source whose picture goes out now; None: the slate
    frames_out: int
    frames_skipped: int  # output frames never made: the machine could not keep up
    late_frames: int
    frames_dropped: int  # source frames lost by the output's queues
    decode_errors: int
    tick_ms: float
    tick_ms_max: float
    hls_path: str | None
    sinks: tuple[SinkStatus, ...] = field(default_factory=tuple)
    emergency: bool = False  # an emergency card is on air instead of the program


@dataclass(slots=True)
class _Lane:
    """A subscription to one source, pumped to the mixer."""

    source: str
    feed: Feed
    queue: FrameQueue
    pump: asyncio.Task[None]
    taken_at: float
    nudged_at: float


class ProgramOutput:
    """One output; `start`, `switch`, `set_backup`, `stop`, `stats`."""

    def __init__(
        self,
        config: OutputConfig,
        feeds: FeedLookup,
        facts: OutputFacts,
        *,
        slate: Slate | None = None,
    ) -> None:
        self.config, self.feeds, self.facts = config, feeds, facts
        if config.hls_root is not None:
            hls_folder(config.hls_root, config.name)  # refuses a name unfit for a folder
        self._slate = slate
        self._bus = ProgramBus(config.stall_timeout, config.recover_after)
        self._lanes: dict[int, _Lane] = {}
        self._next_lane = 0
        self._on_air_lane: int | None = None
        self._mixer: Mixer | None = None
        self._watcher: asyncio.Task[None] | None = None
        # A failing receiver does not stop the output.
        self._reports = FactQueue(
            lambda: log.exception("output %s: reporting a fact failed", self.name)
        )
        self._dropped_before = 0
        self.state: OutputState = "idle"

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def size(self) -> tuple[int, int]:
        return self.config.width, self.config.height

    def is_running(self) -> bool:
        return self.state in ("program", "backup", "slate")

    async def start(self, program: str | None, backup: str | None = None) -> None:
        """Starts the clock and the sinks (on the slate), then takes the program source."""
        if self.state != "idle":
            raise RuntimeError(f"output {self.name} has already been started")
        loop = asyncio.get_running_loop()
        self._mixer = await asyncio.to_thread(self._build_mixer, loop)
        self._mixer.start()
        self._reports.start()
        self._bus.program, self._bus.backup = program, backup
        self._report(lambda: self.facts.started(self.name, program, backup))
        self._apply(self._bus.evaluate(loop.time(), self._last_frame))
        self._watcher = asyncio.create_task(self._watch())

    async def switch(self, source: str) -> None:
        """Puts `source` on program; it goes on air at its first key frame."""
        loop = self._running_loop()
        self._apply(self._bus.select(source, loop.time(), self._last_frame))

    async def set_backup(self, source: str | None) -> None:
        loop = self._running_loop()
        self._apply(self._bus.set_backup(source, loop.time(), self._last_frame))

    async def preempt(self, picture: av.VideoFrame, sound: SoundLoop | None) -> None:
        """Shows `picture` with `sound` instead of the program from the next tick on (an
        emergency card); the program goes on underneath and comes back with `release`."""
        self._running_loop()
        self._send(Preempt(picture, sound))

    async def release(self) -> None:
        """Back to the program as it is now."""
        self._running_loop()
        self._send(Preempt(None))

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        if self.state in ("idle", "stopped", "failed"):
            raise RuntimeError(f"output {self.name} is not running (it is {self.state})")
        return asyncio.get_running_loop()

    async def stop(self, reason: str = "stopped by the operator") -> None:
        """Ends the output: the last segments are written, the RTMP push ends cleanly."""
        if self.state in ("stopped", "idle"):
            return
        if self._watcher is not None:
            self._watcher.cancel()
        for lane_id in list(self._lanes):
            self._close_lane(lane_id)
        if self._mixer is not None:
            await asyncio.to_thread(self._mixer.stop)
        if self.state != "failed":
            self._report(lambda: self.facts.stopped(self.name, reason))
        self.state = "stopped"
        await self._reports.close()

    def stats(self) -> OutputStats:
        mixer = self._mixer
        return OutputStats(
            name=self.name,
            state=self.state,
            program=self._bus.program,
            backup=self._bus.backup,
            on_air=mixer.showing if mixer else None,
            frames_out=mixer.frames_out if mixer else 0,
            frames_skipped=mixer.frames_skipped if mixer else 0,
            late_frames=mixer.late_frames if mixer else 0,
            frames_dropped=self._dropped_before
            + sum(x.queue.dropped for x in self._lanes.values()),
            decode_errors=mixer.decode_errors if mixer else 0,
            tick_ms=round(mixer.tick_ms, 2) if mixer else 0.0,
            tick_ms_max=round(mixer.tick_ms_max, 2) if mixer else 0.0,
            hls_path=self.config.hls_path,
            sinks=tuple(s.status() for s in mixer.sinks) if mixer else (),
            emergency=mixer.preempted if mixer else False,
        )

    def _build_mixer(self, loop: asyncio.AbstractEventLoop) -> Mixer:
        """Opens the encoder, sinks and slate (blocking work: a font file, codec set-up)."""
        config = self.config
        encoder = ProgramEncoder(config.encoder_settings())

        def report(sink: str, error: str | None) -> None:
            _call_soon(loop, self._sink_event, sink, error)

        sinks: list[PacketSink] = []
        if config.hls_root is not None:
            folder = hls_folder(config.hls_root, config.name)
            sinks.append(
                HlsSink(
                    folder,
                    encoder.params,
                    report,
                    segment_seconds=config.segment_seconds,
                    list_size=config.hls_list_size,
                )
            )
        if config.rtmp_url is not None:
            sinks.append(RtmpSink(config.rtmp_url, encoder.params, report))
        if config.monitor:
            feed = self.feeds.feed(config.name)
            sinks.append(
                MonitorSink(
                    lambda frame: _call_soon(loop, feed.publish, frame), encoder.params, report
                )
            )
        slate = self._slate or Slate(
            config.width, config.height, centre=config.centre, centre_latin=config.centre_latin
        )

        def notify(event: MixerEvent) -> None:
            _call_soon(loop, self._mixer_event, event)

        freeze = config.stall_timeout + BACKUP_GRACE
        return Mixer(encoder, sinks, slate, notify, freeze_limit=freeze)

    def _last_frame(self, source: str) -> float | None:
        # A program needs pictures: a source whose video stopped has stalled, sound or not.
        feed = self.feeds.feed(source)
        return feed.last_video_at if feed.video_codec is not None else feed.last_frame_at

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(CHECK_EVERY)
            now = loop.time()
            self._apply(self._bus.evaluate(now, self._last_frame))
            for lane_id, lane in self._lanes.items():
                waiting = lane_id != self._on_air_lane
                if waiting and now - lane.nudged_at >= KEYFRAME_NUDGE:
                    lane.nudged_at = now
                    lane.feed.request_keyframe()

    def _apply(self, facts: list[BusFact]) -> None:
        target = self._bus.target
        current = self._lanes.get(self._newest_lane()) if self._lanes else None
        if target is None and (self._lanes or self._on_air_lane is not None):
            for lane_id in list(self._lanes):
                self._close_lane(lane_id)
            self._on_air_lane = None
            self._send(Take(None))
        elif target is not None and (current is None or current.source != target):
            self._open_lane(target)
        self.state = self._state_for(target)
        for fact in facts:
            self._report(self._fact_report(fact))

    def _state_for(self, target: str | None) -> OutputState:
        if target is None:
            return "slate"
        return "program" if target == self._bus.program else "backup"

    def _fact_report(self, fact: BusFact) -> Callable[[], Awaitable[None]]:
        name = self.name
        if isinstance(fact, Switched):
            return lambda: self.facts.switched(name, fact.previous, fact.source)
        if isinstance(fact, FailedOver):
            return lambda: self.facts.failed_over(name, fact.to, fact.reason)
        assert isinstance(fact, Recovered)
        return lambda: self.facts.recovered(name, fact.source)

    def _newest_lane(self) -> int:
        return max(self._lanes)

    def _open_lane(self, source: str) -> None:
        self._next_lane += 1
        lane_id = self._next_lane
        feed = self.feeds.feed(source)
        queue = feed.subscribe(f"output:{self.name}", max_frames=self.config.fps * 4)
        now = asyncio.get_running_loop().time()
        pump = asyncio.create_task(self._pump(lane_id, queue))
        self._lanes[lane_id] = _Lane(source, feed, queue, pump, now, now)
        self._send(Take(lane_id, source))

    def _close_lane(self, lane_id: int) -> None:
        lane = self._lanes.pop(lane_id)
        self._dropped_before += lane.queue.dropped
        lane.feed.unsubscribe(lane.queue)
        lane.pump.cancel()

    async def _pump(self, lane_id: int, queue: FrameQueue) -> None:
        while (frame := await queue.get()) is not None:
            self._send(FrameIn(lane_id, frame))

    def _send(self, item: Take | FrameIn | Preempt) -> None:
        if self._mixer is not None:
            self._mixer.send(item)

    def _mixer_event(self, event: MixerEvent) -> None:
        if isinstance(event, OnAir):
            if event.lane is not None and event.lane not in self._lanes:
                return  # a take the output has already moved on from
            self._on_air_lane = event.lane
            if event.lane is not None:  # the old source's subscription is no longer needed
                for lane_id in [n for n in self._lanes if n < event.lane]:
                    self._close_lane(lane_id)
        elif isinstance(event, KeyframeWanted):
            lane = self._lanes.get(event.lane)
            if lane is not None:
                lane.feed.request_keyframe()
        elif isinstance(event, MixerFailed) and self.state != "stopped":
            self.state = "failed"
            if self._watcher is not None:
                self._watcher.cancel()
            for lane_id in list(self._lanes):
                self._close_lane(lane_id)
            self._report(lambda: self.facts.stopped(self.name, f"failed: {event.error}"))

    def _sink_event(self, sink: str, error: str | None) -> None:
        if error is None:
            self._report(lambda: self.facts.sink_recovered(self.name, sink))
        else:
            self._report(lambda: self.facts.sink_error(self.name, sink, error))

    def _report(self, report: Fact) -> None:
        self._reports.put(report)


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[..., None], *args: Any) -> None:
    """Hands a call from a worker thread to the event loop; dropped once the loop has closed."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(callback, *args)
