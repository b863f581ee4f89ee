"""舆情 monitoring: the feeds watched, the rules the centre writes, and graded warnings.

An item found on a feed (or pushed by a monitoring service) is stored once: its id comes from its
URL, and a near-identical text seen again is a repeat of the first, not a new item. Grading is
decided where the item is collected (projections/opinion_rules.py, pure) and recorded with the
reasons the rules gave. A graded item is a warning (蓝 / 黄 / 橙 / 红): the person on duty
acknowledges it; an orange or red one left unacknowledged escalates to the duty leader; it can
become an assignment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Unpack
from uuid import UUID

from events.base import Kept, Making, Marks, Moved, NewsroomAggregate, Sets, require_text
from events.errors import InvalidValue, NotPermitted, RuleBroken
from events.messages import N_
from events.roles import Actor, Role

LEVELS = ("blue", "yellow", "orange", "red")  # 蓝 黄 橙 红, lowest first
LEVEL_WORDS = {
    "blue": N_("blue"),
    "yellow": N_("yellow"),
    "orange": N_("orange"),
    "red": N_("red"),
}
ESCALATING = ("orange", "red")
FEED_KINDS = ("rss", "webhook")
WATCH_ROLES = (Role.DESK_HEAD, Role.CHIEF_EDITOR)  # who adds feeds and writes rules


def level_rank(level: str | None) -> int:
    """0 for no warning, 1 (blue) to 4 (red)."""
    return LEVELS.index(level) + 1 if level in LEVELS else 0


class Named(Kept):
    """What a feed or a rule is called."""

    name: str


class Feed(Named):
    """A feed's name, and whether it is polled (rss) or pushed to (webhook)."""

    kind: str


class OpinionFeed(Feed, NewsroomAggregate):
    """A feed the centre watches: RSS/Atom polled, or a webhook a service pushes to."""

    class Added(Feed, NewsroomAggregate.Created):
        url: str
        every: int  # seconds between polls

    class Failing(Marks):
        marks = {"failing": True}
        error: str
        attempts: int

    class Recovered(Marks):
        marks = {"failing": False}

    def __init__(self) -> None:
        self.failing = False

    @classmethod
    def add(
        cls, *, name: str, kind: str, url: str, every: int, **making: Unpack[Making]
    ) -> OpinionFeed:
        making["actor"].require(*WATCH_ROLES, doing=N_("add opinion feeds"))
        if kind not in FEED_KINDS:
            raise InvalidValue("a feed is rss or webhook, not '{kind}'", kind=kind)
        if kind == "rss" and not url.startswith(("http://", "https://")):
            raise InvalidValue("an RSS feed needs an http or https URL")
        return cls._make(cls.Added, making, name=name, kind=kind, url=url, every=every)

    def failed(self, *, at: datetime, actor: Actor, error: str, attempts: int) -> None:
        """Records that the feed started failing (once per outage; retries are not events)."""
        if not self.failing:
            self._record(self.Failing, at, actor.name, error=error[:500], attempts=attempts)

    def recovered(self, *, at: datetime, actor: Actor) -> None:
        if self.failing:
            self._record(self.Recovered, at, actor.name)


class OpinionRule(Named, NewsroomAggregate):
    """A rule that grades items: every condition it names must hold (terms, places, negative
    sentiment, volume over a window); the item then gets at least the rule's level."""

    class Written(Named, NewsroomAggregate.Created):
        level: str
        terms: list[str]
        places: list[str]
        negative: float | None
        volume: int | None
        window: int | None  # minutes

    class Retired(Marks):
        marks = {"retired": True}
        reason: str

    def __init__(self) -> None:
        self.retired = False

    @classmethod
    def write(
        cls,
        *,
        name: str,
        level: str,
        terms: list[str],
        places: list[str],
        negative: float | None,
        volume: int | None,
        window: int | None,
        **making: Unpack[Making],
    ) -> OpinionRule:
        making["actor"].require(*WATCH_ROLES, doing=N_("write opinion rules"))
        if level not in LEVELS:
            raise InvalidValue("a level is blue, yellow, orange or red, not '{level}'", level=level)
        terms = list(dict.fromkeys(t.strip() for t in terms if t.strip()))
        places = list(dict.fromkeys(p.strip() for p in places if p.strip()))
        if not terms and not places and negative is None and volume is None:
            raise InvalidValue("a rule needs a condition: terms, places, negativity or volume")
        if negative is not None and not 0 <= negative <= 1:
            raise InvalidValue("negativity is between 0 and 1")
        if (volume is None) != (window is None):
            raise InvalidValue("a volume needs its window in minutes, and a window its volume")
        if volume is not None and window is not None and (volume < 2 or window < 1):
            raise InvalidValue("a volume is at least 2 items in at least 1 minute")
        return cls._make(
            cls.Written,
            making,
            name=name,
            level=level,
            terms=terms,
            places=places,
            negative=negative,
            volume=volume,
            window=window,
        )

    def retire(self, *, at: datetime, actor: Actor, reason: str) -> None:
        actor.require(*WATCH_ROLES, doing=N_("write opinion rules"))
        if self.retired:
            raise RuleBroken("the rule is retired already")
        reason = require_text(reason, N_("reason"), max_length=2000)
        self._record(self.Retired, at, actor.name, reason=reason)


