"""Read-side questions the API asks: an aggregate's history from its own events, and lists from
the read models.

Details (one assignment, one story with every version, review and publication) are folded from the
aggregate's events, so they are exact at the version they name. Lists come from the in-memory read
models; callers hold `ReadModels.reading()` while these functions copy what they return.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any
from uuid import UUID

from events.assignment import PRIORITIES, Assignment
from events.channels import CHANNELS
from events.roles import REVIEW_LEVEL_NAMES
from events.story import Story
from hub.errors import NotFound
from hub.newsroom import Newsroom
from hub.readmodels import Models
from projections.base import iso
from projections.directory import Directory

BOARD_COLUMNS = (
    "planned",
    "assigned",
    "accepted",
    "declined",
    "on_scene",
    "filed",
    "closed",
    "cancelled",
)
HLS_PATH = "/hls/{name}/index.m3u8"


def _action(event: Any) -> str:
    """`ReporterAssigned` -> `reporter_assigned`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(event).__name__).lower()


def _events(newsroom: Newsroom, aggregate_id: UUID) -> list[Any]:
    to_event = newsroom.mapper.to_domain_event
    return [to_event(stored) for stored in newsroom.store.select_events(aggregate_id)]


def _plain(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value


def history_of(
    newsroom: Newsroom, aggregate_id: UUID, fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Who did what to an aggregate when, with those of `fields` each event has (times in ISO)."""
    return [
        {
            "version": e.originator_version,
            "at": iso(e.timestamp),
            "actor": e.actor,
            "action": _action(e),
            **{name: _plain(getattr(e, name)) for name in fields if hasattr(e, name)},
        }
        for e in _events(newsroom, aggregate_id)
    ]


# -- details from an aggregate's events ----------------------------------------------------------


def assignment_detail(newsroom: Newsroom, assignment_id: UUID) -> dict[str, Any]:
    """The assignment now, and who did what to it when."""
    assignment = newsroom.get(Assignment, assignment_id)
    history = history_of(newsroom, assignment_id, ("reason", "reporter", "lat", "lon"))
    position = assignment.position
    return {
        "id": str(assignment.id),
        "version": assignment.version,
        "title": assignment.title,
        "brief": assignment.brief,
        "state": assignment.state,
        "priority": assignment.priority,
        "due": iso(assignment.due),
        "reporter": assignment.reporter,
        "location": dict(assignment.location),
        "channels": list(assignment.channels),
        "planned_by": assignment.planner,
        "position": {"lat": position[0], "lon": position[1]} if position else None,
        "history": history,
    }


def assignment_reporter(newsroom: Newsroom, assignment_id: UUID) -> str | None:
    return newsroom.get(Assignment, assignment_id).reporter


def story_detail(newsroom: Newsroom, story_id: UUID) -> dict[str, Any]:
    """The story now, with every version's text, every review decision and every publication."""
    story = newsroom.get(Story, story_id)
    versions: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    publications: list[dict[str, Any]] = []
    for e in _events(newsroom, story_id):
        at, by = iso(e.timestamp), e.actor
        if isinstance(e, Story.Drafted | Story.Revised):
            versions.append(
                {
                    "revision": getattr(e, "revision", 1),
                    "title": e.title,
                    "body": e.body,
                    "captures": [str(c) for c in e.captures],
                    "by": by,
                    "at": at,
                    "voided_approvals": getattr(e, "voided_approvals", 0),
                }
            )
        elif isinstance(e, Story.Approved | Story.Rejected):
            reviews.append(
                {
                    "revision": e.revision,
                    "level": e.level,
                    "level_name": REVIEW_LEVEL_NAMES[e.level - 1],
                    "reviewer": by,
                    "decision": "approve" if isinstance(e, Story.Approved) else "reject",
                    "reason": e.reason,
                    "at": at,
                }
            )
        elif isinstance(e, Story.Published):
            publications += [
                {"channel": c, "action": "published", "revision": e.revision, "by": by, "at": at}
                for c in e.channels
            ]
        elif isinstance(e, Story.Retracted):
            publications += [
                {
                    "channel": c,
                    "action": "retracted",
                    "revision": None,
                    "by": by,
                    "at": at,
                    "reason": e.reason,
                }
                for c in e.channels
            ]
    level = story.review_level
    return {
        "id": str(story.id),
        "version": story.version,
        "assignment": str(story.assignment) if story.assignment else None,
        "title": story.title,
        "body": story.body,
        "captures": [str(c) for c in story.captures],
        "revision": story.revision,
        "state": story.state,
        "review_level": level,
        "review_level_name": REVIEW_LEVEL_NAMES[level - 1] if level else None,
        "authors": sorted(story.authors),
        "live": dict(story.live),
        "versions": versions,
        "reviews": reviews,
        "publications": publications,
    }


def story_visible_to(newsroom: Newsroom, story_id: UUID, reporter: str) -> bool:
    """A reporter sees the stories they wrote and those on their assignments."""
    story = newsroom.get(Story, story_id)
    if reporter in story.authors:
        return True
    if story.assignment is None:
        return False
    try:
        return assignment_reporter(newsroom, story.assignment) == reporter
    except NotFound:
        return False


# -- lists from the read models (hold ReadModels.reading() while calling these) ------------------


def _order(item: dict[str, Any]) -> tuple[int, str, str]:
    rank = -PRIORITIES.index(item["priority"]) if item.get("priority") in PRIORITIES else 0
    return (rank, item.get("due") or "~", item.get("since") or "")


def assignment_list(
    models: Models, *, reporter: str | None = None, state: str | None = None
) -> list[dict[str, Any]]:
    """Open assignments, then recently finished ones; most urgent and soonest due first."""
    wall = models.wall.state()
    items = [*wall["assignments"].values(), *wall["finished"].values()]
    chosen = [
        copy.deepcopy(item)
        for item in items
        if (reporter is None or item.get("reporter") == reporter)
        and (state is None or item["state"] == state)
    ]
    return sorted(chosen, key=_order)


def board(models: Models, *, reporter: str | None = None) -> dict[str, Any]:
    columns: dict[str, list[dict[str, Any]]] = {state: [] for state in BOARD_COLUMNS}
    for item in assignment_list(models, reporter=reporter):
        columns.setdefault(item["state"], []).append(item)
    return {"columns": columns, "counts": {k: len(v) for k, v in columns.items()}}


def reporter_assignments(models: Models, reporter: str) -> set[str]:
    return {item["id"] for item in assignment_list(models, reporter=reporter)}


def story_list(
    models: Models,
    *,
    reporter: str | None = None,
    state: str | None = None,
    review: str | None = None,
    assignment: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Stories newest first (the newest `limit`); a reporter's list holds theirs and those on
    their assignments. Only the stories returned are copied (bench/desk_list.py)."""
    mine = reporter_assignments(models, reporter) if reporter else set()
    chosen = []
    for story in models.matrix.state()["stories"].values():
        if reporter and story["author"] != reporter and story["assignment"] not in mine:
            continue
        if state and story["state"] != state:
            continue
        if review and story["review"] != review:
            continue
        if assignment and story["assignment"] != assignment:
            continue
        chosen.append(story)
    chosen.sort(key=lambda s: s.get("created_at") or "", reverse=True)
    return copy.deepcopy(chosen[:limit] if limit is not None else chosen)


def matrix(models: Models) -> dict[str, Any]:
    return {
        "position": models.matrix.position,
        "channels": [{"id": key, "label": label} for key, label in CHANNELS.items()],
        "stories": story_list(models),
    }


def figures(models: Models) -> dict[str, Any]:
    return {"position": models.metrics.position, **copy.deepcopy(models.metrics.summary())}


def command_list(models: Models, *, person: str | None = None) -> list[dict[str, Any]]:
    """Commands not yet acknowledged; for a person, those to or from them."""
    commands = models.wall.state()["commands"].values()
    chosen = [
        copy.deepcopy(c)
        for c in commands
        if person is None or person in (c["to"], c.get("issued_by"))
    ]
    return sorted(chosen, key=lambda c: c.get("issued_at") or "")


def source_list(models: Models, viewers: dict[str, int]) -> list[dict[str, Any]]:
    sources = []
    for source in models.wall.state()["sources"].values():
        item = copy.deepcopy(source)
        width, height = item.get("width") or 0, item.get("height") or 0
        item["id"] = item["name"]
        item["who"] = item.get("publisher") or item.get("owner")
        item["resolution"] = f"{width}x{height}" if width and height else None
        item["viewers"] = viewers.get(item["name"], 0)
        sources.append(item)
    return sorted(sources, key=lambda s: s["name"])


def output_list(models: Models) -> list[dict[str, Any]]:
    outputs = []
    for output in models.wall.state()["outputs"].values():
        item = copy.deepcopy(output)
        item["id"] = item["name"]
        item["kind"] = "program"
        item.setdefault("failed_over", False)
        item.setdefault("failing", [])
        item["hls"] = HLS_PATH.format(name=item["name"])
        outputs.append(item)
    return sorted(outputs, key=lambda o: o["name"])


def user_list(directory: Directory) -> list[dict[str, Any]]:
    return [
        {
            "name": person.name,
            "display_name": person.display_name,
            "roles": sorted(person.roles),
            "active": person.active,
            "has_password": bool(person.password_hash),
            "tokens": sorted(person.tokens),
        }
        for person in sorted(list(directory.people.values()), key=lambda p: p.name)
    ]
