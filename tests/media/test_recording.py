"""Recordings: frames remuxed untouched into a file that plays, even when the hub is killed."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av
import pytest

from hub.media.codec.bitstream import nal_units
from hub.media.record.reconcile import mark_reported, reconcile
from hub.media.record.recording import Recorder
from hub.media.record.sidecar import RecordingResult, Sidecar, sidecar_path
from hub.media.relay.frames import EncodedFrame, Feed
from tests.support.testcard import PatternCard, read_counter


async def record(
    card: PatternCard, folder: Path, seconds: float, source: str = "cam-1"
) -> tuple[RecordingResult, list[EncodedFrame], Recorder]:
    """Publishes `seconds` of the card through a feed with a recorder on it."""
    feed = card.feed(source)
    sent = feed.subscribe("test/sent", max_frames=100_000)
    recorder = Recorder(feed, folder, session="s-1")
    task = asyncio.create_task(recorder.run())
    await asyncio.sleep(0)
    await card.publish(feed, seconds)
    recorder.stop()
    result = await task
    assert result is not None
    frames = []
    while len(sent):
        frame = await sent.get()
        assert frame is not None
        frames.append(frame)
    return result, frames, recorder


def decoded_counters(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        counters = [read_counter(picture) for picture in container.decode(video=0)]
    readable = [c for c in counters if c is not None]
    assert len(readable) == len(counters), "every picture carries its counter"
    return readable


def video_packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(video=0) if p.size]


def length_prefixed_units(sample: bytes) -> list[bytes]:
    """NAL units of an MP4 sample (4-byte big-endian lengths, ISO/IEC 14496-15 §5.3.3)."""
    units, position = [], 0
    while position < len(sample):
        size = int.from_bytes(sample[position : position + 4], "big")
        units.append(sample[position + 4 : position + 4 + size])
        position += 4 + size
    return units


async def test_h264_session_is_remuxed_into_fragmented_mp4(tmp_path: Path) -> None:
    result, sent, recorder = await record(PatternCard("H264"), tmp_path, 2.5)

    assert result.path.suffix == ".mp4"
    assert (result.codec, result.resolution, result.session) == ("H264+opus", "320x180", "s-1")
    assert 2.3 < result.duration < 2.8
    assert result.size == result.path.stat().st_size
    assert result.sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert not result.interrupted and recorder.frames_dropped == 0
    video = [f for f in sent if f.kind == "video"]
    counters = decoded_counters(result.path)
    assert counters == list(range(len(video))), "every frame, in order, decodable"
    # Not re-encoded: the same NAL units, only framed by lengths instead of start codes.
    samples = video_packets(result.path)
    assert [length_prefixed_units(s) for s in samples] == [list(nal_units(f.data)) for f in video]
    with av.open(str(result.path)) as container:
        assert container.streams.audio[0].codec_context.name == "opus"
        audio = [p for p in container.demux(audio=0) if p.size]
    assert [bytes(p) for p in audio] == [f.data for f in sent if f.kind == "audio"]


async def test_vp8_session_goes_to_webm_byte_for_byte(tmp_path: Path) -> None:
    result, sent, _ = await record(PatternCard("VP8"), tmp_path, 2.0)

    assert result.path.suffix == ".webm"
    assert (result.codec, result.resolution) == ("VP8+opus", "320x180")
    video = [f for f in sent if f.kind == "video"]
    assert video_packets(result.path) == [f.data for f in video]
    assert decoded_counters(result.path) == list(range(len(video)))


async def test_recorder_asks_for_a_key_frame_every_fragment(tmp_path: Path) -> None:
    card = PatternCard("H264")
    await record(card, tmp_path, 3.2)

    # One to start, then one a second: a cut anywhere loses at most a second of decoding.
    assert len(card.keyframe_counters) >= 3


async def test_audio_only_session_is_recorded(tmp_path: Path) -> None:
    card = PatternCard("H264")
    feed = card.feed("radio-1")
    recorder = Recorder(feed, tmp_path)
    task = asyncio.create_task(recorder.run())
    await asyncio.sleep(0)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for index in range(300):  # six seconds of Opus, published at once
        packet = card.audio_frame(index, start + index * 0.02)
        assert packet is not None
        feed.publish(packet)
    await asyncio.sleep(0.1)
    recorder.stop()
    result = await task

    assert result is not None
    assert (result.path.suffix, result.codec, result.resolution) == (".webm", "opus", "")
    assert 5.9 < result.duration < 6.1


async def test_a_session_without_frames_records_nothing(tmp_path: Path) -> None:
    recorder = Recorder(Feed("idle"), tmp_path)
    task = asyncio.create_task(recorder.run())
    await asyncio.sleep(0.05)
    recorder.stop()

    assert await task is None
    assert list(tmp_path.iterdir()) == []


KILLED_RECORDER = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from hub.media.record.recording import Recorder
    from tests.support.testcard import PatternCard

    async def main() -> None:
        card = PatternCard(sys.argv[2])
        feed = card.feed("truck-1")
        recorder = Recorder(feed, Path(sys.argv[1]), session="live-7")
        asyncio.create_task(recorder.run())
        await card.publish(feed, 60.0)

    asyncio.run(main())
    """
)