class OpinionItem(NewsroomAggregate):
    """An item seen on a feed, with the repeats of its text; graded, it is a warning."""

    class Collected(NewsroomAggregate.Created):
        feed: str
        url: str
        title: str
        text: str
        published: datetime | None
        fingerprint: str
        negative: float
        hits: list[str]  # the rule terms and places it mentions
        level: str | None
        reasons: list[dict[str, Any]]  # messages (events/messages.py as_json)

    class Repeated(NewsroomAggregate.Event):
        feed: str
        url: str

    class Regraded(NewsroomAggregate.Event):
        title: str
        level: str
        reasons: list[dict[str, Any]]

        def apply(self, i: OpinionItem) -> None:
            i.level = self.level
            if i.state == "quiet":
                i.state = "raised"

    class Acknowledged(Moved):
        state = "acknowledged"

    class Escalated(Moved):
        state = "escalated"
        to: str | None  # the duty leader at that moment (none when no shift runs)
        after: int  # seconds it waited unacknowledged

    class Assigned(Sets):
        assignment: UUID

    class TopicProposed(Sets):
        topic: UUID

    def __init__(self, level: str | None, title: str, url: str) -> None:
        self.level = level
        self.title = title
        self.url = url
        self.topic: UUID | None = None
        self.state = "raised" if level else "quiet"
        self.assignment: UUID | None = None

    @classmethod
    def collect(
        cls,
        *,
        feed: str,
        url: str,
        title: str,
        text: str,
        published: datetime | None,
        fingerprint: str,
        negative: float,
        hits: list[str],
        level: str | None,
        reasons: list[dict[str, Any]],
        **making: Unpack[Making],
    ) -> OpinionItem:
        if not title.strip() and not text.strip():
            raise InvalidValue("an item needs a title or a text")
        return cls._make(
            cls.Collected,
            making,
            feed=feed,
            url=url,
            title=title.strip()[:500],
            text=text.strip()[:20_000],
            published=published,
            fingerprint=fingerprint,
            negative=negative,
            hits=hits,
            level=level,
            reasons=reasons,
        )

    def repeat(
        self,
        *,
        at: datetime,
        actor: Actor,
        feed: str,
        url: str,
        level: str | None,
        reasons: list[dict[str, Any]],
    ) -> None:
        """The same text seen again (another URL); the volume may raise its level."""
        self._record(self.Repeated, at, actor.name, feed=feed, url=url)
        if level is not None and level_rank(level) > level_rank(self.level):
            self._record(
                self.Regraded, at, actor.name, title=self.title, level=level, reasons=reasons
            )

    def acknowledge(self, *, at: datetime, actor: Actor, on_duty: bool) -> None:
        if not on_duty and not actor.has(Role.CHIEF_EDITOR):
            raise NotPermitted(
                "{actor} is not on duty: the person on duty acknowledges warnings",
                actor=actor.name,
            )
        if self.state == "quiet":
            raise RuleBroken("no rule graded this item: there is no warning to acknowledge")
        if self.state == "acknowledged":
            raise RuleBroken("the warning is acknowledged already")
        self._record(self.Acknowledged, at, actor.name)

    def escalate(self, *, at: datetime, actor: Actor, to: str | None, after: int) -> None:
        if self.state != "raised" or self.level not in ESCALATING:
            raise RuleBroken("only an unacknowledged orange or red warning escalates")
        self._record(self.Escalated, at, actor.name, to=to, after=after)

    def assign(self, *, at: datetime, actor: Actor, assignment: UUID) -> None:
        actor.require(Role.DISPATCHER, doing=N_("turn warnings into assignments"))
        if self.assignment is not None:
            raise RuleBroken("the warning became an assignment already")
        self._record(self.Assigned, at, actor.name, assignment=assignment)

    def propose_topic(self, *, at: datetime, actor: Actor, topic: UUID) -> None:
        if self.topic is not None:
            raise RuleBroken("the warning became a topic already")
        self._record(self.TopicProposed, at, actor.name, topic=topic)
