"""Captures: media assets (uploads and live recordings) with who, where, when and a checksum."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

from events.base import NewsroomAggregate, require_text
from events.errors import InvalidValue
from events.roles import Actor, Role

SHA256 = re.compile(r"^[0-9a-f]{64}$")
KINDS = ("upload", "recording")


class Capture(NewsroomAggregate):
    """One media asset; stories attach captures ("one capture, many products")."""

    class Registered(NewsroomAggregate.Created):
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

    def __init__(
        self,
        assignment: UUID | None,
        kind: str,
        filename: str,
        content_type: str,
        size: int,
        sha256: str,
        duration: float | None,
        source: str | None,
        location: dict[str, Any] | None,
        details: dict[str, Any],
        actor: str,
    ) -> None:
        self.assignment = assignment
        self.kind = kind
        self.filename = filename
        self.content_type = content_type
        self.size = size
        self.sha256 = sha256
        self.duration = duration
        self.source = source
        self.location = location
        self.details = dict(details)
        self.owner = actor

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        at: datetime,
        actor: Actor,
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
    ) -> Capture:
        actor.require(Role.REPORTER, Role.TECHNICIAN, Role.EDITOR, doing="register captures")
        if kind not in KINDS:
            raise InvalidValue(f"capture kind {kind!r} is not one of {', '.join(KINDS)}")
        if size < 0:
            raise InvalidValue("a capture's size cannot be negative")
        if not SHA256.match(sha256):
            raise InvalidValue("sha256 must be 64 lower-case hex digits")
        if duration is not None and duration < 0:
            raise InvalidValue("a capture's duration cannot be negative")
        return cls._create(
            cls.Registered,
            id=id,
            timestamp=at,
            actor=actor.name,
            assignment=assignment,
            kind=kind,
            filename=require_text(filename, "file name", max_length=255),
            content_type=content_type,
            size=size,
            sha256=sha256,
            duration=duration,
            source=source,
            location=location,
            details=details or {},
        )
