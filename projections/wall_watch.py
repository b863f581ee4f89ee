"""The wall's watch sections: the duty roster (who is on duty, who leads) and 舆情 warnings.

Kept apart from projections/wall.py, which calls `fold` for every event and puts the alerts it
returns on the ticker. Who is on duty *now* is the renderer's question (the fold has no clock):
the section holds the shifts that are not over, and the wall picks the one that holds its moment.
"""

from __future__ import annotations

from functools import singledispatch
from typing import Any

from events.duty import Shift
from events.messages import Message
from events.opinion import LEVEL_WORDS, OpinionFeed, OpinionItem
from projections.base import Sections, iso
from projections.duty import moment_of, shift_item

KEEP_WARNINGS = 50
SEVERITY = {"red": "critical", "orange": "critical", "yellow": "warning", "blue": "info"}
# What `fold` asks the wall to put on its ticker: severity, words, subject.
Alert = tuple[str, Message, str]


def empty_sections() -> dict[str, Any]:
    return {"shifts": {}, "warnings": {}}


@singledispatch
def fold(event: Any, s: Sections) -> list[Alert]:
    """Events the watch sections do not show change nothing."""
    return []


@fold.register
def _(e: Shift.Scheduled, s: Sections) -> list[Alert]:
    for key, shift in list(s.data["shifts"].items()):
        if moment_of(shift["end"]) <= e.timestamp:  # over by the time the roster moved
            s.delete("shifts", key)
    s.set("shifts", str(e.originator_id), shift_item(e))
    return []


@fold.register
def _(e: Shift.Cancelled, s: Sections) -> list[Alert]:
    s.delete("shifts", str(e.originator_id))
    return []


@fold.register
def _(e: OpinionFeed.Added, s: Sections) -> list[Alert]:
    s.data["titles"][str(e.originator_id)] = e.name
    return []


@fold.register
def _(e: OpinionFeed.Failing, s: Sections) -> list[Alert]:
    name = s.data["titles"].get(str(e.originator_id), "")
    words = Message("opinion feed {feed} fails: {error}", feed=name, error=e.error)
    return [("warning", words, name)]


@fold.register
def _(e: OpinionFeed.Recovered, s: Sections) -> list[Alert]:
    name = s.data["titles"].get(str(e.originator_id), "")
    return [("info", Message("opinion feed {feed} is back", feed=name), name)]


@fold.register
def _(e: OpinionItem.Collected, s: Sections) -> list[Alert]:
    key = str(e.originator_id)
    if e.level is None:
        return []
    _raise(s, key, e.title, e.level, e.reasons, e)
    return [_raised(e.level, e.title, key)]


@fold.register
def _(e: OpinionItem.Regraded, s: Sections) -> list[Alert]:
    key = str(e.originator_id)
    if key in s.data["warnings"]:
        s.update("warnings", key, level=e.level, reasons=list(e.reasons))
    else:
        _raise(s, key, e.title, e.level, e.reasons, e)
    return [_raised(e.level, e.title, key)]


@fold.register
def _(e: OpinionItem.Acknowledged, s: Sections) -> list[Alert]:
    s.update("warnings", str(e.originator_id), state="acknowledged", acknowledged_by=e.actor)
    return []


@fold.register
def _(e: OpinionItem.Escalated, s: Sections) -> list[Alert]:
    key = str(e.originator_id)
    warning = s.update("warnings", key, state="escalated", escalated_to=e.to)
    title = warning["title"] if warning else key
    if e.to is None:
        words = Message("warning {title} is unacknowledged and no leader is on duty", title=title)
    else:
        words = Message("warning {title} escalated to {leader}", title=title, leader=e.to)
    return [("critical", words, key)]


@fold.register
def _(e: OpinionItem.Assigned, s: Sections) -> list[Alert]:
    s.delete("warnings", str(e.originator_id))
    return []


def _raise(s: Sections, key: str, title: str, level: str, reasons: list[Any], e: Any) -> None:
    s.set(
        "warnings",
        key,
        {
            "id": key,
            "title": title,
            "level": level,
            "reasons": list(reasons),
            "state": "raised",
            "raised_at": iso(e.timestamp),
            "acknowledged_by": None,
            "escalated_to": None,
        },
    )
    for old in list(s.data["warnings"])[:-KEEP_WARNINGS]:
        s.delete("warnings", old)


def _raised(level: str, title: str, key: str) -> Alert:
    words = Message(
        "{level} opinion warning: {title}", level=Message(LEVEL_WORDS[level]), title=title
    )
    return (SEVERITY[level], words, key)
