"""CPU of program outputs and recordings, on this machine.

A 1280x720 30 fps test card (H.264 or VP8, with Opus) is encoded once up front and replayed into a
feed at real-time pace, so the source costs next to nothing; what is measured is what consumes it:

- one program output at 1280x720 30 fps: decode, compose, encode (libx264 at a preset), HLS, and
  an RTMP push through its relay process to a local RTMP server (FFmpeg's, listening, in a process
  of its own, not counted);
- recording (remux, no re-encode) of one and of four sources, through `Recorder` in real time;
- the recording containers side by side, muxed as fast as possible: CPU per second of media and
  bytes of container overhead per second.

CPU is user + system time of this process and of the output's relay process, from /proc, over
the measured window, minus a window with the replays alone. Prints a Markdown table.

    python bench/outputs.py [--seconds 15] [--presets ultrafast,veryfast]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.media.codec.bitstream import parameter_sets  # noqa: E402
from hub.media.codec.muxing import add_copy_stream, opus_head  # noqa: E402
from hub.media.program.program import OutputConfig, ProgramOutput  # noqa: E402
from hub.media.record.recording import Recorder, container_for  # noqa: E402
from hub.media.relay.frames import EncodedFrame, Feed  # noqa: E402
from tests.support.program_facts import FactLog, Feeds  # noqa: E402
from tests.support.testcard import PatternCard, replay  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
RTMP_SERVER = textwrap.dedent(
    """
    import sys, av
    with av.open(sys.argv[1], options={"listen": "1"}, timeout=(60, 30)) as server:
        try:
            for packet in server.demux():
                pass
        except av.FFmpegError:
            pass
    """
)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@dataclass
class Row:
    what: str
    cpu: float  # percent of one core
    note: str = ""


@dataclass
class Measured:
    """CPU (% of one core) over a window: all counted processes, and the relay's share."""

    total: float
    children: float


async def measure(
    seconds: float,
    work: Callable[[], Coroutine[Any, Any, None]],
    exclude: set[int],
    warmup: float = 3.0,
) -> Measured:
    """CPU of this process and its children but `exclude`, while `work` runs."""
    task = asyncio.create_task(work())
    await asyncio.sleep(warmup)
    me = os.getpid()
    pids = [me] + [p for p in children(me) if p not in exclude]
    before = {p: cpu_seconds(p) for p in pids}
    began = time.monotonic()
    await asyncio.sleep(seconds)
    spent = {pid: 0.0 for pid in pids}
    for pid in pids:
        with contextlib.suppress(OSError):  # a relay that ended in the window: not counted
            spent[pid] = cpu_seconds(pid) - before[pid]
    elapsed = time.monotonic() - began
    await task
    total = sum(spent.values())
    return Measured(100 * total / elapsed, 100 * (total - spent[me]) / elapsed)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def bench_output(
    clip: list[EncodedFrame], seconds: float, preset: str, rtmp: bool, baseline: float
) -> Row:
    feeds = Feeds(cam=Feed("cam"))
    server: subprocess.Popen[bytes] | None = None
    with tempfile.TemporaryDirectory() as folder:
        url = f"rtmp://127.0.0.1:{free_port()}/live/bench"
        if rtmp:
            server = subprocess.Popen([sys.executable, "-c", RTMP_SERVER, url])
            await asyncio.sleep(1.0)
        config = OutputConfig(
            "bench", preset=preset, hls_root=Path(folder), rtmp_url=url if rtmp else None
        )
        output = ProgramOutput(config, feeds, FactLog())
        source = asyncio.create_task(replay(clip, feeds["cam"], seconds + 6))
        await asyncio.sleep(0.3)
        await output.start("cam")

        async def run() -> None:
            await asyncio.sleep(seconds + 1)

        cpu = await measure(seconds, run, {server.pid} if server else set())
        stats = output.stats()
        await output.stop()
        await source
        if server is not None:
            server.wait(10)
    sinks = ", ".join(
        f"{s.name} {s.state} {s.packets} pkts {s.dropped} dropped" for s in stats.sinks
    )
    relay = f"relay process {cpu.children:.1f}%; " if rtmp else ""
    note = (
        f"{relay}tick {stats.tick_ms:.1f} ms (max {stats.tick_ms_max:.0f}), "
        f"{stats.frames_skipped} skipped, {stats.late_frames} late; {sinks}"
    )
    what = f"program output 720p30, libx264 {preset}, HLS" + (" + RTMP" if rtmp else "")
    return Row(what, cpu.total - baseline, note)


async def replay_only(clip: list[EncodedFrame], seconds: float, sources: int) -> float:
    feeds = [Feed(f"idle{n}") for n in range(sources)]

    async def run() -> None:
        await asyncio.gather(*(replay(clip, feed, seconds + 4) for feed in feeds))

    return (await measure(seconds, run, set())).total