def wait_for_file(folder: Path, pattern: str, timeout: float = 20.0) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(folder.glob(pattern))
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no {pattern} in {folder} after {timeout} s")


@pytest.mark.parametrize("codec", ["H264", "VP8"])
def test_recording_killed_mid_stream_plays_and_is_reconciled(tmp_path: Path, codec: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", KILLED_RECORDER, str(tmp_path), codec])
    try:
        sidecar = wait_for_file(tmp_path, "*.json")
        time.sleep(3.4)  # three whole fragments and a bit of the fourth
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert json.loads(sidecar.read_text())["state"] == "recording"
    media = Sidecar.load(sidecar).media

    counters = decoded_counters(media)  # plays as left, torn tail and all
    assert len(counters) >= 60
    assert counters == list(range(counters[0], counters[0] + len(counters)))

    (result,) = reconcile(tmp_path)
    assert result.interrupted and result.reason == "the hub stopped while recording"
    assert (result.source, result.session, result.resolution) == ("truck-1", "live-7", "320x180")
    assert result.duration > 2.0
    assert result.size == media.stat().st_size
    assert result.sha256 == hashlib.sha256(media.read_bytes()).hexdigest()
    assert decoded_counters(media) == counters[: len(decoded_counters(media))]
    assert len(decoded_counters(media)) >= len(counters) - 30  # trimmed at most the torn fragment

    assert reconcile(tmp_path) == [result], "reported again until the store has it"
    mark_reported(result)
    assert reconcile(tmp_path) == []


async def test_a_finished_recording_is_reported_at_start_up_until_marked(tmp_path: Path) -> None:
    result, _, _ = await record(PatternCard("VP8"), tmp_path, 1.2)

    assert reconcile(tmp_path) == [result]
    mark_reported(result)
    assert reconcile(tmp_path) == []
    assert Sidecar.load(sidecar_path(result.path)).state == "complete"


def test_a_recording_killed_before_its_file_began_is_reported_empty(tmp_path: Path) -> None:
    started = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    media = tmp_path / "truck-1-20261123T060000Z.mp4"
    Sidecar(media, "truck-1", "live-9", started, "H264", "opus", 1280, 720).save()

    (result,) = reconcile(tmp_path)

    assert result.interrupted and (result.size, result.duration, result.sha256) == (0, 0.0, "")
    assert (result.session, result.resolution) == ("live-9", "1280x720")


def test_reconcile_skips_files_that_are_not_sidecars(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text(json.dumps({"hello": "world"}))

    assert reconcile(tmp_path) == []


def drain(container: Any) -> None:
    for _ in container.decode():
        pass


@pytest.mark.parametrize("codec", ["H264", "VP8"])
async def test_reconcile_trims_a_torn_fragment(tmp_path: Path, codec: str) -> None:
    result, _, _ = await record(PatternCard(codec), tmp_path, 2.2)
    whole = decoded_counters(result.path)
    sidecar = Sidecar.load(sidecar_path(result.path))
    sidecar.state = "recording"  # as a kill would leave it
    sidecar.save()
    size = result.path.stat().st_size
    os.truncate(result.path, size * 3 // 4)  # the kill hit in the middle of a fragment

    (reconciled,) = reconcile(tmp_path)

    assert reconciled.size < size * 3 // 4
    counters = decoded_counters(result.path)
    assert 0 < len(counters) < len(whole) and counters == whole[: len(counters)]
    with av.open(str(result.path)) as container:
        drain(container)  # no torn packet at the end
    assert reconciled.duration == pytest.approx(len(counters) / 30, abs=0.15)
