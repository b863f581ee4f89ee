"""舆情 monitoring: feeds, rules, items and their warnings (docs/opinion.md).

Items come in through hub/opinion/intake.py (polled feeds and the signed webhook), which grades
them and sends `CollectItem` or `RepeatItem` as the hub itself; the duty roster decides who may
acknowledge and to whom a warning escalates.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from events.errors import RuleBroken
from events.messages import N_
from events.opinion import WATCH_ROLES, OpinionFeed, OpinionItem, OpinionRule
from events.roles import Role
from events.topic import PROPOSERS
from hub import duty
from hub.commands.assignments import PlanAssignment
from hub.commands.base import ById, ByName, Command, Create, Http
from hub.commands.fields import Channel, Name, Place, Priority, Reason, Title, line, lines
from hub.commands.topics import Day, ProposeTopic
from hub.names import named_id

if TYPE_CHECKING:
    from hub.newsroom import Done, Newsroom, Request

TAG = "opinion"
R = "/api/opinion/rules/{id}"
W = "/api/opinion/warnings/{id}"
Level = Literal["blue", "yellow", "orange", "red"]
Term = Annotated[str, line(100, min_length=1)]


def feed_id(name: str) -> UUID:
    return named_id("opinion-feed", name)


def item_id(url: str) -> UUID:
    """An item's id comes from its URL: the same URL is the same item, stored once."""
    return named_id("opinion-item", url)


class AddFeed(Create):
    """Add an opinion feed (RSS/Atom polled, or a webhook pushed to)."""

    http = Http("POST", "/api/opinion/feeds", TAG, roles=WATCH_ROLES, creates="/api/opinion")
    name: Name
    kind: Literal["rss", "webhook"] = "rss"
    url: str = line(2000, default="")
    every: int = Field(default=300, ge=10, le=86_400, description="seconds between polls")

    def make(self, newsroom: Newsroom, r: Request) -> OpinionFeed:
        return self.new(OpinionFeed.add, r, feed_id(self.name))


class OnFeed(ByName, on=OpinionFeed, abstract=True):
    """What the poller records of the feed it names."""

    def target(self, newsroom: Newsroom) -> UUID:
        return feed_id(self.name)


class ReportFeedFailing(OnFeed):
    """Record that a feed started failing (the poller, once per outage)."""

    calls = "failed"
    error: str = line(500)
    attempts: int = Field(ge=1)


class ReportFeedRecovered(OnFeed):
    """Record that a failing feed answers again."""

    calls = "recovered"


class WriteRule(Create):
    """Write an opinion rule."""

    http = Http("POST", "/api/opinion/rules", TAG, roles=WATCH_ROLES, creates=R)
    name: Title
    level: Level
    terms: list[Term] = Field(default_factory=list, max_length=100)
    places: list[Term] = Field(default_factory=list, max_length=100)
    negative: float | None = Field(default=None, ge=0, le=1)
    volume: int | None = Field(default=None, ge=2, le=100_000)
    window: int | None = Field(default=None, ge=1, le=10_080, description="minutes")

    def make(self, newsroom: Newsroom, r: Request) -> OpinionRule:
        return self.new(OpinionRule.write, r)


class RetireRule(ById, on=OpinionRule):
    """Retire an opinion rule."""

    http = Http("POST", f"{R}/retire", TAG, roles=WATCH_ROLES)
    calls = "retire"
    reason: Reason


class CollectItem(Create):
    """Store an item seen on a feed, graded (intake only)."""

    feed: str
    url: str
    title: str
    text: str
    published: AwareDatetime | None
    fingerprint: str
    negative: float
    hits: list[str]
    level: Level | None
    reasons: list[dict[str, Any]]

    def make(self, newsroom: Newsroom, r: Request) -> OpinionItem:
        return self.new(OpinionItem.collect, r, item_id(self.url))


class OnItem(ById, on=OpinionItem, abstract=True):
    """A change to the item (or its warning) the path names."""


class RepeatItem(OnItem):
    """Record a near-identical item seen again, regraded by the volume (intake only)."""

    calls = "repeat"
    feed: str
    url: str
    level: Level | None
    reasons: list[dict[str, Any]]


