"""The outlets (and origins) a hub knows, read from their few events in the log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from events.outlet import Outlet
from events.submission import Origin, Submission
from hub.delivery.outbox import OUTLET_TOPICS, topic

if TYPE_CHECKING:
    from hub.newsroom import Newsroom

ORIGIN_TOPICS = (topic("submission", "Origin.Registered"),)


def outlets(newsroom: Newsroom) -> list[dict[str, Any]]:
    """Every outlet ever added, by name: kind, channel, address, whether it is active."""
    found: dict[str, dict[str, Any]] = {}
    for e in _events(newsroom, OUTLET_TOPICS):
        key = str(e.originator_id)
        if isinstance(e, Outlet.Added):
            found[key] = {"name": e.name, "kind": e.kind, "channel": e.channel, "url": e.url}
            found[key] |= {"active": True, "added_at": e.timestamp.isoformat()}
        elif isinstance(e, Outlet.Changed) and key in found:
            found[key] |= {"channel": e.channel, "url": e.url}
        elif isinstance(e, Outlet.Deactivated) and key in found:
            found[key] |= {"active": False}
    return sorted(found.values(), key=lambda o: str(o["name"]))


def origins(newsroom: Newsroom) -> list[dict[str, Any]]:
    """The hubs whose submissions this hub takes."""
    return sorted(
        (
            {"name": e.name, "url": e.url, "added_at": e.timestamp.isoformat()}
            for e in _events(newsroom, ORIGIN_TOPICS)
            if isinstance(e, Origin.Registered)
        ),
        key=lambda o: o["name"],
    )


def _events(newsroom: Newsroom, topics: tuple[str, ...]) -> list[Any]:
    to_event = newsroom.mapper.to_domain_event
    found, after = [], 0
    while batch := newsroom.store.read_log(after=after, limit=1000, topics=topics):
        found += [to_event(n) for n in batch]
        after = batch[-1].id
    return found


SUBMISSION_TOPICS = tuple(
    topic("submission", f"Submission.{n}") for n in ("Received", "Withdrawn", "Decided")
)


def submissions(newsroom: Newsroom) -> list[dict[str, Any]]:
    """What origins sent this hub (来稿), newest first, with their origin and the decision."""
    found: dict[str, dict[str, Any]] = {}
    for e in _events(newsroom, SUBMISSION_TOPICS):
        key = str(e.originator_id)
        if isinstance(e, Submission.Received):
            found[key] = {
                "id": key,
                "origin": e.origin_name,
                "headline": e.headline,
                "body": e.body,
                "uri": e.uri,
                "publication": e.publication,
                "received_at": e.timestamp.isoformat(),
                "state": "received",
                "reason": None,
                "decided_by": None,
                "renditions": [r.get("href", "") for r in e.document.get("renditions", [])],
            }
        elif key not in found:
            continue
        elif isinstance(e, Submission.Withdrawn):
            found[key] |= {"state": "withdrawn", "reason": e.note}
        elif isinstance(e, Submission.Decided):
            state = "adopted" if e.adopted else "not_adopted"
            found[key] |= {"state": state, "reason": e.reason, "decided_by": e.actor}
    return sorted(found.values(), key=lambda s: str(s["received_at"]), reverse=True)
