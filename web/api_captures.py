"""The capture library over the API: find uploads and recordings, read one, fetch its bytes.

Editors cut stories from captures, so the whole newsroom may find and fetch them; a reporter
(with no other newsroom role) sees the captures they registered and those of their assignments.
The wall display reads none of them (`own_only` refuses it: web/readers.py). The list comes from
the read model; one capture, and its file, from the store, so a capture just registered is there
at once.

Files live on the media node (recordings) or the node that took the upload, under the data
directory; a node without the file says so (404 `file_elsewhere`). Files are served with
`Range` (players seek, phones resume), the checksum as the ETag, and the capture's own name,
and never as something a browser would run: photos, video and audio inline under the type
their content shows, anything else as a download, and all sandboxed (web/file_types.py).

The library also lists the uploads the newsroom refused, to whoever sent them and to editors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from events.capture import Capture
from events.messages import Message
from events.roles import Role
from hub import queries
from hub.errors import NotFound
from web.answers import CaptureItem, Captures
from web.api_queries import NEWSROOM_WIDE, own_only
from web.endpoints import Call, Endpoint
from web.errors import ApiError
from web.file_types import Served, read_head
from web.ranges import RangedFile
from web.schemas import Answer

FETCHERS = tuple(role for role in NEWSROOM_WIDE if role is not Role.WALL) + (Role.REPORTER,)


class CaptureQuery(BaseModel):
    assignment: UUID | None = None
    kind: Literal["upload", "recording", "clip"] | None = None
    media: Literal["photo", "video", "audio", "document"] | None = Field(
        default=None, description="what its content is"
    )
    story: UUID | None = None
    reporter: str | None = Field(
        default=None, max_length=40, description="the reporter of its assignment, or who made it"
    )
    q: str | None = Field(
        default=None,
        max_length=200,
        description="words, each in its file name, title or notes (case ignored)",
    )
    limit: int = Field(default=200, ge=1, le=1000, description="the newest this many")


class RefusalQuery(BaseModel):
    limit: int = Field(default=200, ge=1, le=1000, description="the newest this many")


class RefusedItem(Answer):
    id: str = Field(description="the upload's id")
    assignment: str | None
    filename: str
    declared_type: str = Field(description="what the sender said it was")
    detected_type: str | None = Field(description="what its content is; null: unrecognised")
    size: int = Field(description="bytes")
    reason: str
    owner: str = Field(description="who sent it")
    refused_at: str


class RefusedUploads(Answer):
    refused: list[RefusedItem]


def public(item: dict[str, Any]) -> dict[str, Any]:
    """A library entry as the API shows it: where to fetch it, not where the node keeps it."""
    shown = {key: value for key, value in item.items() if key != "path"}
    shown["file"] = f"/api/captures/{item['id']}/file"
    return shown


async def list_captures(call: Call) -> dict[str, Any]:
    q: CaptureQuery = call.query
    person = own_only(call.principal)
    items = await call.read_models(
        lambda m: m.captures.listing(
            assignment=str(q.assignment) if q.assignment else None,
            kind=q.kind,
            media=q.media,
            story=str(q.story) if q.story else None,
            reporter=q.reporter,
            words=q.q,
            person=person,
        )[: q.limit]
    )
    return {"captures": [public(item) for item in items]}


def entry(call: Call, cid: UUID) -> dict[str, Any]:
    """One capture from the store, with what the library adds; refused if not the caller's."""
    capture = call.newsroom.get(Capture, cid)
    reporter = None
    if capture.assignment is not None:
        try:
            reporter = queries.assignment_reporter(call.newsroom, capture.assignment)
        except NotFound:
            reporter = None
    person = own_only(call.principal)
    if person is not None and person not in (capture.owner, reporter):
        raise ApiError(
            403,
            "forbidden",
            Message(
                "capture {id} is neither {person}'s nor their assignment's", id=cid, person=person
            ),
        )
    with call.rt.models.reading() as models:
        known = models.captures.get(str(cid))
        stories = list(known["stories"]) if known else []
    return {
        "id": str(cid),
        "assignment": str(capture.assignment) if capture.assignment else None,
        "reporter": reporter,
        "kind": capture.kind,
        "filename": capture.filename,
        "content_type": capture.content_type,
        "size": capture.size,
        "sha256": capture.sha256,
        "duration": capture.duration,
        "source": capture.source,
        "location": capture.location,
        "owner": capture.owner,
        "registered_at": capture.created_on.isoformat().replace("+00:00", "Z"),
        "stories": stories,
        "lineage": capture.details.get("lineage"),
        "path": capture.details.get("path"),
    }


async def list_refused(call: Call) -> dict[str, Any]:
    q: RefusalQuery = call.query
    person = own_only(call.principal)
    items = await call.read_models(lambda m: m.captures.refusals(person=person)[: q.limit])
    return {"refused": items}


async def get_capture(call: Call) -> dict[str, Any]:
    cid = call.uuid("capture")
    return public(await call.read(lambda: entry(call, cid)))


def located(data_dir: Path, recorded: str | None, cid: UUID) -> Path:
    """The capture's file on this node: under the data directory, or an ApiError."""
    if not recorded:
        raise ApiError(404, "file_elsewhere", Message("capture {id} names no file", id=cid))
    root = data_dir.resolve()
    path = (root / recorded).resolve()  # an absolute `recorded` stays as it is
    if not path.is_relative_to(root):
        raise ApiError(
            404, "file_elsewhere", Message("capture {id} is kept outside this hub's data", id=cid)
        )
    if not path.is_file():
        raise ApiError(404, "file_elsewhere", Message("capture {id} is not on this node", id=cid))
    return path


async def get_capture_file(call: Call) -> RangedFile:
    cid = call.uuid("capture")

    def find() -> tuple[dict[str, Any], Path, Served]:
        item = entry(call, cid)
        path = located(call.rt.settings.data_dir, item["path"], cid)
        # Typed again from the content: the registered type of a recording, or of an upload
        # taken before uploads were typed by content, is only what someone said it was.
        return item, path, Served.of(read_head(path))

    item, path, served = await call.read(find)
    return RangedFile(
        path,
        media_type=served.media_type,
        headers={
            "ETag": f'"{item["sha256"]}"',
            "Cache-Control": "private, max-age=3600",
            **served.headers(item["filename"]),
        },
    )


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/api/captures",
        list_captures,
        "List captures",
        "captures",
        Captures,
        query=CaptureQuery,
        description="Uploads, recordings and clips, newest first; a reporter gets their own "
        "only. Filters: assignment, kind, media, story, reporter and words (`q`).",
    ),
    Endpoint(
        "GET",
        "/api/captures/refused",
        list_refused,
        "List refused uploads",
        "captures",
        RefusedUploads,
        query=RefusalQuery,
        description="Uploads the newsroom did not keep, and why, newest first; "
        "a reporter gets their own only.",
    ),
    Endpoint("GET", "/api/captures/{id}", get_capture, "Read a capture", "captures", CaptureItem),
    Endpoint(
        "GET",
        "/api/captures/{id}/file",
        get_capture_file,
        "Fetch a capture's file",
        "captures",
        roles=FETCHERS,
        streams=("*/*",),
        description="The bytes, with Range; 404 file_elsewhere on a node that does not keep it. "
        "Photos, video and audio come inline; anything else as an attachment.",
    ),
]