class AcknowledgeWarning(OnItem):
    """Acknowledge a warning (the person on duty)."""

    http = Http("POST", f"{W}/ack", TAG)

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        now = duty.now(newsroom, r.at)
        on_duty = r.actor.name in now["on_duty"] or r.actor.name == now["leader"]
        return self.change(
            newsroom, r, lambda i: i.acknowledge(at=r.at, actor=r.actor, on_duty=on_duty)
        )


class EscalateWarning(OnItem):
    """Escalate an unacknowledged warning to the duty leader (the hub, after the wait)."""

    calls = "escalate"
    to: str | None
    after: int


class WarningBecomes(OnItem, abstract=True):
    """Turns a warning into an aggregate of another kind in one step: makes it through that
    kind's own command, then links the warning to it; the answer carries the new id."""

    link: ClassVar[str]  # the warning's field naming what it became, and the answer's
    step: ClassVar[str]  # ends the idempotency key of the inner command
    refusal: ClassVar[str]  # what a second request (not a retry of the first) is told

    def made_from(self, item: OpinionItem) -> Command:
        raise NotImplementedError

    def linked(self, item: OpinionItem, r: Request, made: UUID) -> None:
        raise NotImplementedError

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        item = newsroom.get(OpinionItem, self.id)
        if getattr(item, self.link) is not None:
            replay = newsroom._replay_of(r, self.command_name())  # a retry of this very step
            if replay is not None:
                return replay
            raise RuleBroken(self.refusal)
        # A retry of the whole step (the same Idempotency-Key) replays both answers.
        first = replace(r, key=f"{r.key}:{self.step}"[:128], expected_version=None) if r.key else r
        made = newsroom.handle(first, self.made_from(item))
        return self.change(
            newsroom, r, lambda i: self.linked(i, r, made.id), extra={self.link: str(made.id)}
        )


class AssignWarning(WarningBecomes):
    """Turn a warning into an assignment in one step."""

    http = Http(
        "POST",
        f"{W}/assignment",
        TAG,
        roles=(Role.DISPATCHER,),
        description="Plans an assignment (as POST /api/assignments does) from the warning and "
        "links the two; the answer names the warning and carries the assignment's id.",
    )
    title: Title | None = None
    brief: str = lines(10_000, default="")
    location: Place
    priority: Priority = "urgent"
    channels: list[Channel] = Field(default_factory=list, max_length=10)
    link = "assignment"
    step = "plan"
    refusal = N_("the warning became an assignment already")

    def made_from(self, item: OpinionItem) -> PlanAssignment:
        brief = self.brief or f"{item.title}\n{item.url}".strip()
        return PlanAssignment(
            title=self.title or item.title[:200] or "舆情",
            brief=brief[:10_000],
            location=self.location,
            priority=self.priority,
            channels=list(self.channels),
        )

    def linked(self, item: OpinionItem, r: Request, made: UUID) -> None:
        item.assign(at=r.at, actor=r.actor, assignment=made)


class ProposeWarningTopic(WarningBecomes):
    """Turn a warning into a topic proposal for the meeting of a day, in one step."""

    http = Http(
        "POST",
        f"{W}/topic",
        TAG,
        roles=PROPOSERS,
        description="Proposes a topic (as POST /api/topics does) from the warning and links "
        "the two; the answer names the warning and carries the topic's id.",
    )
    day: str = Day
    title: Title | None = None
    angle: str = lines(5000, default="")
    channels: list[Channel] = Field(default_factory=list, max_length=10)
    link = "topic"
    step = "topic"
    refusal = N_("the warning became a topic already")

    def made_from(self, item: OpinionItem) -> ProposeTopic:
        return ProposeTopic(
            title=self.title or item.title[:200] or "舆情",
            angle=self.angle or f"{item.title}\n{item.url}".strip()[:5000],
            channels=list(self.channels),
            day=self.day,
        )

    def linked(self, item: OpinionItem, r: Request, made: UUID) -> None:
        item.propose_topic(at=r.at, actor=r.actor, topic=made)
