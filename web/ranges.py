"""Range requests on files (RFC 9110 §14): which bytes to send, decided before Starlette sends them.

Starlette's FileResponse answers a Range it cannot parse (or one in another unit) with a plain-text
400, and a range past the end with a plain-text 416. RFC 9110 §14.2 says a server ignores a Range
it does not understand and sends the whole file; only a valid range set with no satisfiable range
is a 416, and that one answers in the API's error shape here.
"""

from __future__ import annotations

import os
import re

import anyio
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

from events.messages import Message
from web.errors import error_response

MAX_RANGES = 100  # more pieces than a player asks for: the whole file is cheaper (RFC 9110 §14.2)
RANGE_SPEC = re.compile(r"([0-9]{0,30})-([0-9]{0,30})")  # longer numbers: not a range we serve
Span = tuple[int, int]  # first and last byte, inclusive


def byte_ranges(header: str, size: int) -> list[Span] | None:
    """The satisfiable spans a Range header asks for, or None when it is to be ignored
    (not `bytes`, not valid, too many pieces); [] when none of its spans is satisfiable."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    pieces = [piece.strip() for piece in spec.split(",") if piece.strip()]
    if not pieces or len(pieces) > MAX_RANGES:
        return None
    spans: list[Span] = []
    for piece in pieces:
        found = RANGE_SPEC.fullmatch(piece)
        if found is None or found.group(1) == found.group(2) == "":
            return None
        first, last = found.group(1), found.group(2)
        if first and last and int(last) < int(first):
            return None  # an invalid range-spec (RFC 9110 §14.1.1) makes the whole set invalid
        spans.extend(_satisfiable(first, last, size))
    return spans


def _satisfiable(first: str, last: str, size: int) -> list[Span]:
    if not first:  # a suffix: the last N bytes
        length = int(last)
        return [(max(size - length, 0), size - 1)] if length > 0 and size > 0 else []
    start = int(first)
    if start >= size:
        return []
    return [(start, min(int(last), size - 1) if last else size - 1)]


class RangedFile(FileResponse):
    """A FileResponse that hands Starlette only a Range it should serve, normalised."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        raw = headers.get("range")
        kept = [(k, v) for k, v in scope["headers"] if k.lower() != b"range"]
        if raw is not None and self._applies(headers.get("if-range")):
            size = (await anyio.to_thread.run_sync(os.stat, self.path)).st_size
            spans = byte_ranges(raw, size)
            if spans == []:
                words = Message("no range asked for is within the file's {size} bytes", size=size)
                response = error_response(
                    HTTPConnection(scope),
                    416,
                    "range_not_satisfiable",
                    words,
                    headers={"Content-Range": f"bytes */{size}"},
                )
                await response(scope, receive, send)
                return
            if spans:
                chosen = ",".join(f"{first}-{last}" for first, last in spans)
                kept.append((b"range", f"bytes={chosen}".encode("latin-1")))
        await super().__call__({**scope, "headers": kept}, receive, send)

    def _applies(self, if_range: str | None) -> bool:
        """If-Range names the version the client holds; another version gets the whole file."""
        return if_range is None or if_range == self.headers.get("etag")
