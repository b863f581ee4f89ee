"""The clip maker: makes the clips that were asked for, one at a time, in the background.

What to make comes from the log (the capture library's clip requests still open), so a clip asked
for before a restart is made after it. Each clip is cut off the event loop (hub/clips/media.py),
written under `clips/` in the data directory, registered as a capture through the same command
as an upload (RegisterCapture, keyed by the clip, so it is registered once), and then recorded as
made; or recorded as failed, with the reason. How far the clip being made has got is kept here
in memory (it is not a decision, so not an event): `progress(clip)`.

Between the capture's registration and the clip's record the hub may die: the next start finds
the registration by its key and records the clip as made without cutting it again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import av
from starlette.concurrency import run_in_threadpool

from events.capture import Capture
from events.clip import Clip
from events.errors import DomainError
from events.roles import SYSTEM, SYSTEM_ACTOR
from hub.clips.files import capture_file, clip_path
from hub.clips.media import MediaUnreadable, cut_copy, cut_crop, output_format
from hub.commands.clips import RecordClipFailed, RecordClipMade
from hub.commands.stories import RegisterCapture
from hub.errors import HubError, StoreUnavailable
from hub.newsroom import Done, Newsroom, Request
from hub.readmodels import ReadModels

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5
CONTENT_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}


class Stopped(Exception):
    """The hub is closing: the clip being cut is left (as a `.part` file) to be made again."""


class ClipMaker:
    """Makes every open clip request of the log, oldest first."""

    def __init__(self, newsroom: Newsroom, models: ReadModels) -> None:
        self.newsroom = newsroom
        self.models = models
        self.working: dict[str, float] = {}  # the clip being made -> how far (0..1)
        self.wake = asyncio.Event()
        self.stopping = False
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self.run(), name="clip-maker")

    async def close(self) -> None:
        """Stops at the next step of the clip being cut (it is made again at the next start)."""
        self.stopping = True
        self.wake.set()
        if self.task is not None:
            with suppress(Stopped):
                await self.task

    def progress(self, clip: str) -> float | None:
        """How far the clip is made, while it is being made here (None otherwise)."""
        return self.working.get(clip)

    def _open(self) -> list[dict[str, Any]]:
        with self.models.reading() as models:
            found = models.captures.clips(state="requested")
        return sorted(found, key=lambda item: item["requested_at"])

    async def run(self) -> None:
        while not self.stopping:
            made = 0
            for clip in self._open():
                try:
                    await run_in_threadpool(self.make, UUID(clip["id"]))
                    made += 1
                except StoreUnavailable:
                    log.warning("the store is unavailable; clip %s waits", clip["id"])
                    break
                except Stopped:
                    return
                except Exception:  # recording the outcome failed: tried again at the next poll
                    log.exception("clip %s could not be made", clip["id"])
                    break
            if not made:
                self.wake.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), POLL_SECONDS)

    def make(self, cid: UUID) -> None:
        """Makes one clip (if it is still open) and records what became of it."""
        clip = self.newsroom.get(Clip, cid)
        if clip.state != "requested":
            return
        key = f"clip:{cid}"
        registered = self.newsroom.store.find_idempotent(SYSTEM, key)
        if registered is not None:  # registered before a restart, not yet recorded as made
            capture = self.newsroom.get(Capture, Done.from_json(registered.result).id)
            self._record(cid, capture.id, "crop" if clip.crop else "copy", capture.duration or 0)
            return
        self.working[str(cid)] = 0.0
        try:
            done, mode, seconds = self._cut_and_register(clip, key)
        except (StoreUnavailable, Stopped):
            raise
        except (MediaUnreadable, av.FFmpegError, OSError, DomainError, HubError) as error:
            log.warning("clip %s failed: %s", cid, error)
            self._fail(cid, str(error) or type(error).__name__)
            return
        except Exception as error:  # a fault of ours: said, and the clip is not tried forever
            log.exception("clip %s failed", cid)
            self._fail(cid, str(error) or type(error).__name__)
            return
        finally:
            self.working.pop(str(cid), None)
        self._record(cid, done.id, mode, seconds)

    def _cut_and_register(self, clip: Clip, key: str) -> tuple[Done, str, float]:
        data_dir = self.newsroom.settings.data_dir
        source = self.newsroom.get(Capture, clip.source)
        path = capture_file(data_dir, source.details.get("path"))
        if path is None:
            raise MediaUnreadable(f"the file of capture {clip.source} is not on this node")
        fmt = output_format(path, crop=clip.crop is not None)
        relative = clip_path(clip.id, fmt)
        target = data_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        cut = cut_crop if clip.crop else cut_copy

        def advance(done: float) -> None:
            if self.stopping:
                raise Stopped
            self.working[str(clip.id)] = round(done, 3)

        seconds = cut(path, target, clip.start, clip.end, advance)
        sha256, size = _checksum(target)
        done = self.newsroom.handle(
            Request(SYSTEM_ACTOR, datetime.now(UTC), key=key),
            RegisterCapture(
                assignment=source.assignment,
                kind="clip",
                filename=_name(source.filename, clip, fmt),
                content_type=CONTENT_TYPES[fmt],
                size=size,
                sha256=sha256,
                duration=round(seconds, 3),
                source=source.source,
                details={
                    "path": relative,
                    "lineage": Clip.lineage(clip.source, clip.start, clip.end, clip.crop),
                    "clip": str(clip.id),
                    "requested_by": clip.requested_by,
                },
            ),
        )
        return done, "crop" if clip.crop else "copy", seconds

    def _record(self, cid: UUID, capture: UUID, mode: str, seconds: float) -> None:
        try:
            self.newsroom.handle(
                Request(SYSTEM_ACTOR, datetime.now(UTC), key=f"clip-made:{cid}"),
                RecordClipMade(id=cid, capture=capture, mode=mode, duration=round(seconds, 3)),
            )
        except DomainError as error:  # another node recorded it first
            log.info("clip %s: %s", cid, error)

    def _fail(self, cid: UUID, reason: str) -> None:
        try:
            self.newsroom.handle(
                Request(SYSTEM_ACTOR, datetime.now(UTC), key=f"clip-failed:{cid}"),
                RecordClipFailed(id=cid, reason=reason[:2000]),
            )
        except DomainError as error:
            log.info("clip %s: %s", cid, error)


def _checksum(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _name(source: str, clip: Clip, fmt: str) -> str:
    """`levee-12.0-40.5.mp4`, `levee-12.0-40.5-9x16.mp4`: the source's name and the points."""
    stem = Path(source).stem[:180] or "clip"
    crop = "-9x16" if clip.crop else ""
    return f"{stem}-{clip.start:.1f}-{clip.end:.1f}{crop}.{fmt}"


@asynccontextmanager
async def making_clips(
    newsroom: Newsroom, models: ReadModels, *, enabled: bool
) -> AsyncIterator[ClipMaker | None]:
    """Makes clips while the application runs (on a node that does media work)."""
    if not enabled:
        yield None
        return
    maker = ClipMaker(newsroom, models)
    maker.start()
    try:
        yield maker
    finally:
        await maker.close()
