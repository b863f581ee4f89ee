"""Program outputs end to end: test cards encoded for real, an output decoding, composing and
encoding them, HLS on disk read back with PyAV, an RTMP push to a local RTMP server."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import pytest

from hub.media.program.program import OutputConfig, ProgramOutput
from hub.media.relay.frames import Feed
from tests.support.program_facts import FactLog, Feeds
from tests.support.testcard import PatternCard, read_counter
from tests.support.waiting import eventually

FRAME = 3000  # one output frame at 30 fps, in MPEG-TS's 90 kHz
AAC_FRAME = 1920  # 1024 samples at 48 kHz, in 90 kHz
SLATE = "slate"


@dataclass(frozen=True)
class Shown:
    """One output frame as decoded from HLS: its timestamp and what it showed."""

    pts: int
    counter: int | None  # None: the slate
    keyframe: bool


def read_hls(folder: Path) -> tuple[list[str], list[Shown], list[int]]:
    """Decodes every segment of the playlist in order: segment names, pictures, audio pts."""
    playlist = (folder / "index.m3u8").read_text()
    segments = [line for line in playlist.splitlines() if line.endswith(".ts")]
    pictures: list[Shown] = []
    audio: list[int] = []
    for segment in segments:
        with av.open(str(folder / segment)) as container:
            for picture in container.decode(video=0):
                assert picture.pts is not None
                pictures.append(Shown(picture.pts, read_counter(picture), picture.key_frame))
        with av.open(str(folder / segment)) as container:
            audio.extend(p.pts for p in container.demux(audio=0) if p.pts is not None and p.size)
    return segments, pictures, audio


def assert_continuous(pictures: list[Shown], audio: list[int]) -> None:
    """No gap and no step back, in pictures or in sound, across segments and switches."""
    assert [b.pts - a.pts for a, b in zip(pictures, pictures[1:], strict=False)] == [FRAME] * (
        len(pictures) - 1
    )
    steps = {b - a for a, b in zip(audio, audio[1:], strict=False)}
    assert steps <= {AAC_FRAME - 1, AAC_FRAME, AAC_FRAME + 1}, steps  # 1024 samples, rounded


def runs(pictures: list[Shown], sources: dict[str, range]) -> list[tuple[str, int]]:
    """What the output showed, as (source or "slate", number of frames) in order; the slate
    before the first source's first key frame has decoded is left out."""
    shown: list[tuple[str, int]] = []
    for picture in pictures:
        name = next((s for s, counters in sources.items() if picture.counter in counters), SLATE)
        if shown and shown[-1][0] == name:
            shown[-1] = (name, shown[-1][1] + 1)
        else:
            shown.append((name, 1))
    return shown[1:] if shown and shown[0][0] == SLATE and shown[0][1] < 10 else shown


A_COUNTERS, B_COUNTERS = range(1_000, 400_000), range(500_000, 900_000)


def assert_from_key_frame(first_shown: int | None, keyframes: list[int]) -> None:
    """A source went on air with a picture decoded from its key frame on: the key frame
    itself, or one of the next few when they arrived within the same output frame."""
    assert first_shown is not None
    key = max(k for k in keyframes if k <= first_shown)
    assert first_shown - key <= 3, (first_shown, keyframes)


def config(tmp_path: Path, **changes: Any) -> OutputConfig:
    settings: dict[str, Any] = {
        "name": "main",
        "width": 320,
        "height": 180,
        "preset": "ultrafast",
        "video_bitrate": 600_000,
        "hls_root": tmp_path / "hls",
        "hls_list_size": 100,  # keep every segment, so the test can read them all
        "centre": "Test County",
    }
    return OutputConfig(**(settings | changes))


@contextlib.asynccontextmanager
async def running(
    output: ProgramOutput, program: str | None, backup: str | None = None
) -> AsyncIterator[ProgramOutput]:
    await output.start(program, backup)
    try:
        yield output
    finally:
        await output.stop()


async def test_hls_output_plays_with_continuous_timestamps(tmp_path: Path) -> None:
    card = PatternCard("H264", first_counter=A_COUNTERS.start)
    feeds = Feeds(a=card.feed("a"))
    facts = FactLog()
    output = ProgramOutput(config(tmp_path), feeds, facts)
    publishing = asyncio.create_task(card.publish(feeds["a"], 4.5))

    async with running(output, "a"):
        await asyncio.sleep(3.8)
        stats = output.stats()
    await publishing

    assert (stats.state, stats.program, stats.on_air) == ("program", "a", "a")
    assert stats.frames_out > 100 and stats.decode_errors == 0 and stats.frames_skipped == 0
    assert stats.hls_path == "/hls/main/index.m3u8"
    (hls,) = stats.sinks
    assert (hls.name, hls.state, hls.errors) == ("hls", "live", 0)
    segments, pictures, audio = read_hls(tmp_path / "hls" / "main")
    assert len(segments) >= 3
    playlist = (tmp_path / "hls" / "main" / "index.m3u8").read_text()
    assert "#EXT-X-TARGETDURATION:1" in playlist and playlist.rstrip().endswith("#EXT-X-ENDLIST")
    assert_continuous(pictures, audio)
    assert [p.keyframe for p in pictures[:31]] == [True] + [False] * 29 + [True]  # fixed GOP
    shown = runs(pictures, {"a": A_COUNTERS})
    assert shown[-1][0] == "a" and shown[-1][1] > 90
    assert facts.kinds() == ["started", "stopped"]


