"""Resumable uploads at /api/uploads: the tus 1.0.0 core protocol, with creation and termination.

OPTIONS tells the protocol and the size limit; POST (Upload-Length, Upload-Metadata with base64
`filename`, `filetype`, `assignment`) creates an upload; HEAD says how many bytes are in
(Upload-Offset), so a client resumes after a dropped connection; PATCH appends at that offset
(409 if it is not the offset); DELETE abandons. When the last byte arrives, the file's SHA-256 is
typed by its content and either registered as a Capture (kind "upload"), whose id comes back in
`Capture-Id`, or refused (422, then 410; see web/upload_finish.py).

Only the uploader, a technician or an admin may look at or continue an upload. The size limit is
HUB_UPLOAD_MAX_BYTES (2 GiB by default).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import os
import re
from collections.abc import Awaitable, Callable
from typing import BinaryIO
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from events.assignment import Assignment
from events.errors import DomainError
from events.messages import Message
from events.roles import Role
from hub.errors import HubError
from hub.principals import Principal
from web.auth import authenticate_person, authenticate_writer
from web.bodies import BYTE_COUNT
from web.errors import ApiError, on_domain_error, refusal_response
from web.runtime import Runtime, runtime
from web.schemas import LINE
from web.upload_files import Upload, UploadFiles
from web.upload_finish import finish, refused

TUS_VERSION = "1.0.0"
OFFSET_TYPE = "application/offset+octet-stream"
DEFAULT_MAX_BYTES = 2 * 1024**3
UPLOADERS = (Role.REPORTER, Role.TECHNICIAN, Role.EDITOR)
STAFF = (Role.TECHNICIAN,)  # beside the uploader, who may see and continue any upload
CLEAN_LINE = re.compile(LINE)
BUSY_WAIT = 5.0  # a resumed PATCH waits this long for a dropped one to notice its end


class Uploads:
    """One hub's uploads: the folder, the size limit, and a lock per upload being written."""

    def __init__(self, rt: Runtime) -> None:
        self.files = UploadFiles(rt.settings.data_dir / "uploads")
        self.max_bytes = int(os.environ.get("HUB_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))
        self.locks: dict[str, asyncio.Lock] = {}

    def lock(self, upload_id: str) -> asyncio.Lock:
        return self.locks.setdefault(upload_id, asyncio.Lock())


def uploads_of(rt: Runtime) -> Uploads:
    if rt.uploads is None:
        rt.uploads = Uploads(rt)
    return rt.uploads


def tus(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """Answers with Tus-Resumable on every response, refusals included (tus 1.0.0 §3.2)."""

    async def answer(request: Request) -> Response:
        try:
            if request.method != "OPTIONS":
                _check_version(request)
            response = await handler(request)
        except ApiError as refusal:
            response = refusal_response(request, refusal)
        except (DomainError, HubError) as refusal:
            response = await on_domain_error(request, refusal)
        response.headers["Tus-Resumable"] = TUS_VERSION
        response.headers["Cache-Control"] = "no-store"
        return response

    answer.__name__ = handler.__name__
    return answer


def _check_version(request: Request) -> None:
    sent = request.headers.get("tus-resumable")
    if sent != TUS_VERSION:
        raise ApiError(
            412,
            "tus_version",
            Message(
                "this server speaks tus {version}, not {sent}",
                version=TUS_VERSION,
                sent=sent or Message("no version"),
            ),
            headers={"Tus-Version": TUS_VERSION},
        )


def parse_metadata(raw: str) -> dict[str, str]:
    """`key base64,key base64,key` (tus 1.0.0, Upload-Metadata)."""
    found: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in raw.split(","))):
        key, _, value = pair.partition(" ")
        try:
            found[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            words = Message("Upload-Metadata '{key}' is not base64", key=key)
            raise ApiError(400, "bad_header", words) from None
    return found


def _bytes_header(request: Request, name: str) -> int:
    """A count of bytes from a header: tus 1.0.0 says a non-negative integer, in ASCII digits."""
    raw = request.headers.get(name, "")
    if not BYTE_COUNT.fullmatch(raw):
        words = Message("{name} must be a whole number of bytes (18 digits)", name=name)
        raise ApiError(400, "bad_header", words)
    return int(raw)


def _length(request: Request, limit: int) -> int:
    length = _bytes_header(request, "Upload-Length")
    if length > limit:
        words = Message("uploads are limited to {limit} bytes", limit=limit)
        raise ApiError(413, "upload_too_large", words)
    return length


# -- the protocol --------------------------------------------------------------------------------


@tus
async def options(request: Request) -> Response:
    limit = uploads_of(runtime(request)).max_bytes
    headers = {
        "Tus-Version": TUS_VERSION,
        "Tus-Max-Size": str(limit),
        "Tus-Extension": "creation,termination",
    }
    return Response(status_code=204, headers=headers)


@tus
async def create(request: Request) -> Response:
    rt = runtime(request)
    principal = authenticate_writer(request, rt.models.directory)
    if not principal.has(*UPLOADERS):
        words = Message("{name} may not upload captures", name=principal.name)
        raise ApiError(403, "forbidden", words)
    uploads = uploads_of(rt)
    length = _length(request, uploads.max_bytes)
    raw_metadata = request.headers.get("upload-metadata", "")
    metadata = parse_metadata(raw_metadata)
    assignment = await _assignment(rt, principal, metadata.get("assignment"))
    filename = metadata.get("filename", "").strip() or "upload"
    if len(filename) > 255 or not CLEAN_LINE.match(filename + metadata.get("filetype", "")):
        raise ApiError(422, "invalid", "the file name or type is too long or holds control codes")
    upload = await run_in_threadpool(
        uploads.files.create,
        owner=principal.name,
        length=length,
        filename=filename,
        filetype=metadata.get("filetype", "").strip()[:100] or "application/octet-stream",
        assignment=assignment,
        metadata=raw_metadata,
    )
    headers = {"Location": f"/api/uploads/{upload.id}", "Upload-Offset": "0"}
    if length == 0:
        headers.update(await _finish(request, rt, principal, upload))
    return Response(status_code=201, headers=headers)


async def _assignment(rt: Runtime, principal: Principal, raw: str | None) -> str | None:
    """The assignment the upload is for: it must exist, and be the reporter's own."""
    if not raw:
        return None
    try:
        assignment_id = UUID(raw)
    except ValueError:
        raise ApiError(404, "not_found", Message("no assignment '{id}'", id=raw)) from None
    found = await run_in_threadpool(rt.newsroom.get, Assignment, assignment_id)
    if (
        principal.has(Role.DISPATCHER, Role.EDITOR, Role.TECHNICIAN)
        or found.reporter == principal.name
    ):
        return str(assignment_id)
    words = Message("assignment {id} is not {person}'s", id=assignment_id, person=principal.name)
    raise ApiError(403, "forbidden", words)


async def _mine(request: Request, *, writing: bool) -> tuple[Runtime, Principal, Upload]:
    """The upload named in the path, if the caller may see (or continue) it."""
    rt = runtime(request)
    authenticate = authenticate_writer if writing else authenticate_person
    principal = authenticate(request, rt.models.directory)
    upload_id = request.path_params["upload_id"]
    upload = await run_in_threadpool(uploads_of(rt).files.find, upload_id)
    if upload is None:
        raise ApiError(404, "not_found", Message("no upload '{id}'", id=upload_id))
    if upload.owner != principal.name and not principal.has(*STAFF):
        words = Message("upload {id} is {person}'s", id=upload_id, person=upload.owner)
        raise ApiError(403, "forbidden", words)
    if upload.refused is not None:
        raise refused(upload)
    return rt, principal, upload


async def _offset_of(uploads: Uploads, upload_id: str) -> int:
    """Its offset; 410 if it was refused (and its data deleted) while the caller waited."""
    found = await run_in_threadpool(uploads.files.find, upload_id)
    if found is not None and found.refused is not None:
        raise refused(found)
    return await run_in_threadpool(uploads.files.offset, upload_id)


def _state_headers(upload: Upload, offset: int) -> dict[str, str]:
    headers = {"Upload-Offset": str(offset), "Upload-Length": str(upload.length)}
    if upload.metadata:
        headers["Upload-Metadata"] = upload.metadata
    if upload.capture:
        headers["Capture-Id"] = upload.capture
    return headers


@tus
async def head(request: Request) -> Response:
    """The offset, once a PATCH still being written (say, of a dropped connection) is done."""
    rt, _, upload = await _mine(request, writing=False)
    uploads = uploads_of(rt)
    lock = uploads.lock(upload.id)
    try:
        await asyncio.wait_for(lock.acquire(), BUSY_WAIT)
    except TimeoutError:  # a connection that vanished without a word: say what is in so far
        offset = await _offset_of(uploads, upload.id)
    else:
        try:
            offset = await _offset_of(uploads, upload.id)
            fresh = await run_in_threadpool(uploads.files.find, upload.id)
            upload = fresh or upload
        finally:
            lock.release()
    return Response(status_code=200, headers=_state_headers(upload, offset))


@tus
async def patch(request: Request) -> Response:
    if request.headers.get("content-type", "").split(";")[0].strip() != OFFSET_TYPE:
        words = Message("PATCH sends {type}", type=OFFSET_TYPE)
        raise ApiError(415, "unsupported_media_type", words)
    sent_offset = _bytes_header(request, "Upload-Offset")
    rt, principal, upload = await _mine(request, writing=True)
    uploads = uploads_of(rt)
    lock = uploads.lock(upload.id)
    try:
        await asyncio.wait_for(lock.acquire(), BUSY_WAIT)
    except TimeoutError:
        words = Message("upload {id} is being written", id=upload.id)
        raise ApiError(409, "upload_busy", words) from None
    try:
        offset = await _offset_of(uploads, upload.id)
        if sent_offset != offset:
            raise ApiError(
                409,
                "offset_mismatch",
                Message(
                    "upload {id} is at offset {offset}, not {sent}",
                    id=upload.id,
                    offset=offset,
                    sent=sent_offset,
                ),
            )
        offset = await _append(request, uploads, upload, offset)
        headers = {"Upload-Offset": str(offset)}
        if offset == upload.length:
            headers.update(await _finish(request, rt, principal, upload))
        return Response(status_code=204, headers=headers)
    finally:
        lock.release()


async def _append(request: Request, uploads: Uploads, upload: Upload, offset: int) -> int:
    """Writes the body as it arrives; what arrived before a dropped connection stays."""
    path = uploads.files.data_path(upload.id)
    file: BinaryIO = await run_in_threadpool(path.open, "ab")
    try:
        async for chunk in request.stream():
            if offset + len(chunk) > upload.length:
                words = Message("upload {id} is {length} bytes", id=upload.id, length=upload.length)
                raise ApiError(400, "past_the_end", words)
            await run_in_threadpool(_write, file, chunk)
            offset += len(chunk)
    except ClientDisconnect:
        pass  # the connection dropped: the bytes that came are kept, HEAD tells the client
    finally:
        await run_in_threadpool(file.close)
    return offset


def _write(file: BinaryIO, chunk: bytes) -> None:
    file.write(chunk)
    file.flush()


async def _finish(
    request: Request, rt: Runtime, principal: Principal, upload: Upload
) -> dict[str, str]:
    """Keeps the file as a capture or refuses it, by its content (web/upload_finish.py)."""
    uploads = uploads_of(rt)
    try:
        return await finish(rt, principal, uploads.files, upload)
    finally:
        if upload.capture is not None or upload.refused is not None:
            uploads.locks.pop(upload.id, None)


@tus
async def delete(request: Request) -> Response:
    rt, _, upload = await _mine(request, writing=True)
    if upload.capture is not None:
        words = Message("upload {id} is capture {capture}", id=upload.id, capture=upload.capture)
        raise ApiError(409, "upload_complete", words)
    uploads = uploads_of(rt)
    async with uploads.lock(upload.id):
        await run_in_threadpool(uploads.files.delete, upload.id)
    uploads.locks.pop(upload.id, None)
    return Response(status_code=204)


async def item(request: Request) -> Response:
    handlers = {"HEAD": head, "PATCH": patch, "DELETE": delete, "OPTIONS": options}
    return await handlers[request.method](request)


async def root(request: Request) -> Response:
    return await (create if request.method == "POST" else options)(request)


routes: list[BaseRoute] = [
    Route("/api/uploads", root, methods=["OPTIONS", "POST"]),
    Route("/api/uploads/{upload_id}", item, methods=["HEAD", "PATCH", "DELETE", "OPTIONS"]),
]
