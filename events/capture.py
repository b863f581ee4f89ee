"""Captures: media assets (uploads and live recordings) with who, where, when and a checksum;
and the uploads the newsroom refused, with what they turned out to be and why.

What an upload *is* comes from its content (its first bytes), never from its name or the type
its sender declared: the shell reads the content's type, and the newsroom decides here whether
it keeps such a file.
"""

from __future__ import annotations

import re
from typing import Any, Unpack
from uuid import UUID

from events.base import Kept, Making, NewsroomAggregate, require_one_of, require_text
from events.errors import InvalidValue
from events.messages import N_
from events.roles import Role

SHA256 = re.compile(r"^[0-9a-f]{64}$")
KINDS = ("upload", "recording", "clip")  # a clip is cut from another capture (events/clip.py)
KIND_WORDS = {"upload": N_("upload"), "recording": N_("recording"), "clip": N_("clip")}
CAPTURERS = (Role.REPORTER, Role.TECHNICIAN, Role.EDITOR)

# What a newsroom keeps from an upload, by the type its content shows: photos, video and audio
# from the field, and the documents people hand reporters (PDF and Office files, which are only
# ever offered for download). Pages, drawings (SVG), archives, programs and anything
# unrecognised are refused: a browser could run them, and nobody files a story from them.
KEPT_TYPES: dict[str, str] = {
    "image/jpeg": "photo",
    "image/png": "photo",
    "image/gif": "photo",
    "image/webp": "photo",
    "image/heic": "photo",
    "image/avif": "photo",
    "image/tiff": "photo",
    "video/mp4": "video",
    "video/x-m4v": "video",
    "video/quicktime": "video",
    "video/3gpp": "video",
    "video/webm": "video",
    "video/x-matroska": "video",
    "audio/mpeg": "audio",
    "audio/mp4": "audio",
    "audio/aac": "audio",
    "audio/ogg": "audio",
    "audio/x-wav": "audio",
    "audio/x-flac": "audio",
    "audio/amr": "audio",
    "application/pdf": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "document",
}
MEDIA = ("photo", "video", "audio")


def refusal(detected_type: str | None) -> str | None:
    """Why the newsroom will not keep a file whose content is of this type (None: it keeps it)."""
    if detected_type is None:
        return "its content is of no type the hub recognises"
    if detected_type not in KEPT_TYPES:
        return f"it is {detected_type}, not a photo, video, audio recording or document"
    return None


class Asset(Kept):
    """A media file: for which assignment, what kind, its name, type, size and digest, how long,
    from which live source, where it was taken, and what else its kind tells (`details`)."""

    assignment: UUID | None
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    duration: float | None
    source: str | None
    location: dict[str, Any] | None
    details: dict[str, Any]


class Capture(Asset, NewsroomAggregate):
    """One media asset; stories attach captures ("one capture, many products")."""

    class Registered(Asset, NewsroomAggregate.Created):
        pass

    def __init__(self, actor: str) -> None:
        self.owner = actor

    @classmethod
    def register(
        cls,
        *,
        assignment: UUID | None,
        kind: str,
        filename: str,
        content_type: str,
        size: int,
        sha256: str,
        duration: float | None = None,
        source: str | None = None,
        location: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
        **making: Unpack[Making],
    ) -> Capture:
        making["actor"].require(*CAPTURERS, doing=N_("register captures"))
        require_one_of(KINDS, N_("capture kind '{kind}' is not one of {known}"), kind=kind)
        if size < 0:
            raise InvalidValue("a capture's size cannot be negative")
        if not SHA256.match(sha256):
            raise InvalidValue("sha256 must be 64 lower-case hex digits")
        if duration is not None and duration < 0:
            raise InvalidValue("a capture's duration cannot be negative")
        return cls._make(
            cls.Registered,
            making,
            assignment=assignment,
            kind=kind,
            filename=require_text(filename, N_("file name"), max_length=255),
            content_type=content_type,
            size=size,
            sha256=sha256,
            duration=duration,
            source=source,
            location=location,
            details=details or {},
        )


class RefusedFile(Kept):
    """A file the newsroom would not keep: what it was said to be, what it is, and why not."""

    assignment: UUID | None
    filename: str
    declared_type: str
    detected_type: str | None
    size: int
    reason: str


class Upload(RefusedFile, NewsroomAggregate):
    """An upload that did not become a capture: the newsroom refused it (and deleted its file).

    A kept upload is a Capture; only a refused one is recorded as itself, so that the library
    can say what was refused and why. Its id is the upload's, so it is refused once.
    """

    class Refused(RefusedFile, NewsroomAggregate.Created):
        pass

    def __init__(self, actor: str) -> None:
        self.owner = actor

    @classmethod
    def refuse(
        cls,
        *,
        assignment: UUID | None,
        filename: str,
        declared_type: str,
        detected_type: str | None,
        size: int,
        **making: Unpack[Making],
    ) -> Upload:
        making["actor"].require(*CAPTURERS, doing=N_("upload captures"))
        reason = refusal(detected_type)
        if reason is None:
            raise InvalidValue(
                "{filename}: {type} is a type the newsroom keeps",
                filename=filename,
                type=detected_type,
            )
        if size < 0:
            raise InvalidValue("an upload's size cannot be negative")
        return cls._make(
            cls.Refused,
            making,
            assignment=assignment,
            filename=require_text(filename, N_("file name"), max_length=255),
            declared_type=declared_type,
            detected_type=detected_type,
            size=size,
            reason=reason,
        )
