"""The end of an upload: what the file is, by its content, and whether the newsroom keeps it.

When the last byte is in, the file's first bytes name its type (web/file_types.py). A type the
newsroom keeps (events/capture.py) becomes a Capture under that type, whatever the file is called
or was declared as. Any other is refused: the refusal is recorded (the capture library lists
it), the file is deleted, and the uploader is told why (422 `upload_refused` now, 410 to any
later request for the upload). Both are commands keyed by the upload's id, so a last PATCH that
is sent again registers, or refuses, once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from starlette.concurrency import run_in_threadpool

from events.capture import refusal
from events.messages import Message
from events.roles import Actor
from hub.commands.stories import RefuseUpload, RegisterCapture
from hub.newsroom import Done
from hub.newsroom import Request as Command
from hub.principals import Principal
from web.endpoints import execute
from web.errors import ApiError
from web.file_types import content_type
from web.runtime import Runtime
from web.upload_files import Upload, UploadFiles


def refused(upload: Upload, status: int = 410) -> ApiError:
    """The answer about a refused upload: why, and what its content turned out to be."""
    return ApiError(
        status,
        "upload_refused",
        Message(
            "{filename} was not kept: {reason}", filename=upload.filename, reason=upload.refused
        ),
        detected_type=upload.detected_type,
    )


async def finish(
    rt: Runtime, principal: Principal, files: UploadFiles, upload: Upload
) -> dict[str, str]:
    """Keeps the file as a capture (answering its id and checksum) or refuses it (ApiError)."""
    if upload.capture is None:
        detected = content_type(await run_in_threadpool(files.head, upload.id))
        command = Command(_uploader(rt, principal, upload), datetime.now(UTC), key=_key(upload))
        reason = refusal(detected)
        if reason is not None:
            await execute(rt, command, lambda r: _refuse(rt, r, upload, detected))
            await run_in_threadpool(files.refuse, upload, detected, reason)
            raise refused(upload, 422)
        assert detected is not None  # refusal() refuses what it cannot name
        upload.sha256 = await run_in_threadpool(files.checksum, upload.id)
        done = await execute(rt, command, lambda r: _register(rt, r, upload, detected))
        upload.capture = str(done.id)
        await run_in_threadpool(files.save, upload)
    return {"Capture-Id": upload.capture, "Upload-Checksum-Sha256": upload.sha256 or ""}


def _uploader(rt: Runtime, principal: Principal, upload: Upload) -> Actor:
    """The capture (or the refusal) is the uploader's, whoever sent the last byte."""
    owner = rt.models.directory.people.get(upload.owner)
    return Actor(owner.name, owner.roles) if owner is not None else principal.actor


def _key(upload: Upload) -> str:
    return f"upload:{upload.id}"


def _register(rt: Runtime, command: Command, upload: Upload, detected: str) -> Done:
    assert upload.sha256 is not None
    return rt.newsroom.handle(
        command,
        RegisterCapture(
            assignment=UUID(upload.assignment) if upload.assignment else None,
            kind="upload",
            filename=upload.filename,
            content_type=detected,
            size=upload.length,
            sha256=upload.sha256,
            details={
                "upload": upload.id,
                "path": f"uploads/{upload.id}.data",
                "declared_type": upload.filetype,
            },
        ),
    )


def _refuse(rt: Runtime, command: Command, upload: Upload, detected: str | None) -> Done:
    return rt.newsroom.handle(
        command,
        RefuseUpload(
            upload=UUID(upload.id),
            assignment=UUID(upload.assignment) if upload.assignment else None,
            filename=upload.filename,
            declared_type=upload.filetype,
            detected_type=detected,
            size=upload.length,
        ),
    )
