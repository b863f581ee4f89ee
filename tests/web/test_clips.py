"""Clips through the real server, from real video made with PyAV: a stream copy cut on key frames,
a 9:16 crop, the refusals that make nothing, and a request made before the hub started."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from uuid import UUID

import av
import httpx

from events.capture import Capture
from hub.commands.clips import RequestClip
from hub.config import Settings
from tests.clip_media import make_audio, make_video
from tests.conftest import Staff, capture_of_file
from tests.web.conftest import bearer
from tests.web.server import serving
from web.app import create_app

GOP_SECONDS = 1.0  # make_video's key frame every 25 pictures at 25 a second


def registered(
    staff: Staff, path: Path, content_type: str, *, kind: str = "upload", who: str = "rui"
) -> str:
    """A capture whose file is `path` (under the data directory, as uploads keep theirs)."""
    data_dir = staff.newsroom.settings.data_dir
    capture = capture_of_file(path, data_dir, content_type, kind=kind)
    return str(staff.newsroom.handle(staff.req(who), capture).id)


def video_capture(staff: Staff, name: str = "levee.mp4", **kwargs: Any) -> str:
    path = make_video(staff.newsroom.settings.data_dir / "uploads" / name, **kwargs)
    return registered(staff, path, "video/mp4")


def ask(client: httpx.Client, staff: Staff, body: dict[str, Any], who: str = "eddie") -> Any:
    return client.post("/api/clips", json=body, headers=bearer(staff, who))


def finished(client: httpx.Client, staff: Staff, clip: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        answer = client.get(f"/api/clips/{clip}", headers=bearer(staff, "eddie"))
        assert answer.status_code == 200, answer.text
        item: dict[str, Any] = answer.json()
        seen.append(item["state"])
        if item["state"] in ("done", "failed"):
            assert set(seen) <= {"queued", "working", "done", "failed"}
            return item
        time.sleep(0.1)
    raise AssertionError(f"clip {clip} never finished: {seen[-5:]}")


def fetched(client: httpx.Client, staff: Staff, capture: str, into: Path) -> Path:
    answer = client.get(f"/api/captures/{capture}/file", headers=bearer(staff, "eddie"))
    assert answer.status_code == 200, answer.text
    into.write_bytes(answer.content)
    return into


def packets(path: Path) -> list[tuple[bytes, bool]]:
    with av.open(str(path)) as media:
        stream = media.streams.video[0]
        return [(bytes(p), p.is_keyframe) for p in media.demux(stream) if p.size]


def decoded(path: Path) -> tuple[list[float], int, int]:
    """Every picture's time, and the picture's size; fails on anything that does not decode."""
    with av.open(str(path)) as media:
        frames = list(media.decode(video=0))
        assert frames, f"{path} holds no picture"
        times = [float(f.time) for f in frames if f.time is not None]
        return times, frames[0].width, frames[0].height


def test_a_clip_without_crop_is_the_source_packets_from_the_key_frame_before_in(
    client: httpx.Client, staff: Staff, tmp_path: Path
) -> None:
    source = video_capture(staff)
    asked = ask(client, staff, {"capture": source, "start": 2.5, "end": 6.2})
    assert asked.status_code == 201, asked.text
    clip = asked.json()["id"]
    assert asked.headers["location"] == f"/api/clips/{clip}"

    item = finished(client, staff, clip)
    assert item["state"] == "done" and item["progress"] == 100, item
    assert item["source"] == source and item["crop"] is None and item["requested_by"] == "eddie"
    capture = client.get(f"/api/captures/{item['capture']}", headers=bearer(staff, "eddie"))
    made = capture.json()
    assert made["kind"] == "clip" and made["content_type"] == "video/mp4"
    assert made["lineage"] == {"source": source, "in": 2.5, "out": 6.2, "crop": None}
    listed = client.get("/api/captures?kind=clip", headers=bearer(staff, "eddie")).json()
    assert [c["lineage"]["source"] for c in listed["captures"]] == [source]

    original = staff.newsroom.settings.data_dir / "uploads" / "levee.mp4"
    cut = fetched(client, staff, item["capture"], tmp_path / "cut.mp4")
    # Not encoded again: the clip's pictures are the source's own, from a key frame on.
    ours, theirs = packets(cut), packets(original)
    assert ours[0][1], "a copy starts on a key frame"
    start = [data for data, _ in theirs].index(ours[0][0])
    assert [data for data, _ in theirs[start : start + len(ours)]] == [d for d, _ in ours]
    with av.open(str(cut)) as a, av.open(str(original)) as b:
        va, vb = a.streams.video[0].codec_context, b.streams.video[0].codec_context
        assert (va.name, va.width, va.height, va.extradata) == (
            vb.name,
            vb.width,
            vb.height,
            vb.extradata,
        )
        assert a.streams.audio, "the sound is copied too"
    times, width, height = decoded(cut)
    begins = start / 25  # the key frame's time in the source
    assert 2.5 - GOP_SECONDS <= begins <= 2.5
    length = len(times) / 25
    assert 6.2 - begins - 0.05 <= length <= 6.2 - begins + 0.05, length
    assert abs(made["duration"] - length) < 0.1


def test_a_vertical_clip_is_9_16_of_the_asked_length_and_plays(
    client: httpx.Client, staff: Staff, tmp_path: Path
) -> None:
    source = video_capture(staff, "wide.mp4", width=1280, height=720)
    asked = ask(client, staff, {"capture": source, "start": 1.3, "end": 4.8, "crop": "9:16"})
    assert asked.status_code == 201, asked.text
    item = finished(client, staff, asked.json()["id"])
    assert item["state"] == "done", item
    made = client.get(f"/api/captures/{item['capture']}", headers=bearer(staff, "eddie")).json()
    assert made["lineage"] == {"source": source, "in": 1.3, "out": 4.8, "crop": "9:16"}
    assert made["filename"] == "wide-1.3-4.8-9x16.mp4"

    cut = fetched(client, staff, item["capture"], tmp_path / "vertical.mp4")
    times, width, height = decoded(cut)
    details = staff.newsroom.get(Capture, UUID(item["capture"])).details
    assert (details["width"], details["height"]) == (width, height)  # upright, for the desk
    assert width * 16 == height * 9 and 720 - 32 < height <= 720, (width, height)
    length = times[-1] - times[0] + 1 / 25
    assert abs(length - 3.5) <= 0.5, length
    with av.open(str(cut)) as media:
        assert media.streams.video[0].codec_context.name == "h264"
        assert abs(float(media.duration or 0) / av.time_base - 3.5) <= 0.5
        assert media.streams.audio and media.streams.audio[0].codec_context.name == "aac"


def test_a_bad_request_is_refused_and_makes_nothing(client: httpx.Client, staff: Staff) -> None:
    video = video_capture(staff, seconds=4)
    sound = registered(
        staff, make_audio(staff.newsroom.settings.data_dir / "uploads" / "voice.m4a"), "audio/mp4"
    )
    photo_file = staff.newsroom.settings.data_dir / "uploads" / "photo.data"
    photo_file.write_bytes(b"\xff\xd8\xff\xe0 not much of a photo")
    photo = registered(staff, photo_file, "image/jpeg")
    unknown = "00000000-0000-4000-8000-000000000000"
    refusals = [
        ({"capture": unknown, "start": 0, "end": 1}, 404, "no capture"),
        ({"capture": sound, "start": 0, "end": 1}, 422, "holds no picture"),
        ({"capture": photo, "start": 0, "end": 1}, 422, "holds no picture"),
        ({"capture": video, "start": 2, "end": 2}, 422, "must be before its out point"),
        ({"capture": video, "start": 3, "end": 1}, 422, "must be before its out point"),
        ({"capture": video, "start": 1, "end": 9}, 422, "past the end"),
        ({"capture": video, "start": -1, "end": 1}, 422, "start"),
        ({"capture": video, "start": 0, "end": 1, "crop": "1:1"}, 422, "crop"),
        ({"capture": "levee", "start": 0, "end": 1}, 422, "capture"),
    ]
    for body, status, words in refusals:
        answer = ask(client, staff, body)
        assert answer.status_code == status, (body, answer.text)
        assert words in answer.json()["error"]["message"], (body, answer.text)
    assert (
        ask(client, staff, {"capture": video, "start": 0, "end": 1}, who="rui").status_code == 403
    )
    assert client.get("/api/clips", headers=bearer(staff, "eddie")).json() == {"clips": []}
    assert client.get("/api/captures?kind=clip", headers=bearer(staff, "eddie")).json() == {
        "captures": []
    }
    missing = client.get(f"/api/clips/{unknown}", headers=bearer(staff, "eddie"))
    assert missing.status_code == 404


def test_a_clip_asked_for_before_the_hub_started_is_made_when_it_starts(
    settings: Settings, staff: Staff, tmp_path: Path
) -> None:
    source = video_capture(staff, seconds=4)
    asked = staff.newsroom.handle(
        staff.req("dora"), RequestClip(capture=UUID(source), start=0.5, end=2.5)
    )
    with (
        serving(create_app(settings)) as base,
        httpx.Client(base_url=base, headers={"Accept-Language": "en"}) as client,
    ):
        item = finished(client, staff, str(asked.id))
        assert item["state"] == "done" and item["requested_by"] == "dora"
        cut = fetched(client, staff, item["capture"], tmp_path / "after.mp4")
        assert decoded(cut)[0]


def test_a_reporter_sees_the_clips_of_their_captures(client: httpx.Client, staff: Staff) -> None:
    ruis = video_capture(staff, seconds=3)
    lins = registered(
        staff,
        make_video(staff.newsroom.settings.data_dir / "uploads" / "lin.mp4", seconds=3),
        "video/mp4",
        who="lin",
    )
    for source in (ruis, lins):
        body = {"capture": source, "start": 0, "end": 2}
        assert ask(client, staff, body).status_code == 201
    mine = client.get("/api/clips", headers=bearer(staff, "rui")).json()["clips"]
    assert [c["source"] for c in mine] == [ruis]
    assert client.get(f"/api/clips/{mine[0]['id']}", headers=bearer(staff, "rui")).json() == (
        mine[0]
    ) or finished(client, staff, mine[0]["id"])
    theirs = client.get("/api/clips", headers=bearer(staff, "lin")).json()["clips"]
    assert [c["source"] for c in theirs] == [lins]
    assert client.get("/api/clips", headers=bearer(staff, "wally")).status_code == 403
