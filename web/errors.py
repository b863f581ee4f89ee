"""Errors at the HTTP edge: every refusal answers {"error": {"code", "message"}} (docs/api.md).

The message is said in the reader's language (web/i18n.py: `?lang=`, the `lang` cookie,
`Accept-Language`, else Chinese): refusals carry a message id and its arguments
(events/messages.py), translated here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse

from events.errors import DomainError, InvalidValue, NotPermitted
from events.messages import N_, Message
from hub.errors import (
    AlreadyExists,
    HubError,
    KeyReused,
    NotFound,
    StoreUnavailable,
    Unauthenticated,
    VersionConflict,
)
from web.i18n import reader_language, translate


class ApiError(Exception):
    """A refusal with an HTTP status, a stable code and words for people (an id or a Message)."""

    def __init__(self, status: int, code: str, message: str | Message, **extra: Any) -> None:
        self.words = message if isinstance(message, Message) else Message(message)
        self.message = str(self.words)
        super().__init__(self.message)
        self.status, self.code, self.extra = status, code, extra


def error_response(
    conn: HTTPConnection, status: int, code: str, message: str | Message, **extra: Any
) -> JSONResponse:
    """The refusal, its message in the language of whoever asked on `conn`."""
    headers = extra.pop("headers", None)
    words = message if isinstance(message, Message) else Message(message)
    text = translate(reader_language(conn), words)
    body = {"error": {"code": code, "message": text, **extra}}
    return JSONResponse(body, status_code=status, headers=headers)


def refusal_response(conn: HTTPConnection, refusal: ApiError) -> JSONResponse:
    return error_response(conn, refusal.status, refusal.code, refusal.words, **refusal.extra)


STATUS_OF: list[tuple[type[Exception], int]] = [
    (Unauthenticated, 401),
    (NotFound, 404),
    (AlreadyExists, 409),
    (VersionConflict, 412),
    (KeyReused, 422),
    (NotPermitted, 403),
    (InvalidValue, 422),
    (DomainError, 409),
    (HubError, 400),
]

# Starlette's own refusals, by status (its detail is English text).
HTTP_WORDS = {
    404: N_("there is nothing at this address"),
    405: N_("this address does not take that method"),
    401: N_("sign in, or send Authorization: Bearer <token>"),
}


async def on_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return refusal_response(request, exc)


async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, StoreUnavailable):
        return await on_store_unavailable(request, exc)
    assert isinstance(exc, DomainError | HubError)
    for cls, status in STATUS_OF:
        if isinstance(exc, cls):
            extra: dict[str, Any] = {}
            if isinstance(exc, VersionConflict):
                extra["current_version"] = exc.current_version
            return error_response(request, status, exc.code, exc.words, **extra)
    raise exc


async def on_store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """503 with Retry-After: the store is down or restarting, and a retry will likely work. A
    write may have been recorded before its answer was lost: retry it with the same
    Idempotency-Key and the first answer comes back."""
    assert isinstance(exc, StoreUnavailable)
    return error_response(
        request,
        503,
        exc.code,
        Message(
            "the store cannot be used right now; retry in {seconds} s", seconds=exc.retry_after
        ),
        headers={"Retry-After": str(exc.retry_after)},
    )


async def on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}
    words = HTTP_WORDS.get(exc.status_code)
    return error_response(
        request,
        exc.status_code,
        codes.get(exc.status_code, "http_error"),
        Message(words) if words else Message("{detail}", detail=str(exc.detail)),
        headers=dict(exc.headers or {}),
    )


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Anything else is our fault: answered in the error shape without details (the server logs
    the exception, which Starlette raises on after this answer)."""
    return error_response(
        request, 500, "internal_error", "the hub could not answer; the error is logged"
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    Exception: on_unexpected,
    ApiError: on_api_error,
    DomainError: on_domain_error,
    HubError: on_domain_error,
    StoreUnavailable: on_store_unavailable,
    HTTPException: on_http_exception,
}
