"""Taking 舆情 items in: each stored once, graded by the rules, as the hub itself.

An item whose URL was seen is skipped; one whose text is near-identical to a recent item is a
repeat of it (which may raise its level by volume); anything else is collected with the grade the
rules gave (projections/opinion_rules.py). Items are taken one at a time and the read models are
brought up to each write before the next item is judged, so two copies in one batch (or from two
feeds at once) are still stored once.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from events.roles import SYSTEM_ACTOR
from hub.commands.opinion import CollectItem, RepeatItem, item_id
from hub.errors import AlreadyExists
from hub.newsroom import Newsroom, Request
from hub.opinion import text
from projections.opinion_rules import Rule, Seen, fingerprint, grade, near

log = logging.getLogger(__name__)

NEAR_WINDOW = 2000  # recent sightings compared for near-identical texts


@dataclass(frozen=True)
class Entry:
    """An item as a feed gives it."""

    url: str
    title: str
    text: str = ""
    published: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    """What became of one entry: collected, repeated (of `item`), seen (skipped)."""

    url: str
    result: str
    item: str | None = None
    level: str | None = None


class Intake:
    """Takes entries from feeds, one at a time, into the log."""

    def __init__(self, newsroom: Newsroom) -> None:
        self.newsroom = newsroom
        self._lock = threading.Lock()

    def take(self, feed: str, entries: list[Entry], at: datetime) -> list[Outcome]:
        """Stores each entry once (call from a worker thread)."""
        with self._lock:
            return [self._one(feed, entry, at) for entry in entries if entry.url.strip()]

    def _one(self, feed: str, entry: Entry, at: datetime) -> Outcome:
        models = self.newsroom.read_models
        url = entry.url.strip()[:2000]
        body = f"{entry.title}\n{entry.text}".strip()
        read = text.words(body)
        print_ = fingerprint(read.tokens)
        with models.reading() as m:
            desk = m.opinion.state()
            if url in desk["seen"]:
                return Outcome(url, "seen", desk["seen"][url])
            rules = [Rule.of(r) for r in desk["rules"].values() if not r["retired"]]
            recent = list(desk["recent"])
        like = next(
            (s["item"] for s in reversed(recent[-NEAR_WINDOW:]) if near(s["fingerprint"], print_)),
            None,
        )
        seen = [Seen(_moment(s["at"]), frozenset(s["hits"])) for s in recent]
        negative = text.negativity(body)
        graded = grade(read, negative, at, rules, seen, text.segment)
        request = Request(SYSTEM_ACTOR, at)
        if like is not None:
            self.newsroom.handle(
                request,
                RepeatItem(
                    id=like,
                    feed=feed,
                    url=url,
                    level=graded.level,  # type: ignore[arg-type]
                    reasons=graded.reasons_json(),
                ),
            )
            models.catch_up()
            return Outcome(url, "repeated", like, graded.level)
        try:
            done = self.newsroom.handle(
                request,
                CollectItem(
                    feed=feed,
                    url=url,
                    title=entry.title.strip()[:500],
                    text=entry.text.strip()[:20_000],
                    published=entry.published,
                    fingerprint=print_,
                    negative=negative,
                    hits=graded.hits,
                    level=graded.level,  # type: ignore[arg-type]
                    reasons=graded.reasons_json(),
                ),
            )
        except AlreadyExists:  # another node took it first
            return Outcome(url, "seen", str(item_id(url)))
        models.catch_up()
        return Outcome(url, "collected", str(done.id), graded.level)


def _moment(value: Any) -> datetime:
    return datetime.fromisoformat(value)
