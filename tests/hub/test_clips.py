"""The clip maker on its own: what it does after a restart between registering a clip's capture
and recording the clip as made, and when the source's file is gone."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from uuid import UUID

from events.capture import Capture
from events.clip import Clip
from events.roles import SYSTEM_ACTOR
from hub.clips.worker import ClipMaker
from hub.commands.clips import RequestClip
from hub.commands.stories import RegisterCapture
from hub.newsroom import Newsroom, Request
from hub.readmodels import ReadModels
from tests.clip_media import make_video
from tests.conftest import Staff


def video(staff: Staff, name: str) -> UUID:
    path = make_video(staff.newsroom.settings.data_dir / "uploads" / name, seconds=3)
    data = path.read_bytes()
    return staff.newsroom.handle(
        staff.req("rui"),
        RegisterCapture(
            assignment=None,
            kind="upload",
            filename=name,
            content_type="video/mp4",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            details={"path": f"uploads/{name}"},
        ),
    ).id


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
        RegisterCapture(
            assignment=None,
            kind="clip",
            filename="levee-0.0-2.0.mp4",
            content_type="video/mp4",
            size=1,
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
