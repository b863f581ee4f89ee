"""Polling RSS/Atom feeds on their schedules, each on its own, with backoff when one breaks.

A feed that times out, answers an error status or sends what is not a feed is retried sooner, then
less and less often (doubling from `retry_first` up to its own interval); the first failure of an
outage is an event (the wall says so) and so is the recovery; retries in between are not. Its
health (state, failures in a row, the last error, the next attempt) is kept here for the API and
/api/health. One feed's trouble never holds up another: each poll is its own task with a timeout.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from calendar import timegm
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.sax import SAXException

import feedparser
import httpx

from events.roles import SYSTEM_ACTOR
from hub.commands.opinion import ReportFeedFailing, ReportFeedRecovered
from hub.newsroom import Newsroom, Request
from hub.opinion.intake import Entry, Intake

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 5_000_000
MAX_ENTRIES = 200


class FeedBroken(Exception):
    """The feed could not be read: what went wrong, in words for the wall."""


@dataclass
class Health:
    """How one feed is doing, as this process sees it."""

    state: str = "waiting"  # waiting, ok, failing
    failures: int = 0
    last_error: str | None = None
    last_ok: str | None = None
    next_at: float = 0.0  # monotonic
    items: int = 0

    def as_dict(self) -> dict[str, Any]:
        wait = max(0.0, self.next_at - time.monotonic())
        return {
            "state": self.state,
            "failures": self.failures,
            "last_error": self.last_error,
            "last_ok": self.last_ok,
            "next_in": round(wait, 1),
            "items": self.items,
        }


@dataclass
class Poller:
    """Polls every RSS feed the read models list, when it is due."""

    newsroom: Newsroom
    intake: Intake
    timeout: float = 10.0
    retry_first: float = 5.0
    tick: float = 1.0
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    health: dict[str, Health] = field(default_factory=dict)
    _running: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    def feeds(self) -> list[dict[str, Any]]:
        with self.newsroom.read_models.reading() as models:
            return [dict(f) for f in models.opinion.state()["feeds"].values() if f["kind"] == "rss"]

    async def run(self) -> None:
        """Starts each due feed's poll as its own task, until cancelled."""
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=True) as client:
            try:
                while True:
                    try:
                        feeds = await asyncio.to_thread(self.feeds)
                    except RuntimeError:  # the loop's threads are shutting down: so is the hub
                        return
                    for feed in feeds:
                        self._start_if_due(client, feed)
                    await asyncio.sleep(self.tick)
            finally:
                for task in self._running.values():
                    task.cancel()
                await asyncio.gather(*self._running.values(), return_exceptions=True)

    def _start_if_due(self, client: httpx.AsyncClient, feed: dict[str, Any]) -> None:
        name = feed["name"]
        health = self.health.setdefault(name, Health())
        busy = name in self._running and not self._running[name].done()
        if busy or time.monotonic() < health.next_at:
            return
        self._running[name] = asyncio.create_task(self.poll(client, feed), name=f"feed-{name}")

    async def poll(self, client: httpx.AsyncClient, feed: dict[str, Any]) -> None:
        """Reads one feed once, takes its entries in, and schedules the next poll."""
        name = feed["name"]
        health = self.health.setdefault(name, Health())
        try:
            entries = await asyncio.wait_for(fetch(client, feed["url"]), self.timeout * 1.5)
            outcomes = await asyncio.to_thread(self.intake.take, name, entries, self.now())
        except (FeedBroken, httpx.HTTPError, TimeoutError) as error:
            await self._failed(feed, health, words(error))
            return
        except Exception as error:  # a bug on one feed must not stop the others
            log.exception("feed %s could not be taken in", name)
            await self._failed(feed, health, words(error))
            return
        health.items += sum(1 for o in outcomes if o.result != "seen")
        health.last_ok = self.now().isoformat()
        health.next_at = time.monotonic() + feed["every"]
        if health.state == "failing":
            await self._report(ReportFeedRecovered(name=name))
        health.state, health.failures, health.last_error = "ok", 0, None

    async def _failed(self, feed: dict[str, Any], health: Health, error: str) -> None:
        health.failures += 1
        health.last_error = error
        wait = min(float(feed["every"]), self.retry_first * 2 ** (health.failures - 1))
        health.next_at = time.monotonic() + wait
        log.warning("feed %s failed (%d in a row): %s", feed["name"], health.failures, error)
        if health.state != "failing":
            health.state = "failing"
            attempts = health.failures
            await self._report(ReportFeedFailing(name=feed["name"], error=error, attempts=attempts))

    async def _report(self, command: Any) -> None:
        request = Request(SYSTEM_ACTOR, self.now())
        try:
            await asyncio.to_thread(self.newsroom.handle, request, command)
        except Exception:  # the store may be away: the health here still says it
            log.exception("could not record the state of a feed")


async def fetch(client: httpx.AsyncClient, url: str) -> list[Entry]:
    """The feed's entries, or FeedBroken saying why not."""
    async with client.stream("GET", url, headers={"Accept": "application/rss+xml, */*"}) as got:
        if got.status_code >= 400:
            raise FeedBroken(f"HTTP {got.status_code}")
        body = bytearray()
        async for chunk in got.aiter_bytes():
            body += chunk
            if len(body) > MAX_FEED_BYTES:
                raise FeedBroken("the feed is larger than 5 MB")
    return await asyncio.to_thread(parse, bytes(body))


def parse(body: bytes) -> list[Entry]:
    """The entries of an RSS or Atom document; FeedBroken when it is not one."""
    parsed = feedparser.parse(body)
    problem = parsed.get("bozo_exception")
    # feedparser reads on past broken XML with its loose parser; a feed that is not well-formed
    # is broken all the same (what it would give is a guess), so it is retried and reported.
    if parsed.bozo and (not parsed.entries or isinstance(problem, SAXException)):
        raise FeedBroken(f"not a feed: {problem or 'unreadable'}"[:300])
    if not parsed.get("version") and not parsed.entries:
        raise FeedBroken("not a feed: no RSS or Atom element")
    return [entry_of(e) for e in parsed.entries[:MAX_ENTRIES]]


def entry_of(e: Any) -> Entry:
    published = e.get("published_parsed") or e.get("updated_parsed")
    when = datetime.fromtimestamp(timegm(published), UTC) if published else None
    summary = plain(e.get("summary") or "")
    return Entry(
        url=e.get("link") or e.get("id") or "",
        title=e.get("title", ""),
        text=summary,
        published=when,
    )


TAG = re.compile(r"<[^>]*>")


def plain(markup: str) -> str:
    """A summary's text without its markup (feeds send HTML; the rules read words)."""
    return html.unescape(TAG.sub(" ", markup)).strip()


def words(error: BaseException) -> str:
    if isinstance(error, TimeoutError | httpx.TimeoutException):
        return "timed out"
    text = str(error) or type(error).__name__
    return text[:300]
