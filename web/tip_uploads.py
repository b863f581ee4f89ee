"""A citizen's photos and video for a tip, at /tip/uploads: tus 1.0.0 core with creation, as
/api/uploads speaks it, for anonymous senders, with stricter limits.

An upload's id (128 random bits) is all that names it: whoever holds it may continue it, no one
can list them. Limits: HUB_TIP_UPLOAD_MAX_BYTES per file (50 MiB by default), a few uploads per
address per hour, and only photos and videos by their content's signature (JPEG, PNG, WebP,
HEIC, MP4, QuickTime, WebM): anything else is deleted when its last byte arrives (422, then 410).
An upload no lead names is deleted a day after its last byte (`sweep`, hourly).
The files live in `<data>/tips/`, apart from the newsroom's captures, and are served to the desk
only, as attachments under a sandbox (web/api_leads.py): untrusted content never runs here.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from events.messages import Message
from hub.commands.leads import Attachment
from web.errors import ApiError
from web.file_types import content_type
from web.runtime import Runtime, runtime
from web.security import client_address
from web.throttle import LoginThrottle
from web.upload_files import Upload, UploadFiles
from web.uploads import TUS_VERSION, _append, _bytes_header, parse_metadata, tus

log = logging.getLogger(__name__)
DEFAULT_MAX_BYTES = 50 * 1024**2
KEEP_UNSENT = 24 * 3600.0  # an upload no tip names is deleted after a day
SWEEP_EVERY = 3600.0
UPLOADS_PER_HOUR = 20
TIP_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "video/mp4",
        "video/quicktime",
        "video/webm",
    }
)
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
PUBLIC_OWNER = "public"


class TipUploads:
    """The tip uploads of one hub: the folder, the limits, one writer per upload."""

    def __init__(self, rt: Runtime) -> None:
        self.files = UploadFiles(rt.settings.data_dir / "tips")
        self.max_bytes = int(os.environ.get("HUB_TIP_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))
        self.starts = LoginThrottle(attempts=UPLOADS_PER_HOUR, window=3600.0)
        self.busy: set[str] = set()


def tip_uploads_of(rt: Runtime) -> TipUploads:
    if rt.tip_uploads is None:
        rt.tip_uploads = TipUploads(rt)
    return rt.tip_uploads


@tus
async def options(request: Request) -> Response:
    limit = tip_uploads_of(runtime(request)).max_bytes
    headers = {"Tus-Version": TUS_VERSION, "Tus-Max-Size": str(limit), "Tus-Extension": "creation"}
    return Response(status_code=204, headers=headers)


@tus
async def create(request: Request) -> Response:
    uploads = tip_uploads_of(runtime(request))
    address = client_address(request)
    wait = uploads.starts.wait(address)
    if wait:
        words = Message("too many uploads; try again in {seconds} s", seconds=wait)
        raise ApiError(429, "too_many_uploads", words, headers={"Retry-After": str(wait)})
    length = _bytes_header(request, "Upload-Length")
    if length == 0 or length > uploads.max_bytes:
        words = Message("a photo or video is 1 to {limit} bytes", limit=uploads.max_bytes)
        raise ApiError(413, "upload_too_large", words)
    metadata = parse_metadata(request.headers.get("upload-metadata", ""))
    filetype = metadata.get("filetype", "")
    if filetype and not filetype.startswith(("image/", "video/")):
        raise ApiError(415, "not_media", "only photos and videos may be sent with a tip")
    uploads.starts.failed(address)  # counts the start
    upload = await run_in_threadpool(
        uploads.files.create,
        owner=PUBLIC_OWNER,
        length=length,
        filename="tip",
        filetype=filetype[:100] or "application/octet-stream",
        assignment=None,
        metadata="",
    )
    headers = {"Location": f"/tip/uploads/{upload.id}", "Upload-Offset": "0"}
    return Response(status_code=201, headers=headers)


async def _found(request: Request) -> tuple[TipUploads, Upload]:
    uploads = tip_uploads_of(runtime(request))
    upload_id = str(request.path_params["upload_id"])
    upload = await run_in_threadpool(uploads.files.find, upload_id)
    if upload is None:
        raise ApiError(404, "not_found", Message("no upload '{id}'", id=upload_id))
    if upload.refused is not None:
        raise ApiError(410, "upload_refused", Message("upload {id} was refused", id=upload_id))
    return uploads, upload


@tus
async def head(request: Request) -> Response:
    uploads, upload = await _found(request)
    offset = await run_in_threadpool(uploads.files.offset, upload.id)
    return Response(
        status_code=200,
        headers={"Upload-Offset": str(offset), "Upload-Length": str(upload.length)},
    )


@tus
async def patch(request: Request) -> Response:
    uploads, upload = await _found(request)
    if request.headers.get("content-type") != "application/offset+octet-stream":
        raise ApiError(415, "bad_content_type", "send application/offset+octet-stream")
    sent = _bytes_header(request, "Upload-Offset")
    if upload.id in uploads.busy:
        raise ApiError(409, "busy", Message("upload {id} is being written", id=upload.id))
    uploads.busy.add(upload.id)
    try:
        offset = await run_in_threadpool(uploads.files.offset, upload.id)
        if sent != offset:
            words = Message(
                "upload {id} is at offset {offset}, not {sent}",
                id=upload.id,
                offset=offset,
                sent=sent,
            )
            raise ApiError(409, "offset_mismatch", words)
        offset = await _append(request, uploads, upload, offset)  # type: ignore[arg-type]
        if offset == upload.length:
            await run_in_threadpool(_finish, uploads.files, upload)
        return Response(status_code=204, headers={"Upload-Offset": str(offset)})
    finally:
        uploads.busy.discard(upload.id)


def _finish(files: UploadFiles, upload: Upload) -> None:
    """Keeps a photo or a video; deletes anything else, then says why."""
    detected = content_type(files.head(upload.id))
    if detected not in TIP_TYPES:
        files.refuse(upload, detected, "not a photo or a video")
        raise ApiError(422, "not_media", "only photos and videos may be sent with a tip")
    upload.detected_type = detected
    upload.sha256 = files.checksum(upload.id)
    files.save(upload)


async def attachments_for(rt: Runtime, raw: str) -> list[Attachment]:
    """The finished uploads a form names (`id,id`); ValueError for any other."""
    names = [part.strip().rsplit("/", 1)[-1] for part in raw.split(",") if part.strip()]
    if len(names) > 6:
        raise ValueError("at most 6 files")
    files = tip_uploads_of(rt).files
    found: list[Attachment] = []
    for name in dict.fromkeys(names):
        upload = await run_in_threadpool(files.find, name) if UPLOAD_ID.match(name) else None
        if upload is None or upload.sha256 is None or upload.detected_type is None:
            raise ValueError(f"upload {name[:40]} is not a finished photo or video")
        found.append(
            Attachment(
                id=upload.id,
                content_type=upload.detected_type,
                size=upload.length,
                sha256=upload.sha256,
            )
        )
    return found


def sweep(files: UploadFiles, attached: set[str], now: float) -> int:
    """Deletes uploads untouched for a day that no lead names (abandoned forms, refusals)."""
    if not files.folder.exists():
        return 0
    gone = 0
    for record in files.folder.glob("*.json"):
        upload_id = record.stem
        if upload_id in attached or not UPLOAD_ID.match(upload_id):
            continue
        data = files.data_path(upload_id)
        touched = max(record.stat().st_mtime, data.stat().st_mtime if data.exists() else 0.0)
        if now - touched > KEEP_UNSENT:
            files.delete(upload_id)
            gone += 1
    return gone


async def sweeping(rt: Runtime) -> None:
    """Sweeps the tip uploads every hour, for as long as the hub runs."""
    while True:
        await asyncio.sleep(SWEEP_EVERY)
        with rt.models.reading() as models:
            attached = {a["id"] for lead in models.leads.leads() for a in lead["attachments"]}
        try:
            await run_in_threadpool(sweep, tip_uploads_of(rt).files, attached, time.time())
        except OSError:
            log.exception("sweeping tip uploads failed")


async def item(request: Request) -> Response:
    handlers = {"HEAD": head, "PATCH": patch, "OPTIONS": options}
    return await handlers[request.method](request)


async def root(request: Request) -> Response:
    return await (create if request.method == "POST" else options)(request)


routes: list[BaseRoute] = [
    Route("/tip/uploads", root, methods=["OPTIONS", "POST"]),
    Route("/tip/uploads/{upload_id}", item, methods=["HEAD", "PATCH", "OPTIONS"]),
]
