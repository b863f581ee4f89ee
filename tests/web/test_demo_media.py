"""The demo's housekeeping: its own finished recordings go after a while, nothing else does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hub.media.record.sidecar import Sidecar, sidecar_path
from web.demo_media import prune_recordings


def recording(folder: Path, source: str, age: timedelta, *, reported: bool) -> Path:
    started = datetime.now(UTC) - age
    media = folder / f"{source}-{started:%Y%m%dT%H%M%SZ}.mp4"
    media.write_bytes(b"\0" * 16)
    sidecar = Sidecar(media, source, "s", started, "H264", "opus", 640, 360)
    sidecar.state, sidecar.reported = "complete", reported
    sidecar.save()
    return media


def test_only_the_demo_feeds_old_reported_recordings_are_pruned(tmp_path: Path) -> None:
    old = recording(tmp_path, "truck-1", timedelta(hours=3), reported=True)
    fresh = recording(tmp_path, "studio-cam", timedelta(minutes=10), reported=True)
    unreported = recording(tmp_path, "chen.jie-phone", timedelta(hours=3), reported=False)
    a_reporters = recording(tmp_path, "wang.fang-phone", timedelta(hours=3), reported=True)

    assert prune_recordings(tmp_path, timedelta(hours=2)) == 1

    assert not old.exists() and not sidecar_path(old).exists()
    assert all(p.exists() and sidecar_path(p).exists() for p in (fresh, unreported, a_reporters))