async def test_output_starts_on_the_slate_until_its_source_is_live(tmp_path: Path) -> None:
    card = PatternCard("VP8", first_counter=A_COUNTERS.start)
    feeds = Feeds(a=card.feed("a"))
    facts = FactLog()

    async with running(ProgramOutput(config(tmp_path), feeds, facts), "a") as output:
        _, (_, to, reason) = await facts.wait_for("failed_over")
        assert (to, reason, output.state) == (SLATE, "a is not live", "slate")
        await card.publish(feeds["a"], 1.5)
        await facts.wait_for("recovered")
        assert output.state == "program"

    _, pictures, audio = read_hls(tmp_path / "hls" / "main")
    assert_continuous(pictures, audio)
    assert [name for name, _ in runs(pictures, {"a": A_COUNTERS})] == [SLATE, "a"]


@pytest.mark.slow
async def test_stalled_program_fails_over_to_backup_then_slate_and_recovers(
    tmp_path: Path,
) -> None:
    a = PatternCard("H264", first_counter=A_COUNTERS.start)
    b = PatternCard("VP8", first_counter=B_COUNTERS.start)
    feeds = Feeds(a=a.feed("a"), b=b.feed("b"))
    facts = FactLog()
    output = ProgramOutput(config(tmp_path), feeds, facts)
    program = asyncio.create_task(a.publish(feeds["a"], 2.2))
    backup = asyncio.create_task(b.publish(feeds["b"], 4.2))
    await asyncio.sleep(0.2)

    async with running(output, "a", backup="b"):
        await program  # a stops: its frames stop arriving
        a_last_counter = a.first_counter + a.video_index - 1
        a_last = feeds["a"].last_frame_at
        assert a_last is not None
        at, (_, to, reason) = await facts.wait_for("failed_over")
        assert (to, output.state) == ("b", "backup")
        assert reason.startswith("a stalled: no frames for")
        assert at - a_last < 1.0, "on the backup within a second of the last frame"

        await backup  # now b stops too: nothing left but the slate
        b_last = feeds["b"].last_frame_at
        assert b_last is not None
        at, (_, to, reason) = await facts.wait_for("failed_over", 2)
        assert (to, output.state) == (SLATE, "slate")
        assert reason.startswith("a stalled") and "; backup b stalled" in reason
        assert at - b_last < 1.0

        await a.publish(feeds["a"], 2.5)  # a comes back
        await facts.wait_for("recovered")
        assert output.stats().on_air == "a"

    assert facts.kinds() == ["started", "failed_over", "failed_over", "recovered", "stopped"]
    _, pictures, audio = read_hls(tmp_path / "hls" / "main")
    assert_continuous(pictures, audio)
    shown = runs(pictures, {"a": A_COUNTERS, "b": B_COUNTERS})
    assert [name for name, _ in shown] == ["a", "b", SLATE, "a"]
    # From the output frame that first showed a's last picture to the backup: under a second.
    last_a = next(p for p in pictures if p.counter == a_last_counter)
    first_b = next(p for p in pictures if p.counter in B_COUNTERS)
    assert (first_b.pts - last_a.pts) / 90000 < 1.0
    assert_from_key_frame(first_b.counter, b.keyframe_counters)


async def test_switch_goes_clean_at_the_new_sources_key_frame(tmp_path: Path) -> None:
    a = PatternCard("H264", first_counter=A_COUNTERS.start)
    b = PatternCard("VP8", first_counter=B_COUNTERS.start)
    feeds = Feeds(a=a.feed("a"), b=b.feed("b"))
    facts = FactLog()
    output = ProgramOutput(config(tmp_path), feeds, facts)
    publishing = [
        asyncio.create_task(a.publish(feeds["a"], 4.0)),
        asyncio.create_task(b.publish(feeds["b"], 4.0)),
    ]

    async with running(output, "a"):
        await asyncio.sleep(1.5)
        await output.switch("b")
        await asyncio.sleep(1.5)
        stats = output.stats()
    await asyncio.gather(*publishing)

    assert facts.kinds() == ["started", "switched", "stopped"]
    assert facts.of("switched")[0][1] == ("main", "a", "b")
    assert (stats.program, stats.on_air, stats.decode_errors) == ("b", "b", 0)
    _, pictures, audio = read_hls(tmp_path / "hls" / "main")
    assert_continuous(pictures, audio)
    shown = runs(pictures, {"a": A_COUNTERS, "b": B_COUNTERS})
    assert [name for name, _ in shown] == ["a", "b"], "no slate, no garbage in between"
    b_counters = [p.counter for p in pictures if p.counter is not None and p.counter in B_COUNTERS]
    assert_from_key_frame(b_counters[0], b.keyframe_counters)
    assert b_counters == sorted(b_counters), "b's pictures in order"
    a_counters = [p.counter for p in pictures if p.counter is not None and p.counter in A_COUNTERS]
    assert a_counters == sorted(a_counters)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


