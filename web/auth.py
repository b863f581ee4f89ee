"""Who is calling: bearer tokens (devices, scripts, the wall) and signed sessions (people).

A request with `Authorization: Bearer <token>` is judged by the token alone (the session cookie is
then ignored); otherwise the signed session cookie set at sign-in names the person. Either way the
roles come from the directory as it is now, so a changed role or a deactivated person takes effect
at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from events.roles import Actor, Role
from hub.credentials import hash_token
from projections.directory import Directory
from web.errors import ApiError

SESSION_TOUCH_SECONDS = 3600  # re-sign a session cookie at most hourly: sessions roll while used

# Where a person lands after signing in, by the first role that has a page of its own.
HOME_PAGES: tuple[tuple[tuple[Role, ...], str], ...] = (
    ((Role.REPORTER,), "/reporter"),
    ((Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR), "/review"),
    ((Role.WALL,), "/wall"),
    ((Role.AUDITOR,), "/audit"),
)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a person (with roles) or a live source's device."""

    kind: str  # "user" | "source"
    name: str
    roles: frozenset[str]
    via: str  # "token" | "session"

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.roles)

    def has(self, *roles: Role) -> bool:
        return self.actor.has(*roles)

    @property
    def read_only(self) -> bool:
        """Devices and wall displays change nothing through the API."""
        return self.kind != "user" or self.roles <= {Role.WALL.value}

    @property
    def home(self) -> str:
        return home_page(self.roles)


def home_page(roles: frozenset[str]) -> str:
    for wanted, page in HOME_PAGES:
        if any(role.value in roles for role in wanted):
            return page
    return "/console"


def bearer_token(conn: HTTPConnection) -> str | None:
    header = conn.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def principal_from_token(directory: Directory, token: str) -> Principal | None:
    found = directory.bearer(hash_token(token))
    if found is None:
        return None
    kind, name = found
    if kind == "source":
        return Principal("source", name, frozenset(), "token")
    return Principal("user", name, directory.people[name].roles, "token")


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


def active_person(directory: Directory, name: str) -> Principal | None:
    """The person a verified session names, if they exist and are active."""
    person = directory.people.get(name)
    if person is None or not person.active:
        return None
    return Principal("user", person.name, person.roles, "session")


def authenticate(conn: HTTPConnection, directory: Directory) -> Principal:
    """Returns the caller, or refuses with 401."""
    token = bearer_token(conn)
    if token is not None:
        principal = principal_from_token(directory, token)
        if principal is None:
            raise ApiError(401, "unauthenticated", "the bearer token is not valid")
        return principal
    principal = principal_from_session(conn, directory)
    if principal is not None:
        return principal
    raise ApiError(
        401,
        "unauthenticated",
        "sign in, or send Authorization: Bearer <token>",
        headers={"WWW-Authenticate": "Bearer"},
    )


def authenticate_person(conn: HTTPConnection, directory: Directory) -> Principal:
    """Returns the calling person (not a device), or refuses with 401/403."""
    principal = authenticate(conn, directory)
    if principal.kind != "user":
        raise ApiError(403, "forbidden", f"source {principal.name}'s token only publishes video")
    return principal


def authenticate_writer(conn: HTTPConnection, directory: Directory) -> Principal:
    """Returns a caller who may change things: refuses devices and wall displays with 403."""
    principal = authenticate_person(conn, directory)
    if principal.read_only:
        raise ApiError(
            403, "read_only", f"{principal.name} is a read-only display and may not change anything"
        )
    return principal


def require(principal: Principal, *roles: Role, doing: str) -> None:
    """Refuses with 403 unless the caller holds one of the roles (admins hold all)."""
    if principal.kind != "user" or not principal.has(*roles):
        wanted = " or ".join(r.value for r in roles)
        raise ApiError(403, "forbidden", f"{principal.name} may not {doing}: it needs {wanted}")
