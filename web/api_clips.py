"""Clip requests over the API: what became of each, and how far the one being made has got.

A clip is asked for with `POST /api/clips` (hub/commands/clips.py); it is queued, then working
(with the share made so far, from this node's clip maker), then done (its capture named) or
failed (with the reason). Who reads them: whoever reads the capture library; a reporter, the
clips of their captures and those they asked for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from events.clip import Clip
from web.api_captures import entry as capture_entry
from web.api_queries import own_only
from web.endpoints import Call, Endpoint
from web.schemas import Answer

Shown = Literal["queued", "working", "done", "failed"]
STATES: dict[str, str] = {"requested": "queued", "made": "done", "failed": "failed"}


class ClipQuery(BaseModel):
    source: UUID | None = Field(default=None, description="clips of this capture")
    state: Shown | None = None
    limit: int = Field(default=200, ge=1, le=1000, description="the newest this many")


class ClipItem(Answer):
    id: str
    source: str = Field(description="the capture it is cut from")
    assignment: str | None
    start: float = Field(description="the in point asked for, seconds")
    end: float = Field(description="the out point asked for, seconds")
    crop: str | None = Field(description="9:16, or null for a stream copy")
    state: Shown
    progress: int = Field(description="percent made")
    capture: str | None = Field(description="the clip's own capture, once done")
    reason: str | None = Field(description="why it failed")
    requested_by: str
    requested_at: str
    finished_at: str | None


class Clips(Answer):
    clips: list[ClipItem]


def shown(item: dict[str, Any], working: float | None) -> dict[str, Any]:
    """A clip request as the API shows it: queued, working n %, done or failed."""
    state = STATES[item["state"]]
    if state == "queued" and working is not None:
        state = "working"
    percent = {"done": 100, "working": int((working or 0) * 100)}.get(state, 0)
    return {**item, "state": state, "progress": percent}


def _progress(call: Call) -> Any:
    maker = call.rt.extras.get("clips")
    return maker.progress if maker is not None else (lambda clip: None)


async def list_clips(call: Call) -> dict[str, Any]:
    q: ClipQuery = call.query
    person = own_only(call.principal)
    progress = _progress(call)
    items = await call.read_models(
        lambda m: m.captures.clips(source=str(q.source) if q.source else None, person=person)
    )
    found = [shown(item, progress(item["id"])) for item in items]
    return {"clips": [item for item in found if q.state in (None, item["state"])][: q.limit]}


def entry(call: Call, cid: UUID) -> dict[str, Any]:
    """One clip request from the store (so one just asked for is there at once); refused to a
    reporter unless it is of their capture or theirs."""
    clip = call.newsroom.get(Clip, cid)
    person = own_only(call.principal)
    if person is not None and person != clip.requested_by:
        capture_entry(call, clip.source)  # refuses a capture not theirs (403)
    return {
        "id": str(cid),
        "source": str(clip.source),
        "assignment": str(clip.assignment) if clip.assignment else None,
        "start": clip.start,
        "end": clip.end,
        "crop": clip.crop,
        "requested_by": clip.requested_by,
        "requested_at": _iso(clip.created_on),
        "state": clip.state,
        "capture": str(clip.capture) if clip.capture else None,
        "reason": clip.reason or None,
        "finished_at": None if clip.state == "requested" else _iso(clip.modified_on),
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def get_clip(call: Call) -> dict[str, Any]:
    cid = call.uuid("clip")
    item = await call.read(lambda: entry(call, cid))
    return shown(item, _progress(call)(str(cid)))


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/api/clips",
        list_clips,
        "List clips",
        "clips",
        Clips,
        query=ClipQuery,
        description="Clip requests, newest first, with their state and progress; "
        "a reporter gets those of their captures.",
    ),
    Endpoint(
        "GET",
        "/api/clips/{id}",
        get_clip,
        "Read a clip's progress",
        "clips",
        ClipItem,
        description="queued, working (progress in percent), done (with its capture) "
        "or failed (with the reason).",
    ),
]
