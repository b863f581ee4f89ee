"""A destination of a program output, written from its own thread.

Each sink has a bounded queue: a slow or broken destination (an RTMP server gone away, a full
disk) drops its own packets, counts them and starts again at the next key frame, and the encoder
and the other sinks never wait for it. A failed destination is reopened with a growing pause.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import av
from av.container import OutputContainer

from hub.media.codec.muxing import add_copy_stream
from hub.media.program.encoder import OutputPacket, StreamParams

log = logging.getLogger(__name__)

SinkState = Literal["starting", "live", "retrying", "stopped"]
Report = Callable[[str, str | None], None]  # (sink name, error or None when it works again)
FIRST_RETRY, LAST_RETRY = 1.0, 10.0


@dataclass(frozen=True, slots=True)
class SinkStatus:
    name: str
    state: SinkState
    packets: int
    dropped: int
    errors: int
    last_error: str | None


class PacketSink:
    """Queues packets and writes them from a thread; subclasses open, write and close."""

    def __init__(self, name: str, params: StreamParams, report: Report, max_packets: int) -> None:
        self.name, self.params, self.max_packets = name, params, max_packets
        self._report = report
        self._queue: deque[OutputPacket] = deque()
        self._ready = threading.Condition()
        self._stopping = False
        self._waiting_for_keyframe = True
        self._thread = threading.Thread(target=self._run, name=f"sink-{name}", daemon=True)
        self.state: SinkState = "starting"
        self.packets = self.errors = 0
        self._dropped_queued = self._dropped_closed = 0
        self.last_error: str | None = None
        self._opened = False
        self._retry_at = 0.0
        self._pause = FIRST_RETRY

    # What a destination does; all run in the sink's thread.
    def open(self) -> None:
        raise NotImplementedError

    def write(self, packet: OutputPacket) -> None:
        raise NotImplementedError

    def close_output(self, clean: bool) -> None:
        raise NotImplementedError

    def poll(self) -> None:
        """Checks on the destination between packets; raises if it has failed."""

    def start(self) -> None:
        self._thread.start()

    def put(self, packet: OutputPacket) -> None:
        """Offers a packet; never blocks. A full queue is dropped up to the next key frame."""
        with self._ready:
            if len(self._queue) >= self.max_packets:
                self._dropped_queued += len(self._queue)
                self._queue.clear()
                self._waiting_for_keyframe = True
            if self._waiting_for_keyframe and not _is_key(packet):
                self._dropped_queued += 1
                return
            self._waiting_for_keyframe = False
            self._queue.append(packet)
            self._ready.notify()

    def stop(self, timeout: float = 5.0) -> None:
        """Writes what is queued, closes the destination and ends the thread."""
        with self._ready:
            self._stopping = True
            self._ready.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def dropped(self) -> int:
        return self._dropped_queued + self._dropped_closed

    def status(self) -> SinkStatus:
        return SinkStatus(
            self.name, self.state, self.packets, self.dropped, self.errors, self.last_error
        )

    def _run(self) -> None:
        while (packet := self._next()) is not None or not self._stopping:
            try:
                if packet is None:
                    if self._opened:
                        self.poll()
                elif self._open_for(packet):
                    self.write(packet)
                    self.packets += 1
            except Exception as error:  # any failure of a destination is reported, then retried
                self._fail(error)
        if self._opened:
            self._close(clean=True)
        self.state = "stopped"

    def _next(self) -> OutputPacket | None:
        with self._ready:
            if not self._queue and not self._stopping:
                self._ready.wait(0.2)
            return self._queue.popleft() if self._queue else None

    def _open_for(self, packet: OutputPacket) -> bool:
        if self._opened:
            return True
        if time.monotonic() < self._retry_at or not _is_key(packet):
            self._dropped_closed += 1  # only this thread counts these
            return False
        self.open()
        self._opened = True
        return True

    def mark_live(self) -> None:
        """The destination takes packets (again): report that once after a failure."""
        if self.state != "live":
            recovered = self.state == "retrying"
            self.state, self._pause = "live", FIRST_RETRY
            if recovered:
                self._report(self.name, None)

    def _fail(self, error: Exception) -> None:
        message = str(error) or type(error).__name__
        log.warning("output sink %s failed: %s", self.name, message)
        if self._opened:
            self._close(clean=False)
        self.errors += 1
        self.last_error = message
        # One fact per outage, not one per attempt: the retries show in the status.
        newly_down, self.state = self.state != "retrying", "retrying"
        self._retry_at = time.monotonic() + self._pause
        self._pause = min(self._pause * 2, LAST_RETRY)
        with self._ready:
            self._waiting_for_keyframe = True
        if newly_down:
            self._report(self.name, message)

    def _close(self, clean: bool) -> None:
        self._opened = False
        try:
            self.close_output(clean)
        except Exception as error:  # closing a broken destination fails too: nothing left to do
            log.info("closing output sink %s: %s", self.name, error)


def _is_key(packet: OutputPacket) -> bool:
    return packet.kind == "video" and packet.keyframe


class ProgramMux:
    """The program's two streams in one container, and its packets written into it."""

    def __init__(self, container: OutputContainer, params: StreamParams) -> None:
        self.container = container
        video = add_copy_stream(
            container,
            "h264",
            params.video_time_base,
            extradata=params.video_extradata,
            width=params.width,
            height=params.height,
        )
        audio = add_copy_stream(
            container,
            "aac",
            params.audio_time_base,
            extradata=params.audio_extradata,
            sample_rate=params.sample_rate,
        )
        self._streams = {"video": video, "audio": audio}

    def write(self, packet: OutputPacket) -> None:
        muxed = av.Packet(packet.data)
        muxed.stream = self._streams[packet.kind]
        muxed.time_base = packet.time_base
        muxed.pts = muxed.dts = packet.pts
        muxed.is_keyframe = packet.keyframe
        self.container.mux(muxed)

    def close(self) -> None:
        self.container.close()
