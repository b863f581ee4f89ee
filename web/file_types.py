"""What a file is, read from its first bytes, and how the hub hands it to a browser.

A file's name and the type its sender declared are only words; its content is what a browser
would act on. `filetype` (a table of the signatures of binary formats) names the content's type;
it recognises no text formats at all, so a page, a drawing (SVG) or a script is "unrecognised",
which the newsroom refuses (see events/capture.py).

Whatever is served, a browser must never run it in the hub's origin: every capture file goes
out with `nosniff` and a sandboxing Content-Security-Policy, and only photos, video and audio
are shown inline, under the type their content shows. Anything else (documents, and files
registered before uploads were typed by content) is an attachment of no particular type.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import filetype

from events.capture import KEPT_TYPES, MEDIA

HEAD_BYTES = 8192  # as much as filetype's matchers look at
DOWNLOAD_TYPE = "application/octet-stream"
# An inline photo or clip opened on its own is a document: it may show its media, nothing more.
FILE_POLICY = (
    "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"
)


def read_head(path: Path) -> bytes:
    """The first bytes of a file, enough to tell its type."""
    with path.open("rb") as file:
        return file.read(HEAD_BYTES)


def content_type(head: bytes) -> str | None:
    """The MIME type the content's signature shows, or None for anything unrecognised."""
    found = filetype.guess(head)
    return str(found.mime) if found is not None else None


@dataclass(frozen=True, slots=True)
class Served:
    """How a file goes to a browser: under which type, and shown inline or downloaded."""

    media_type: str
    inline: bool

    @classmethod
    def of(cls, head: bytes) -> Served:
        detected = content_type(head)
        if detected is not None and KEPT_TYPES.get(detected) in MEDIA:
            return cls(detected, inline=True)
        return cls(DOWNLOAD_TYPE, inline=False)

    def headers(self, filename: str) -> dict[str, str]:
        disposition = "inline" if self.inline else "attachment"
        return {
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
            "Content-Security-Policy": FILE_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "same-origin",
        }
