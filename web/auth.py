"""Who is calling: bearer tokens (devices, scripts, the wall) and signed sessions (people).

A request that presents an Authorization header is judged by that header alone, and the session
cookie is then ignored: a well-formed `Bearer <token>` of a known token names the caller, and any
other header (empty, malformed, another scheme, an unknown token) is 401. Only a request without
the header is judged by the signed session cookie set at sign-in. `authorization` is the one
reading of the header, shared by authentication, the CSRF check and the live media routes. Either
way the roles come from the directory as it is now, so a changed role or a deactivated person
takes effect at once.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection

from events.messages import Message, either
from events.roles import Role
from hub.principals import Principal, active_person, principal_from_token
from projections.directory import Directory
from web.errors import ApiError

SESSION_TOUCH_SECONDS = 3600  # re-sign a session cookie at most hourly: sessions roll while used
# RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token (the scheme is case-insensitive).
BEARER = re.compile(r"(?i:bearer) +([A-Za-z0-9._~+/-]+=*)")

# Where a person lands after signing in, by the first role that has a page of its own.
HOME_PAGES: tuple[tuple[tuple[Role, ...], str], ...] = (
    ((Role.REPORTER,), "/reporter"),
    ((Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR), "/review"),
    ((Role.WALL,), "/wall"),
    ((Role.AUDITOR,), "/audit"),
)


def home_page(roles: frozenset[str]) -> str:
    for wanted, page in HOME_PAGES:
        if any(role.value in roles for role in wanted):
            return page
    return "/console"


@dataclass(frozen=True, slots=True)
class Presented:
    """What a request's Authorization header presents: a bearer token, or None if it is unusable."""

    token: str | None


def authorization(headers: Headers) -> Presented | None:
    """None when the request has no Authorization header; else what the header presents."""
    values = headers.getlist("authorization")
    if not values:
        return None
    found = BEARER.fullmatch(values[0]) if len(values) == 1 else None
    return Presented(found.group(1) if found else None)


def principal_from_session(conn: HTTPConnection, directory: Directory) -> Principal | None:
    """The signed-in person, if the session cookie names an active one."""
    session = conn.scope.get("session")
    if not session:
        return None
    principal = active_person(directory, session.get("user") or "")
    if principal is None:
        return None
    now = int(time.time())
    if now - int(session.get("seen", 0)) >= SESSION_TOUCH_SECONDS:
        session["seen"] = now
    return principal


def authenticate(conn: HTTPConnection, directory: Directory) -> Principal:
    """Returns the caller, or refuses with 401."""
    presented = authorization(conn.headers)
    if presented is not None:
        return by_token(directory, presented)
    principal = principal_from_session(conn, directory)
    if principal is not None:
        return principal
    raise ApiError(
        401,
        "unauthenticated",
        "sign in, or send Authorization: Bearer <token>",
        headers={"WWW-Authenticate": "Bearer"},
    )


def by_token(directory: Directory, presented: Presented) -> Principal:
    """The holder of the presented token; 401 for a malformed header or an unknown token."""
    challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    if presented.token is None:
        raise ApiError(
            401,
            "unauthenticated",
            "the Authorization header must be Bearer <token>",
            headers=challenge,
        )
    principal = principal_from_token(directory, presented.token)
    if principal is None:
        raise ApiError(401, "unauthenticated", "the bearer token is not valid", headers=challenge)
    return principal


def authenticate_person(conn: HTTPConnection, directory: Directory) -> Principal:
    """Returns the calling person (not a device), or refuses with 401/403."""
    principal = authenticate(conn, directory)
    if principal.kind != "user":
        raise ApiError(
            403,
            "forbidden",
            Message("source {name}'s token only publishes video", name=principal.name),
        )
    return principal


def authenticate_writer(conn: HTTPConnection, directory: Directory) -> Principal:
    """Returns a caller who may change things: refuses devices and wall displays with 403."""
    principal = authenticate_person(conn, directory)
    if principal.read_only:
        raise ApiError(
            403,
            "read_only",
            Message(
                "{name} is a read-only display and may not change anything", name=principal.name
            ),
        )
    return principal


def require(principal: Principal, *roles: Role, doing: str) -> None:
    """Refuses with 403 unless the caller holds one of the roles (admins hold all); `doing` is a
    message id saying what the caller may not do."""
    if principal.kind != "user" or not principal.has(*roles):
        raise ApiError(403, "forbidden", not_permitted(principal.name, doing, roles))


def not_permitted(name: str, doing: str, roles: tuple[Role, ...]) -> Message:
    return Message(
        "{actor} may not {doing}: it needs the role {role}",
        actor=name,
        doing=Message(doing),
        role=either([r.value for r in roles]),
    )
