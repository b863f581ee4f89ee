"""An approved emergency alert pre-empts a running program output: the card in the HLS frames
and the alert spoken in its sound while it is on air, the program before and after."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av

from hub.emergency.onair import EmergencyOnAir, spoken_text
from hub.emergency.voice import speak
from hub.media.program.program import ProgramOutput
from tests.media.test_program import A_COUNTERS, FactLog, Feeds, config, running
from tests.support.testcard import PatternCard, read_counter

START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def an_alert(**over: Any) -> dict[str, Any]:
    return {
        "id": "a1",
        "msg_type": "Alert",
        "references": [],
        "headline": "暴雨红色预警",
        "area": "城关镇",
        "description": "河水上涨，请远离河道",
        "instruction": "",
        "severity": "Severe",
        "effective": "2026-12-07T08:00:10Z",
        "expires": "2026-12-07T09:00:00Z",
        "approved_at": "2026-12-07T08:00:05Z",
        "state": "approved",
        "superseded_by": None,
    } | over


def is_card(picture: av.VideoFrame) -> bool:
    """Mostly the card's red: a high V (Cr) over most of the picture."""
    frame = picture.reformat(format="yuv420p")
    chroma = bytes(frame.planes[2])
    return sum(v > 170 for v in chroma) > 0.6 * len(chroma)


def loudness(samples: list[float]) -> float:
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def read_output(folder: Path) -> tuple[list[str], list[tuple[float, float]]]:
    """What each output frame showed ("a", "card" or "slate"), and the sound's loudness per
    AAC frame with its time."""
    playlist = (folder / "index.m3u8").read_text()
    shown: list[str] = []
    sound: list[tuple[float, float]] = []
    for segment in [line for line in playlist.splitlines() if line.endswith(".ts")]:
        with av.open(str(folder / segment)) as container:
            for picture in container.decode(video=0):
                counter = read_counter(picture)
                shown.append(
                    "a" if counter in A_COUNTERS else "card" if is_card(picture) else "slate"
                )
        with av.open(str(folder / segment)) as container:
            for frame in container.decode(audio=0):
                left = memoryview(bytes(frame.planes[0])).cast("f")[: frame.samples]
                sound.append((float(frame.time or 0), loudness(list(left))))
    return shown, sound


def runs(shown: list[str]) -> list[str]:
    out: list[str] = []
    for name in shown:
        if not out or out[-1] != name:
            out.append(name)
    return out


async def test_an_alert_takes_the_output_and_gives_it_back(tmp_path: Path) -> None:
    card = PatternCard("H264", first_counter=A_COUNTERS.start)
    feeds = Feeds(a=card.feed("a"))
    output = ProgramOutput(config(tmp_path), feeds, FactLog())
    now = [START]
    state: dict[str, Any] = {"alerts": {"a1": an_alert()}}
    aired: list[tuple[str, list[str], bool, bool]] = []

    async def record(alert: str, outputs: list[str], spoken: bool, font: bool) -> None:
        aired.append((alert, outputs, spoken, font))

    onair = EmergencyOnAir(lambda: state, lambda: {"main": output}, lambda _: True, record,
                           clock=lambda: now[0])  # fmt: skip
    publishing = asyncio.create_task(card.publish(feeds["a"], 9.0))
    async with running(output, "a"):
        await asyncio.sleep(1.5)
        await onair.step()  # not in effect yet: the program stays
        assert not output.stats().emergency and aired == []
        now[0] = START + timedelta(seconds=20)
        await onair.step()  # on air: the card (made in a worker thread) and the speech
        await asyncio.sleep(3.0)
        assert output.stats().emergency
        await onair.step()  # nothing new: no second report
        state["alerts"]["a1"]["superseded_by"] = "a2"  # cancelled by a later message
        await onair.step()
        await asyncio.sleep(2.0)
        assert not output.stats().emergency
    publishing.cancel()

    assert aired == [("a1", ["main"], True, True)]
    shown, sound = read_output(tmp_path / "hls" / "main")
    # (On a loaded machine the source may stall for a moment: the slate then, by design.)
    assert [r for r in runs(shown) if r != "slate"][-3:] == ["a", "card", "a"], lengths(shown)
    assert shown.count("card") >= 60  # at least two seconds of the card at 30 fps
    first = shown.index("card")
    last = len(shown) - 1 - shown[::-1].index("card")
    start, end = first / 30, (last + 1) / 30
    during = [level for at, level in sound if start + 0.3 <= at - sound[0][0] <= end - 0.3]
    assert during and max(during) > 0.05, "the alert is heard while the card is shown"


def test_the_speech_engine_reads_the_alert_and_a_tone_stands_in_without_it() -> None:
    words = spoken_text(an_alert())
    assert words.startswith("应急广播。暴雨红色预警。范围：城关镇。")
    spoken = speak(words)
    assert spoken.spoken and len(spoken.samples) > 48000  # more than a second of speech
    assert loudness(list(spoken.samples)) > 0.02
    missing = speak(words, engine="/nonexistent/espeak-ng")
    assert not missing.spoken and loudness(list(missing.samples)) > 0.1


def lengths(shown: list[str]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for name in shown:
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + 1)
        else:
            out.append((name, 1))
    return out
