"""Cross-site request forgery protection for writes made with the session cookie.

Browsers attach the cookie to any request, even one another site makes them send, so a write
authenticated by the cookie must prove it comes from our own pages: it carries the session's CSRF
token in the `X-CSRF-Token` header (scripts on our pages read it from GET /api/me or the page's
`<meta name="csrf-token">`), or, for a plain HTML form, in a `csrf_token` field. A request whose
`Origin` names another site is refused outright. A request with a well-formed bearer token carries
no ambient credential and is exempt: it is judged by the token alone, never by the cookie (see
`web.auth.authorization`, the one reading of the header). Any other Authorization header earns no
exemption.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from events.messages import N_
from web.auth import authorization
from web.errors import error_response

HEADER = "x-csrf-token"
FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def csrf_token(conn: HTTPConnection) -> str:
    """The session's CSRF token (made on first use): put it in pages and send it back on writes."""
    session = conn.scope["session"]
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def same_origin(headers: Headers) -> bool:
    """False when the browser says the request comes from another site."""
    if headers.get("sec-fetch-site", "") == "cross-site":
        return False
    origin = headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()


class CsrfMiddleware:
    """Refuses cookie-authenticated writes without the session's token (403 `csrf_failed`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        presented = authorization(headers)
        if presented is not None and presented.token is not None:
            await self.app(scope, receive, send)
            return
        if not same_origin(headers):
            await self._refuse(scope, receive, send, N_("the request comes from another site"))
            return
        session = scope.get("session") or {}
        expected = str(session.get("csrf") or "")
        if not session.get("user"):
            await self.app(scope, receive, send)
            return
        if _matches(headers.get(HEADER), expected):
            await self.app(scope, receive, send)
            return
        content_type = headers.get("content-type", "").lower()
        if content_type.startswith(FORM_TYPES):
            body = await _read_all(receive)
            if _matches(await _form_token(scope, body), expected):
                await self.app(scope, _replay(body, receive), send)
                return
        await self._refuse(
            scope,
            receive,
            send,
            N_(
                "a signed-in write needs the X-CSRF-Token header (from GET /api/me or the page's "
                "csrf-token meta tag)"
            ),
        )

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, message: str) -> None:
        response = error_response(HTTPConnection(scope), 403, "csrf_failed", message)
        await response(scope, receive, send)


def _matches(sent: str | None, expected: str) -> bool:
    return bool(sent) and bool(expected) and hmac.compare_digest(str(sent), expected)


async def _read_all(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the buffered body once, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _form_token(scope: Scope, body: bytes) -> str | None:
    async def nothing_more() -> Message:
        return {"type": "http.disconnect"}

    request = Request(scope, _replay(body, nothing_more))
    try:
        form = await request.form()
    except Exception:  # a malformed form simply carries no token
        return None
    try:
        value = form.get(FIELD)
        return value if isinstance(value, str) else None
    finally:
        await form.close()
