"""RTMP push of a program output, through a relay process.

PyAV opens an output URL (TCP connect, RTMP handshake, `publish`) while holding the GIL and with
no timeout: an RTMP server that accepts and then says nothing froze the whole hub, event loop
included, in a probe. So the hub muxes FLV into a pipe, and a child process
(`python -m hub.media.program.rtmp URL`) copies it to the server. A hung or failed server costs
only the child: the pipe write times out, the child is killed, and a new one is started at the
next key frame with a growing pause. The child says "ready" on its stdout once the server has
taken the stream's header.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import time
from typing import IO

import av

from hub.media.program.encoder import OutputPacket, StreamParams
from hub.media.program.sink import PacketSink, ProgramMux, Report

READY = b"ready\n"


class RtmpSink(PacketSink):
    """Pushes the program to `url` (rtmp:// or rtmps://) as FLV."""

    def __init__(
        self,
        url: str,
        params: StreamParams,
        report: Report,
        *,
        connect_timeout: float = 10.0,
        write_timeout: float = 5.0,
    ) -> None:
        super().__init__("rtmp", params, report, max_packets=params.fps * 5)
        self.url = url
        self.connect_timeout, self.write_timeout = connect_timeout, write_timeout
        self._child: subprocess.Popen[bytes] | None = None
        self._pipe: PipeWriter | None = None
        self._mux: ProgramMux | None = None
        self._started_at = 0.0

    def open(self) -> None:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "hub.media.program.rtmp", self.url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._started_at = time.monotonic()
        assert self._child.stdin is not None
        self._pipe = PipeWriter(self._child.stdin, self.write_timeout)
        # Each packet goes down the pipe at once: the muxer's 32 kB buffer would hold a still
        # slate for seconds.
        flv = av.open(self._pipe, "w", format="flv", options={"flush_packets": "1"})
        self._mux = ProgramMux(flv, self.params)

    def write(self, packet: OutputPacket) -> None:
        assert self._mux is not None, "written only while open"
        self.poll()
        try:
            self._mux.write(packet)
        except (OSError, av.FFmpegError) as error:
            raise ConnectionError(self._reason(error)) from error

    def _reason(self, error: Exception) -> str:
        """Why the pipe broke: the relay's own last words when it has ended."""
        child = self._child
        if child is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(1.0)
            if child.returncode is not None:
                return _why_it_ended(child)
        return str(error)

    def poll(self) -> None:
        child = self._child
        if child is None:
            return
        if child.poll() is not None:
            raise ConnectionError(_why_it_ended(child))
        if self.state != "live":
            if _said_ready(child):
                self.mark_live()
            elif time.monotonic() - self._started_at > self.connect_timeout:
                raise TimeoutError(f"no RTMP session with {self.url} in {self.connect_timeout} s")

    def close_output(self, clean: bool) -> None:
        mux, pipe, child = self._mux, self._pipe, self._child
        self._mux = self._pipe = self._child = None
        if not clean and pipe is not None:
            pipe.close()  # the trailer goes nowhere: the relay is broken
        try:
            if mux is not None:
                mux.close()
        finally:
            if pipe is not None:
                pipe.close()  # end of stream: a healthy relay finishes and exits
            if child is not None:
                _end(child, wait=2.0 if clean else 0.0)


class PipeWriter:
    """A write-only file over a pipe whose writes give up after `timeout` seconds."""

    def __init__(self, pipe: IO[bytes], timeout: float) -> None:
        self._pipe, self._fd, self.timeout = pipe, pipe.fileno(), timeout
        os.set_blocking(self._fd, False)

    def write(self, data: bytes) -> int:
        if self._pipe.closed:  # never write to the number: the OS may have reused it
            raise BrokenPipeError("the pipe to the RTMP relay is closed")
        view = memoryview(data)
        deadline = time.monotonic() + self.timeout
        while view:
            try:
                view = view[os.write(self._fd, view) :]
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the RTMP relay stopped taking data") from None
                select.select([], [self._fd], [], left)
        return len(data)

    def close(self) -> None:
        with contextlib.suppress(OSError):  # a dead relay: unflushed bytes have nowhere to go
            self._pipe.close()


def _said_ready(child: subprocess.Popen[bytes]) -> bool:
    stdout = child.stdout
    if stdout is None or not select.select([stdout], [], [], 0)[0]:
        return False
    return stdout.readline() == READY


def _why_it_ended(child: subprocess.Popen[bytes]) -> str:
    text = child.stderr.read().decode(errors="replace").strip() if child.stderr else ""
    last = text.splitlines()[-1] if text else f"exit status {child.returncode}"
    return f"RTMP relay ended: {last}"


def _end(child: subprocess.Popen[bytes], wait: float) -> None:
    try:
        child.wait(wait)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    for stream in (child.stdout, child.stderr):
        if stream is not None:
            stream.close()


def relay(url: str) -> None:
    """The child's work: FLV from stdin to the RTMP server at `url`, packet by packet."""
    options = {"analyzeduration": "200000", "probesize": "32768"}
    # Unbuffered: a buffered read waits for a whole 32 kB, seconds of a still slate.
    stdin = os.fdopen(sys.stdin.fileno(), "rb", buffering=0)
    with (
        av.open(stdin, "r", format="flv", options=options) as source,
        av.open(url, "w", format="flv") as target,
    ):
        streams = {s.index: target.add_stream_from_template(s) for s in source.streams}
        target.start_encoding()
        sys.stdout.buffer.write(READY)
        sys.stdout.flush()
        for packet in source.demux():
            if packet.dts is None:  # the demuxer's end-of-stream marker
                continue
            packet.stream = streams[packet.stream.index]
            target.mux(packet)


def main() -> None:
    try:
        relay(sys.argv[1])
    except (av.FFmpegError, OSError, ValueError) as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