RTMP_SERVER = textwrap.dedent(
    """
    import sys
    import av
    from tests.support.testcard import read_counter

    with av.open(sys.argv[1], options={"listen": "1"}, timeout=(30, 10)) as server:
        print("published", *(s.codec_context.name for s in server.streams), flush=True)
        try:
            for picture in server.decode(video=0):
                print(read_counter(picture), flush=True)
        except av.FFmpegError:
            pass  # the publisher went away
    """
)


@dataclass
class RtmpServer:
    """A one-shot RTMP server (FFmpeg's, listening) in a process; it prints what it decodes."""

    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, url: str) -> RtmpServer:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", RTMP_SERVER, url, stdout=asyncio.subprocess.PIPE
        )
        server = cls(process)
        server.reader = asyncio.create_task(server._read())
        return server

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            self.lines.append(line.decode().strip())

    @property
    def counters(self) -> list[int]:
        return [int(line) for line in self.lines[1:] if line.isdigit()]

    async def kill(self) -> None:
        self.process.kill()
        await self.process.wait()
        if self.reader is not None:
            await self.reader


@pytest.mark.slow
async def test_rtmp_push_reaches_a_server_and_comes_back_after_it_went_away(
    tmp_path: Path,
) -> None:
    url = f"rtmp://127.0.0.1:{free_port()}/live/main"
    first = await RtmpServer.start(url)
    await asyncio.sleep(0.5)  # the server is listening
    card = PatternCard("H264", first_counter=A_COUNTERS.start)
    feeds = Feeds(a=card.feed("a"))
    facts = FactLog()
    output = ProgramOutput(config(tmp_path, rtmp_url=url), feeds, facts)
    publishing = asyncio.create_task(card.publish(feeds["a"], 60.0))

    async with running(output, "a"):
        await eventually(lambda: len(first.counters) >= 30, "a second of video over RTMP")
        assert first.lines[0] == "published h264 aac"
        assert set(first.counters) <= set(A_COUNTERS)
        await first.kill()  # the server goes away
        _, (_, sink, error) = await facts.wait_for("sink_error")
        assert sink == "rtmp" and error
        second = await RtmpServer.start(url)
        await facts.wait_for("sink_recovered")
        await eventually(lambda: len(second.counters) >= 30, "video over the new session")
        stats = output.stats()
        publishing.cancel()
    await second.process.wait()

    hls, rtmp = stats.sinks
    assert (hls.state, hls.errors, rtmp.state) == ("live", 0, "live")
    assert rtmp.errors >= 1
    _, pictures, audio = read_hls(tmp_path / "hls" / "main")
    assert_continuous(pictures, audio)  # HLS went on undisturbed
    assert [name for name, _ in runs(pictures, {"a": A_COUNTERS})][-1] == "a"


async def test_rtmp_server_that_is_not_there_is_one_fact_and_hls_goes_on(tmp_path: Path) -> None:
    url = f"rtmp://127.0.0.1:{free_port()}/live/main"
    facts = FactLog()
    output = ProgramOutput(config(tmp_path, rtmp_url=url), Feeds(a=Feed("a")), facts)

    async with running(output, "a"):
        await eventually(lambda: output.stats().sinks[1].errors >= 2, "a second attempt")
        hls, rtmp = output.stats().sinks

    assert (hls.state, hls.errors, rtmp.state) == ("live", 0, "retrying")
    assert rtmp.last_error is not None and "Connection refused" in rtmp.last_error
    assert len(facts.of("sink_error")) == 1, "one fact per outage, not per attempt"
    _, pictures, audio = read_hls(tmp_path / "hls" / "main")
    assert_continuous(pictures, audio)
    assert {p.counter for p in pictures} == {None}, "the slate: a is not live"


@pytest.mark.parametrize("codec", ["H264", "VP8"])
async def test_portrait_source_is_pillarboxed(tmp_path: Path, codec: str) -> None:
    card = PatternCard(codec, width=180, height=320, first_counter=A_COUNTERS.start)
    feeds = Feeds(a=card.feed("a"))
    output = ProgramOutput(config(tmp_path, width=640, height=360), feeds, FactLog())
    publishing = asyncio.create_task(card.publish(feeds["a"], 1.8))
    await asyncio.sleep(0.2)

    async with running(output, "a"):
        await publishing

    folder = tmp_path / "hls" / "main"
    segments, _, _ = read_hls(folder)
    with av.open(str(folder / segments[1])) as container:
        picture = next(container.decode(video=0))
    assert (picture.width, picture.height) == (640, 360)
    luma, stride = bytes(picture.planes[0]), picture.planes[0].line_size
    assert luma[180 * stride + 10] < 30 and luma[180 * stride + 630] < 30, "bars at the sides"
    assert luma[300 * stride + 320] > 40, "the picture in the middle"
