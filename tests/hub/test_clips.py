"""The clip maker on its own: what it does after a restart between registering a clip's capture
and recording the clip as made, and when the source's file is gone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import av

from events.capture import Capture
from events.clip import Clip
from events.roles import SYSTEM_ACTOR
from hub.clips.media import cut_copy
from hub.clips.worker import ClipMaker
from hub.commands.clips import RequestClip
from hub.newsroom import Newsroom, Request
from hub.readmodels import ReadModels
from tests.clip_media import make_video
from tests.conftest import Staff, capture_of, capture_of_file


def video(staff: Staff, name: str) -> UUID:
    data_dir = staff.newsroom.settings.data_dir
    path = make_video(data_dir / "uploads" / name, seconds=3)
    return staff.newsroom.handle(staff.req("rui"), capture_of_file(path, data_dir, "video/mp4")).id


def maker(newsroom: Newsroom) -> ClipMaker:
    models = ReadModels(newsroom)
    models.start()
    return ClipMaker(newsroom, models)


def test_a_clip_registered_before_a_restart_is_recorded_without_cutting_again(
    staff: Staff,
) -> None:
    newsroom = staff.newsroom
    source = video(staff, "levee.mp4")
    clip = newsroom.handle(staff.req("eddie"), RequestClip(capture=source, start=0, end=2)).id
    # The hub died after registering the clip's capture (keyed by the clip), before the record.
    registered = newsroom.handle(
        Request(SYSTEM_ACTOR, datetime.now(UTC), key=f"clip:{clip}"),
        capture_of(
            "levee-0.0-2.0.mp4",
            "video/mp4",
            kind="clip",
            sha256="1" * 64,
            duration=2.0,
            details={"path": f"clips/{clip}.mp4"},
        ),
    ).id
    maker(newsroom).make(clip)
    made = newsroom.get(Clip, clip)
    assert made.state == "made" and made.capture == registered
    assert not (newsroom.settings.data_dir / "clips" / f"{clip}.mp4").exists()
    maker(newsroom).make(clip)  # a made clip is left alone
    assert newsroom.get(Clip, clip).version == made.version


def test_a_clip_whose_source_file_is_gone_fails_with_the_reason(staff: Staff) -> None:
    newsroom = staff.newsroom
    source = video(staff, "gone.mp4")
    clip = newsroom.handle(staff.req("chen"), RequestClip(capture=source, start=1, end=2)).id
    (newsroom.settings.data_dir / "uploads" / "gone.mp4").unlink()
    maker(newsroom).make(clip)
    failed = newsroom.get(Clip, clip)
    assert failed.state == "failed" and "not on this node" in failed.reason
    assert newsroom.get(Capture, source).kind == "upload"


def test_a_copy_of_video_with_b_frames_decodes_and_keeps_the_source_packets(
    tmp_path: Path,
) -> None:
    """Phones' video reorders pictures: the copy starts on the key frame's decoding time, keeps
    every packet those before `out` need, and decodes without a fault."""
    source = make_video(tmp_path / "phone.mp4", seconds=8, bframes=3)
    target = tmp_path / "cut.mp4"
    seconds = cut_copy(source, target, 2.5, 6.2, lambda _: None)
    with av.open(str(source)) as a, av.open(str(target)) as b:
        order = [p.pts for p in a.demux(video=0) if p.size]
        assert order != sorted(order), "the source reorders its pictures"
        a.seek(0)
        theirs = [bytes(p) for p in a.demux(video=0) if p.size]
        ours = [bytes(p) for p in b.demux(video=0) if p.size]
    start = theirs.index(ours[0])
    assert theirs[start : start + len(ours)] == ours
    assert 2.5 - 1.0 <= start / 25 <= 2.5
    with av.open(str(target)) as media:
        times = [float(f.time) for f in media.decode(video=0) if f.time is not None]
    assert times == sorted(times)
    assert 6.2 - start / 25 <= len(times) / 25 <= 6.2 - start / 25 + 0.2  # a few reordered
    assert abs(seconds - (times[-1] + 1 / 25)) < 0.05