async def bench_recording(clip: list[EncodedFrame], seconds: float, sources: int) -> Row:
    codec = next(f.codec for f in clip if f.kind == "video")
    with tempfile.TemporaryDirectory() as folder:
        feeds = [Feed(f"cam{n}") for n in range(sources)]
        recorders = [Recorder(feed, Path(folder)) for feed in feeds]
        tasks = [asyncio.create_task(r.run()) for r in recorders]

        async def run() -> None:
            await asyncio.gather(*(replay(clip, feed, seconds + 4) for feed in feeds))

        cpu = await measure(seconds, run, set())
        baseline = await replay_only(clip, seconds, sources)
        for recorder in recorders:
            recorder.stop()
        results = await asyncio.gather(*tasks)
    size = sum(r.size for r in results if r is not None) / sources
    kind = container_for(codec, 1.0).suffix
    what = f"recording {sources} x {codec} 720p30 + Opus ({kind})"
    note = f"per source; {size / 1e6:.1f} MB each"
    return Row(what, (cpu.total - baseline) / sources, note)


def remux_cost(clip: list[EncodedFrame], fmt: str, options: dict[str, str], laps: int) -> Row:
    """Muxes `laps` times the clip as fast as it goes: CPU per media second, overhead bytes."""
    key = next(f for f in clip if f.kind == "video")
    length = max(f.pts / f.clock_rate for f in clip)
    payload = 0
    began = time.process_time()
    sink = io.BytesIO()
    with av.open(sink, "w", format=fmt, options=options) as container:
        extradata = parameter_sets(key.data) if key.codec == "H264" else b""
        video = add_copy_stream(
            container,
            key.codec.lower(),
            Fraction(1, 90000),
            extradata=extradata,
            width=key.width,
            height=key.height,
        )
        audio = add_copy_stream(container, "opus", Fraction(1, 48000), extradata=opus_head())
        for lap in range(laps):
            for frame in clip:
                packet = av.Packet(frame.data)
                packet.stream = video if frame.kind == "video" else audio
                packet.time_base = Fraction(1, frame.clock_rate)
                packet.pts = packet.dts = frame.pts + round(
                    lap * (length + 0.04) * frame.clock_rate
                )
                packet.is_keyframe = frame.keyframe
                container.mux(packet)
                payload += len(frame.data)
    cpu = time.process_time() - began
    media = laps * length
    overhead = (len(sink.getvalue()) - payload) / media
    return Row(
        f"remux {key.codec} + Opus into {fmt} ({options.get('movflags', 'clusters 1 s')})",
        100 * cpu / media,
        f"{overhead / 1000:.1f} kB/s container overhead ({100 * overhead * media / payload:.2f}%)",
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--presets", default="ultrafast,veryfast")
    args = parser.parse_args()

    print("encoding the 720p test clips ...", file=sys.stderr)
    # Grain in the lower third brings the clips near a phone's bit rate (a clean test pattern
    # codes to a fraction of it, and decoding cost follows the bits).
    h264 = PatternCard("H264", 1280, 720, bit_rate=2_500_000, grain=True).clip(10.0)
    vp8 = PatternCard("VP8", 1280, 720, bit_rate=2_500_000, grain=True).clip(10.0)
    rows: list[Row] = []

    baseline = await replay_only(h264, args.seconds, 1)
    rates = [sum(len(f.data) for f in c if f.kind == "video") * 8 / 10.0 / 1e6 for c in (h264, vp8)]
    note = "video clips: H.264 {:.1f} Mbit/s, VP8 {:.1f} Mbit/s".format(*rates)
    rows.append(Row("replaying one pre-encoded source (subtracted below)", baseline, note))
    for preset in args.presets.split(","):
        rows.append(await bench_output(h264, args.seconds, preset, rtmp=False, baseline=baseline))
        rows.append(await bench_output(h264, args.seconds, preset, rtmp=True, baseline=baseline))
    for clip in (h264, vp8):
        for sources in (1, 4):
            rows.append(await bench_recording(clip, args.seconds, sources))
    for clip, fmt in ((h264, "mp4"), (h264, "matroska"), (vp8, "webm")):
        codec = "H264" if clip is h264 else "VP8"
        options = dict(container_for(codec, 1.0).options)
        if fmt == "matroska":
            options = dict(container_for("VP8", 1.0).options)
        rows.append(remux_cost(clip, fmt, options, laps=6))

    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end: {load} (1 / 5 / 15 min)\n")
    print(f"| what ({os.cpu_count()} cores) | CPU, % of one core | notes |")
    print("|---|---:|---|")
    for row in rows:
        print(f"| {row.what} | {row.cpu:.2f} | {row.note} |")


if __name__ == "__main__":
    asyncio.run(main())
