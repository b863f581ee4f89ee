"""The kinds of field commands carry: one-line and multi-line text, names, places, times.

Text may not hold control characters (a NUL cannot even be stored in PostgreSQL text);
multi-line text may hold tabs and line breaks. A time arrives as RFC 3339 text with a zone, and
coordinates as JSON numbers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from events.base import Location

Channel = Literal[
    "tv", "radio", "paper", "website", "app", "wechat", "weibo", "douyin", "outdoor", "emergency"
]
Priority = Literal["low", "normal", "high", "urgent"]
RoleId = Literal[
    "reporter",
    "dispatcher",
    "editor",
    "desk_head",
    "chief_editor",
    "technician",
    "auditor",
    "wall",
    "admin",
]
LINE = r"^[^\x00-\x1f\x7f]*$"
LINES = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")


def line(max_length: int, *, min_length: int = 0, **extra: Any) -> Any:
    """A one-line text field."""
    return Field(min_length=min_length, max_length=max_length, pattern=LINE, **extra)


def lines(max_length: int, *, min_length: int = 0, **extra: Any) -> Any:
    """A multi-line text field."""
    return Field(min_length=min_length, max_length=max_length, pattern=LINES, **extra)


def written_out(value: Any) -> Any:
    """A time arrives as RFC 3339 text, as the document says (pydantic would also read a number
    of seconds, in JSON or in text, as a time); the hub's own senders pass a datetime."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not DATE_TIME.match(value):
        raise ValueError("a time is RFC 3339 text with a zone, like 2026-11-23T16:00:00+08:00")
    return value


def in_utc(moment: datetime) -> datetime:
    """The moment in UTC, where the hub keeps times; a zone can push one past year 1 or 9999."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is outside the years 1 to 9999 in UTC") from None


def coordinate(limit: int) -> Any:
    """Degrees as a JSON number (not a string, not true), within ±limit."""
    return Field(ge=-limit, le=limit, strict=True)


Moment = Annotated[AwareDatetime, BeforeValidator(written_out), AfterValidator(in_utc)]
Name = Annotated[str, line(40, min_length=1, description="a-z, 0-9, '.', '-', '_'")]
Reason = Annotated[str, lines(2000, min_length=1)]
Title = Annotated[str, line(200, min_length=1)]
Latitude = Annotated[float, coordinate(90)]
Longitude = Annotated[float, coordinate(180)]


class Place(BaseModel):
    """A named place with WGS-84 coordinates (the hub's own senders may pass a `Location`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, from_attributes=True)

    name: str = line(200)
    lat: Latitude
    lon: Longitude

    @classmethod
    def of(cls, location: Location) -> Place:
        return cls(name=location.name, lat=location.lat, lon=location.lon)

    def location(self) -> Location:
        return Location(self.name, self.lat, self.lon)
