"""Errors at the HTTP edge: every refusal answers {"error": {"code", "message"}} (docs/api.md)."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from events.errors import DomainError, InvalidValue, NotPermitted
from hub.errors import (
    AlreadyExists,
    HubError,
    KeyReused,
    NotFound,
    StoreUnavailable,
    Unauthenticated,
    VersionConflict,
)


class ApiError(Exception):
    """A refusal with an HTTP status, a stable code and a message for people."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    headers = extra.pop("headers", None)
    body = {"error": {"code": code, "message": message, **extra}}
    return JSONResponse(body, status_code=status, headers=headers)


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


async def on_api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, **exc.extra)


async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, StoreUnavailable):
        return await on_store_unavailable(request, exc)
    for cls, status in STATUS_OF:
        if isinstance(exc, cls):
            extra: dict[str, Any] = {}
            if isinstance(exc, VersionConflict):
                extra["current_version"] = exc.current_version
            code = getattr(exc, "code", "error")
            return error_response(status, code, getattr(exc, "message", str(exc)), **extra)
    raise exc


async def on_store_unavailable(_: Request, exc: Exception) -> JSONResponse:
    """503 with Retry-After: the store is down or restarting, and a retry will likely work. A
    write may have been recorded before its answer was lost: retry it with the same
    Idempotency-Key and the first answer comes back."""
    assert isinstance(exc, StoreUnavailable)
    return error_response(
        503,
        exc.code,
        f"the store cannot be used right now; retry in {exc.retry_after} s",
        headers={"Retry-After": str(exc.retry_after)},
    )


async def on_http_exception(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}
    return error_response(
        exc.status_code,
        codes.get(exc.status_code, "http_error"),
        str(exc.detail),
        headers=dict(exc.headers or {}),
    )


async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
    """Anything else is our fault: answered in the error shape without details (the server logs
    the exception, which Starlette raises on after this answer)."""
    return error_response(500, "internal_error", "the hub could not answer; the error is logged")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    Exception: on_unexpected,
    ApiError: on_api_error,
    DomainError: on_domain_error,
    HubError: on_domain_error,
    StoreUnavailable: on_store_unavailable,
    HTTPException: on_http_exception,
}
