"""The 舆情 desk's read model: feeds and their health, rules, items with their warnings, and
what intake needs to store each item once (the URLs seen, the recent fingerprints and mentions).
"""

from __future__ import annotations

from typing import Any, ClassVar

from events.opinion import OpinionFeed, OpinionItem, OpinionRule
from projections.base import SectionsModel, event_fold, iso

KEEP_ITEMS = 2000
KEEP_SEEN = 20_000  # URLs remembered beyond the items kept (a feed repeats its entries)
KEEP_RECENT = 5000  # sightings kept for volume and near-identical texts


class OpinionDesk(SectionsModel):
    """Feeds, rules, items and warnings."""

    name: ClassVar[str] = "opinion"
    sections: ClassVar[dict[str, Any]] = {
        "feeds": {},
        "rules": {},
        "items": {},
        "seen": {},
        "recent": [],
        "titles": {},
    }
    _on = event_fold()

    @_on.register
    def _(self, e: OpinionFeed.Added) -> None:
        self._add_named(
            "feeds",
            e,
            {
                "kind": e.kind,
                "url": e.url,
                "every": e.every,
                "added_by": e.actor,
                "failing": False,
                "error": None,
                "since": iso(e.timestamp),
            },
        )

    @_on.register
    def _(self, e: OpinionFeed.Failing) -> None:
        self._s.update("feeds", self._name(e), failing=True, error=e.error, since=iso(e.timestamp))

    @_on.register
    def _(self, e: OpinionFeed.Recovered) -> None:
        self._s.update("feeds", self._name(e), failing=False, error=None, since=iso(e.timestamp))

    @_on.register
    def _(self, e: OpinionRule.Written) -> None:
        self._add(
            "rules",
            e,
            {
                "name": e.name,
                "level": e.level,
                "terms": list(e.terms),
                "places": list(e.places),
                "negative": e.negative,
                "volume": e.volume,
                "window": e.window,
                "written_by": e.actor,
                "retired": False,
            },
        )

    @_on.register
    def _(self, e: OpinionRule.Retired) -> None:
        self._mark("rules", e, retired=True)

    @_on.register
    def _(self, e: OpinionItem.Collected) -> None:
        key = self._add(
            "items",
            e,
            {
                "feed": e.feed,
                "url": e.url,
                "title": e.title,
                "text": e.text,
                "published": iso(e.published),
                "collected_at": iso(e.timestamp),
                "fingerprint": e.fingerprint,
                "negative": e.negative,
                "hits": list(e.hits),
                "level": e.level,
                "reasons": list(e.reasons),
                "state": "raised" if e.level else "quiet",
                "raised_at": iso(e.timestamp) if e.level else None,
                "repeats": 0,
                "acknowledged_by": None,
                "escalated_to": None,
                "assignment": None,
                "topic": None,
            },
            KEEP_ITEMS,
        )
        self._saw(e.url, key, e)

    @_on.register
    def _(self, e: OpinionItem.Repeated) -> None:
        key = str(e.originator_id)
        item = self._s.data["items"].get(key)
        if item is not None:
            self._s.update("items", key, repeats=item["repeats"] + 1)
            self._saw(e.url, key, e, item["hits"], item["fingerprint"])
        else:
            self._saw(e.url, key, e)

    @_on.register
    def _(self, e: OpinionItem.Regraded) -> None:
        key = str(e.originator_id)
        item = self._s.data["items"].get(key)
        if item is not None:
            state = "raised" if item["state"] == "quiet" else item["state"]
            raised_at = item["raised_at"] or iso(e.timestamp)
            self._s.update(
                "items",
                key,
                level=e.level,
                reasons=list(e.reasons),
                state=state,
                raised_at=raised_at,
            )

    @_on.register
    def _(self, e: OpinionItem.Acknowledged) -> None:
        self._handled(e, "acknowledged", acknowledged_by=e.actor)

    @_on.register
    def _(self, e: OpinionItem.Escalated) -> None:
        self._handled(e, "escalated", escalated_to=e.to)

    @_on.register
    def _(self, e: OpinionItem.Assigned) -> None:
        self._mark("items", e, assignment=str(e.assignment))

    @_on.register
    def _(self, e: OpinionItem.TopicProposed) -> None:
        self._mark("items", e, topic=str(e.topic))

    def _handled(self, e: Any, state: str, **fields: Any) -> None:
        """The warning was acted on: its `state`, `fields`, and when (`<state>_at`)."""
        self._mark("items", e, state=state, **fields, **{f"{state}_at": iso(e.timestamp)})

    def _saw(
        self,
        url: str,
        key: str,
        e: Any,
        hits: list[str] | None = None,
        fingerprint: str | None = None,
    ) -> None:
        """Remembers the URL and the sighting (quietly: intake reads these, nobody watches)."""
        data = self._s.data
        data["seen"][url] = key
        if len(data["seen"]) > KEEP_SEEN:
            for old in list(data["seen"])[: len(data["seen"]) - KEEP_SEEN]:
                del data["seen"][old]
        sighting = {
            "item": key,
            "at": iso(e.timestamp),
            "hits": list(hits if hits is not None else getattr(e, "hits", [])),
            "fingerprint": fingerprint or getattr(e, "fingerprint", ""),
        }
        data["recent"].append(sighting)
        del data["recent"][:-KEEP_RECENT]


def warnings(state: dict[str, Any]) -> list[dict[str, Any]]:
    """Graded items: unacknowledged first (escalated, then raised), then by level, newest first."""
    order = {"escalated": 0, "raised": 1, "acknowledged": 2}
    ranks = {"red": 0, "orange": 1, "yellow": 2, "blue": 3}
    found = [i for i in state["items"].values() if i["level"]]
    found.sort(key=lambda i: i["raised_at"] or "", reverse=True)
    found.sort(key=lambda i: (order.get(i["state"], 3), ranks.get(i["level"], 4)))
    return found
