"""What the duty commands read from the read models: who is on duty, what a handover lists."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from hub.errors import HubError
from projections.duty import moment_of, on_duty_at
from projections.opinion import warnings

if TYPE_CHECKING:
    from hub.newsroom import Newsroom

KEEP_LISTED = 50  # a handover lists at most this many of each kind


class NotFollowing(HubError):
    """No read models follow this application (a bare engine, as some tools build it)."""

    code = "not_following"


def _models(newsroom: Newsroom) -> Any:
    found = newsroom.read_models
    if found is None:
        raise NotFollowing("the duty roster is read from the read models, which are not running")
    return found


def now(newsroom: Newsroom, at: datetime) -> dict[str, Any]:
    """Who is on duty at `at` and who leads (projections/duty.py)."""
    with _models(newsroom).reading() as models:
        return on_duty_at(models.duty.state(), at)


def handover_lists(newsroom: Newsroom, at: datetime) -> dict[str, list[dict[str, Any]]]:
    """What the person leaving hands over: open warnings, overdue items and what is on air."""
    with _models(newsroom).reading() as models:
        return {
            "open_warnings": open_warnings(models),
            "overdue": overdue(models.wall.state(), at),
            "on_air": on_air(models.wall.state()),
        }


def open_warnings(models: Any) -> list[dict[str, Any]]:
    """The 舆情 warnings not yet dealt with (the opinion read model, where it runs)."""
    opinion = getattr(models, "opinion", None)
    if opinion is None:
        return []
    found = [
        {"id": w["id"], "level": w["level"], "title": w["title"], "state": w["state"]}
        for w in warnings(opinion.state())
        if w["state"] in ("raised", "escalated")
    ]
    return found[:KEEP_LISTED]


def overdue(wall: dict[str, Any], at: datetime) -> list[dict[str, Any]]:
    """Assignments past their due time and not yet filed."""
    found = [
        {"kind": "assignment", "id": a["id"], "title": a["title"], "due": a["due"]}
        for a in wall["assignments"].values()
        if a.get("due") and a["state"] != "filed" and moment_of(a["due"]) < at
    ]
    return found[:KEEP_LISTED]


def on_air(wall: dict[str, Any]) -> list[dict[str, Any]]:
    """Running outputs (with what is on program) and live sources."""
    outputs = [
        {"kind": "output", "name": o["name"], "on_air": o.get("on_air")}
        for o in wall["outputs"].values()
        if o["state"] == "running"
    ]
    sources = [
        {"kind": "source", "name": s["name"], "state": s["state"]}
        for s in wall["sources"].values()
        if s["state"] in ("live", "interrupted")
    ]
    return (outputs + sources)[:KEEP_LISTED]
