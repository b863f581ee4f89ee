"""Request bodies at the edge: a size limit, JSON only, and validation against pydantic models.

Refusals, all in the API's error shape: 413 a body over the limit, 415 a body that is not JSON,
400 a body that does not parse (or nests deeper than any body we take), 422 a body that parses but
does not fit (naming the fields).
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from events import messages
from web.errors import ApiError, error_response

M = TypeVar("M", bound=BaseModel)

MAX_JSON_BYTES = 1024 * 1024
MAX_DEPTH = 32  # our bodies nest two or three levels; the parser recurses once per level
MAX_FIELDS = 50  # a refusal names at most this many fields, however many are at fault
# A byte count: str.isdigit() also takes '²', which int() refuses; 18 digits are past any size
# (and int() refuses strings past 4,300 digits).
BYTE_COUNT = re.compile(r"[0-9]{1,18}")
UNLIMITED_PREFIXES = ("/api/uploads", "/tip/uploads")  # tus PATCH bodies have their own limit
NOTHING = object()  # what read_json answers for an empty body (JSON's null is None)


class BodyTooLarge(Exception):
    """Raised from `receive` when a body grows past the limit."""


class BodyLimitMiddleware:
    """Refuses bodies over `max_bytes` with 413, by Content-Length or while they stream in."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_JSON_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNLIMITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        too_long = declared.isascii() and declared.isdigit() and len(declared) > 18
        if too_long or (BYTE_COUNT.fullmatch(declared) and int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        words = messages.Message(
            "the request body is over {limit} KiB", limit=self.max_bytes // 1024
        )
        response = error_response(HTTPConnection(scope), 413, "body_too_large", words)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and "+json" in media)


def parse_json(body: bytes) -> Any:
    """The body's JSON value; 400 if it is not UTF-8 JSON, or nests deeper than MAX_DEPTH."""
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError:
        raise _too_deep() from None
    except (UnicodeDecodeError, ValueError) as error:
        words = messages.Message("the body is not valid JSON: {error}", error=str(error))
        raise ApiError(400, "bad_json", words) from None
    if _depth_over(data, MAX_DEPTH):
        raise _too_deep()
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _too_deep() -> ApiError:
    words = messages.Message("the body nests deeper than {depth} levels", depth=MAX_DEPTH)
    return ApiError(400, "bad_json", words)


def _depth_over(data: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels deep (walked level by level)."""
    level = [data] if isinstance(data, dict | list) else []
    for _ in range(limit):
        level = [
            child
            for value in level
            for child in (value.values() if isinstance(value, dict) else value)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


async def read_json(request: Request) -> Any:
    """The body as JSON (NOTHING when there is none); 415 unless it says it is JSON, 400 if bad."""
    body = await request.body()
    if not body.strip():
        return NOTHING
    content_type = request.headers.get("content-type", "")
    if not is_json(content_type):
        words = messages.Message("send application/json, not {type}", type=content_type or "none")
        raise ApiError(415, "unsupported_media_type", words) from None
    return parse_json(body)


def validate(model: type[M], data: Any) -> M:
    """The data as `model`, or 422 naming each field at fault."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise invalid(error) from None


def invalid(error: ValidationError) -> ApiError:
    problems = error.errors(include_url=False, include_context=False, include_input=False)
    fields = [
        {"field": ".".join(str(p) for p in e["loc"]) or "(body)", "message": e["msg"]}
        for e in problems[:MAX_FIELDS]
    ]
    # pydantic says what is wrong with each field in English; the sentence around it is ours.
    shown = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
    words = messages.Message("the request is not valid: {problems}", problems=shown)
    if len(problems) > 5:
        words = messages.Message(
            "the request is not valid: {problems} (and {more} more)",
            problems=shown,
            more=len(problems) - 5,
        )
    return ApiError(422, "invalid", words, fields=fields)


async def read_body(request: Request, model: type[M]) -> M:
    """Reads and validates a JSON body. An absent body counts as `{}`; so does `null`, but only
    where the model has no fields: elsewhere it is refused like any other body that is no object."""
    data = await read_json(request)
    if data is NOTHING or (data is None and not model.model_fields):
        data = {}
    return validate(model, data)
