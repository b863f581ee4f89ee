"""Sessions, CSRF protection and sign-in (/api/login, /login, /logout, /api/session, /api/me).

People sign in with a name and password (argon2) and get a signed session cookie; devices and
scripts send bearer tokens. A wall display trades its read-only token for a cookie once
(POST /api/session), since browsers cannot put an Authorization header on a WebSocket.
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from events.messages import Message
from hub.config import Settings
from hub.principals import Principal
from web.auth import authenticate, authenticate_person, home_page
from web.bodies import BodyLimitMiddleware, read_body
from web.csrf import CsrfMiddleware, csrf_token
from web.errors import ApiError
from web.metrics import MetricsMiddleware
from web.runtime import Runtime, runtime
from web.security_headers import SecurityHeadersMiddleware
from web.throttle import LoginThrottle

SESSION_COOKIE = "hub_session"
SESSION_MAX_AGE = 14 * 24 * 3600  # idle lifetime: the cookie is re-signed while in use
SECRET_FILE = "secret.key"


class Login(BaseModel):
    """A person's name and password."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    """The caller, where their pages start, and (with a session) the token for writes."""

    name: str
    display_name: str
    roles: list[str]
    home: str
    via: str = Field(description="token or session")
    read_only: bool
    csrf_token: str | None = Field(
        description="send it as X-CSRF-Token on writes made with the session cookie"
    )


# -- the secret and the middleware ---------------------------------------------------------------


def secret_key(settings: Settings) -> str:
    """HUB_SECRET_KEY, or a key made once in the data folder (readable by the hub's user only)."""
    configured = os.environ.get("HUB_SECRET_KEY", "").strip()
    if configured:
        return configured
    path = settings.ensure_data_dir() / SECRET_FILE
    if not path.exists():
        _create_secret(path)
    return path.read_text().strip()


def _create_secret(path: Path) -> None:
    """Writes the key beside, then links it into place: a racing hub never reads half a key."""
    draft = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()


class SessionCookies:
    """Starlette's signed-cookie sessions, with the Secure flag on connections made over TLS."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        options: dict[str, Any] = {
            "secret_key": secret,
            "session_cookie": SESSION_COOKIE,
            "max_age": SESSION_MAX_AGE,
            "same_site": "lax",
        }
        self.plain = SessionMiddleware(app, https_only=False, **options)
        self.secure = SessionMiddleware(app, https_only=True, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tls = scope.get("scheme") in ("https", "wss")
        await (self.secure if tls else self.plain)(scope, receive, send)


def middleware(settings: Settings) -> list[Middleware]:
    """The middleware stack of the application, outermost first."""
    return [
        Middleware(SecurityHeadersMiddleware),
        Middleware(MetricsMiddleware),
        Middleware(BodyLimitMiddleware),
        Middleware(SessionCookies, secret=secret_key(settings)),
        Middleware(CsrfMiddleware),
    ]


# -- signing in ----------------------------------------------------------------------------------


def throttle_of(rt: Runtime) -> LoginThrottle:
    if rt.login_throttle is None:
        rt.login_throttle = LoginThrottle()
    return rt.login_throttle


def client_address(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


async def sign_in(request: Request, name: str, password: str) -> Principal:
    """Checks the password (with throttling) and starts a session; 401 or 429 otherwise."""
    rt = runtime(request)
    throttle = throttle_of(rt)
    keys = (f"name:{name}", f"address:{client_address(request)}")
    wait = throttle.wait(*keys)
    if wait:
        raise ApiError(
            429,
            "too_many_attempts",
            Message("too many failed sign-ins; try again in {seconds} s", seconds=wait),
            headers={"Retry-After": str(wait)},
        )
    person = rt.models.directory.people.get(name)
    stored = person.password_hash if person is not None and person.active else None
    # An unknown name still costs one hash check, so timing does not tell who exists.
    checked = stored or _dummy_hash(rt)
    good = await run_in_threadpool(rt.newsroom.passwords.check, checked, password)
    if person is None or stored is None or not good:
        throttle.failed(*keys)
        raise ApiError(401, "bad_credentials", "wrong name or password")
    throttle.forget(keys[0])
    start_session(request, person.name)
    return Principal("user", person.name, person.roles, "session")


def _dummy_hash(rt: Runtime) -> str:
    if rt.dummy_password_hash is None:
        rt.dummy_password_hash = rt.newsroom.passwords.hash(secrets.token_hex(8))
    return rt.dummy_password_hash


def start_session(conn: HTTPConnection, name: str) -> None:
    """A fresh session (new CSRF token) for the person; whatever was there before is dropped."""
    session = conn.scope["session"]
    session.clear()
    session["user"] = name
    session["since"] = datetime.now(UTC).isoformat(timespec="seconds")
    session["seen"] = int(time.time())
    csrf_token(conn)


def me(conn: HTTPConnection, principal: Principal) -> dict[str, Any]:
    person = runtime(conn).models.directory.people.get(principal.name)
    return Me(
        name=principal.name,
        display_name=person.display_name if person else principal.name,
        roles=sorted(principal.roles),
        home=home_page(principal.roles),
        via=principal.via,
        read_only=principal.read_only,
        csrf_token=csrf_token(conn) if principal.via == "session" else None,
    ).model_dump()


def safe_next(target: str | None) -> str | None:
    """Only a path on this site may follow sign-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    return target


# -- routes --------------------------------------------------------------------------------------


async def post_api_login(request: Request) -> JSONResponse:
    body = await read_body(request, Login)
    principal = await sign_in(request, body.name, body.password)
    return JSONResponse(me(request, principal))


async def post_login(request: Request) -> Response:
    """The HTML form: 303 to `next` (or the person's home page), or back to /login with `error`."""
    async with request.form() as form:
        name, password, target = (str(form.get(k) or "") for k in ("name", "password", "next"))
    try:
        principal = await sign_in(request, name, password)
    except ApiError as refusal:
        query = {"error": refusal.code, "next": safe_next(target) or ""}
        if refusal.status == 429:
            query["retry_after"] = refusal.extra["headers"]["Retry-After"]
        return RedirectResponse(f"/login?{urlencode(query)}", status_code=303)
    return RedirectResponse(safe_next(target) or home_page(principal.roles), status_code=303)


async def post_logout(request: Request) -> Response:
    """Ends the session: 303 to /login for forms, 204 for scripts."""
    request.scope["session"].clear()
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return RedirectResponse("/login", status_code=303)
    return Response(status_code=204)


async def post_api_session(request: Request) -> JSONResponse:
    """Trades a person's (or a wall's) bearer token for a session cookie."""
    principal = authenticate_person(request, runtime(request).models.directory)
    if principal.via != "token":
        raise ApiError(400, "bearer_required", "send the bearer token to trade for a session")
    start_session(request, principal.name)
    return JSONResponse(me(request, Principal("user", principal.name, principal.roles, "session")))


async def get_me(request: Request) -> JSONResponse:
    principal = authenticate_person(request, runtime(request).models.directory)
    return JSONResponse(me(request, principal))


routes: list[BaseRoute] = [
    Route("/api/login", post_api_login, methods=["POST"]),
    Route("/login", post_login, methods=["POST"]),
    Route("/logout", post_logout, methods=["POST"]),
    Route("/api/session", post_api_session, methods=["POST"]),
    Route("/api/me", get_me, methods=["GET"]),
]

__all__ = ["authenticate", "csrf_token", "middleware", "routes", "sign_in"]
