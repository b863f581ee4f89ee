"""The program mixer: an output's own clock, in its own thread.

Every 1/fps it takes the latest picture of the source on air (or the slate), fits it to the
output, encodes it once with exactly its share of sound, and hands the packets to every sink. Its
timestamps count its own ticks, so they run on evenly whatever the sources do. A new source goes
on air at a tick boundary once its first key frame has decoded; until then the old source stays
(or the slate, when the old source has stopped delivering). Frames and takes come in through
`send`; what the mixer has to say goes out through `notify`, from its thread.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import av

from hub.media.program.encoder import OutputPacket, ProgramEncoder
from hub.media.program.picture import fit
from hub.media.program.sink import PacketSink
from hub.media.program.slate import Slate
from hub.media.relay.frames import EncodedFrame
from hub.media.relay.lane import SAMPLE_RATE, Lane, silence

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Take:
    """Put `source` on air through a new lane (None: the slate, at once)."""

    lane: int | None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class FrameIn:
    lane: int
    frame: EncodedFrame


@dataclass(frozen=True, slots=True)
class OnAir:
    lane: int | None
    source: str | None


@dataclass(frozen=True, slots=True)
class KeyframeWanted:
    lane: int


@dataclass(frozen=True, slots=True)
class MixerFailed:
    error: str


MixerEvent = OnAir | KeyframeWanted | MixerFailed


class Mixer:
    """Composes, encodes and distributes the program, one tick at a time."""

    def __init__(
        self,
        encoder: ProgramEncoder,
        sinks: Sequence[PacketSink],
        slate: Slate,
        notify: Callable[[MixerEvent], None],
        *,
        freeze_limit: float,
        max_lag: float = 1.0,
    ) -> None:
        self.encoder, self.sinks, self.slate = encoder, list(sinks), slate
        self.fps = encoder.params.fps
        # How long a source's last picture may stay on air once it stops delivering: past the
        # stall timeout, while the backup's first key frame is on its way; then the slate.
        self.freeze_limit, self.max_lag = freeze_limit, max_lag
        self._notify = notify
        self._inbox: queue.SimpleQueue[Take | FrameIn] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="program-mixer", daemon=True)
        self._lanes: dict[int, Lane] = {}
        self._on_air: int | None = None
        self._pending: int | None = None
        self._fitted: tuple[av.VideoFrame, av.VideoFrame] | None = None
        self.showing: str | None = None  # the source whose picture went out last; None: slate
        self.frames_out = self.frames_skipped = self.late_frames = self.decode_errors = 0
        self.tick_ms = self.tick_ms_max = 0.0

    def start(self) -> None:
        for sink in self.sinks:
            sink.start()
        self._thread.start()

    def send(self, item: Take | FrameIn) -> None:
        self._inbox.put(item)

    def stop(self, timeout: float = 10.0) -> None:
        """Ends the clock, flushes the encoder and closes every sink (blocking)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            self._clock()
            self._distribute(self.encoder.flush())
        except Exception as error:  # the output is down: say so, whatever broke
            log.exception("program mixer failed")
            self._notify(MixerFailed(f"{type(error).__name__}: {error}"))
        finally:
            for sink in self.sinks:
                sink.stop()

    def _clock(self) -> None:
        start, index = time.monotonic(), 0
        while not self._stop.is_set():
            behind = time.monotonic() - (start + index / self.fps)
            if behind < 0:
                self._stop.wait(-behind)
                continue
            if behind > self.max_lag:  # overloaded: skip ahead rather than run ever later
                skipped = int(behind * self.fps)
                self.encoder.skip_audio(
                    _samples_at(index + skipped, self.fps) - _samples_at(index, self.fps)
                )
                self.frames_skipped += skipped
                index += skipped
                continue
            self.late_frames += behind > 1 / self.fps
            began = time.perf_counter()
            self._tick(index)
            spent = (time.perf_counter() - began) * 1000
            self.tick_ms = spent if index == 0 else 0.95 * self.tick_ms + 0.05 * spent
            self.tick_ms_max = max(self.tick_ms_max, spent)
            index += 1

    def _tick(self, index: int) -> None:
        now = time.monotonic()
        self._drain(now)
        self._promote()
        samples = _samples_at(index + 1, self.fps) - _samples_at(index, self.fps)
        lane = self._lanes.get(self._on_air) if self._on_air is not None else None
        if (
            lane is not None
            and lane.picture is not None
            and now - lane.picture_at <= self.freeze_limit
        ):
            picture, sound, self.showing = (
                self._fit(lane.picture),
                lane.take_audio(samples),
                lane.source,
            )
        else:
            picture, sound, self.showing = (
                self.slate.picture(datetime.now().astimezone()),
                silence(samples),
                None,
            )
        packets = self.encoder.encode_video(picture, index) + self.encoder.encode_audio(sound)
        self._distribute(packets)
        self.frames_out += 1

    def _distribute(self, packets: list[OutputPacket]) -> None:
        for packet in packets:
            for sink in self.sinks:
                sink.put(packet)

    def _fit(self, picture: av.VideoFrame) -> av.VideoFrame:
        # The same source picture is often shown on several ticks: fit it once.
        if self._fitted is None or self._fitted[0] is not picture:
            self._fitted = (
                picture,
                fit(picture, self.encoder.params.width, self.encoder.params.height),
            )
        return self._fitted[1]

    def _drain(self, now: float) -> None:
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, Take):
                self._take(item)
            elif (lane := self._lanes.get(item.lane)) is not None:
                errors = lane.decode_errors
                lane.push(item.frame, now)
                self.decode_errors += lane.decode_errors - errors
                if lane.wants_keyframe:
                    lane.wants_keyframe = False
                    self._notify(KeyframeWanted(lane.lane_id))

    def _take(self, take: Take) -> None:
        if take.lane is None:
            self._lanes.clear()
            self._on_air = self._pending = None
            self._notify(OnAir(None, None))
            return
        self._lanes[take.lane] = Lane(take.lane, take.source or "")
        self._pending = take.lane
        for stale in [n for n in self._lanes if n not in (self._on_air, self._pending)]:
            del self._lanes[stale]

    def _promote(self) -> None:
        if self._pending is None:
            return
        lane = self._lanes[self._pending]
        if lane.picture is None:
            return  # its first key frame has not decoded yet: keep what is on air
        if self._on_air is not None and self._on_air != self._pending:
            del self._lanes[self._on_air]
        self._on_air, self._pending = self._pending, None
        lane.freshen_audio()
        self._notify(OnAir(lane.lane_id, lane.source))

    def stats(self) -> dict[str, float | int | str | None]:
        return {
            "showing": self.showing,
            "frames_out": self.frames_out,
            "frames_skipped": self.frames_skipped,
            "late_frames": self.late_frames,
            "decode_errors": self.decode_errors,
            "tick_ms": round(self.tick_ms, 2),
            "tick_ms_max": round(self.tick_ms_max, 2),
        }


def _samples_at(index: int, fps: int) -> int:
    """Audio samples from the start of the output to the start of frame `index`."""
    return index * SAMPLE_RATE // fps
