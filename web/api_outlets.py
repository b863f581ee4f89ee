"""Reads of delivery: the outlets (admins) and the submissions other hubs sent (the desk).

The commands (add, change, deactivate an outlet; register an origin; decide on a submission)
are declared in hub/commands/outlets.py and hub/commands/submissions.py.
"""

from __future__ import annotations

from typing import Any

from events.roles import Role
from events.submission import DECIDERS
from hub.delivery import listing
from hub.readers import DESK
from web.endpoints import Call, Endpoint
from web.schemas import Answer


class OutletItem(Answer):
    name: str
    kind: str
    channel: str | None
    url: str
    active: bool
    added_at: str


class Outlets(Answer):
    outlets: list[OutletItem]


class SubmissionItem(Answer):
    id: str
    origin: str
    headline: str
    body: str
    uri: str
    publication: int
    received_at: str
    state: str
    reason: str | None
    decided_by: str | None
    renditions: list[str]


class Submissions(Answer):
    submissions: list[SubmissionItem]


async def list_outlets(call: Call) -> dict[str, Any]:
    return {"outlets": await call.read(lambda: listing.outlets(call.newsroom))}


async def list_submissions(call: Call) -> dict[str, Any]:
    return {"submissions": await call.read(lambda: listing.submissions(call.newsroom))}


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET", "/api/outlets", list_outlets, "List outlets", "outlets", Outlets, roles=(Role.ADMIN,)
    ),
    Endpoint(
        "GET",
        "/api/submissions",
        list_submissions,
        "List submissions from other hubs",
        "submissions",
        Submissions,
        roles=tuple(dict.fromkeys((*DECIDERS, *DESK))),
    ),
]
