"""The topic meeting (选题会): propose, decide, and make assignments from an approved topic;
and the centre's scoring rule for the evaluation (考核).

Making assignments is one request that plans each assignment (and assigns its reporter) through
the assignment commands themselves, each naming the topic. A retried request (same
Idempotency-Key) makes nothing twice: each inner command carries a key derived from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from events.roles import Role
from events.scoring import DEFAULT_RULE, ScoringRule, checked_rule
from events.topic import ASSIGNERS, DECIDERS, PROPOSERS, Topic
from hub.commands.assignments import AssignReporter, PlanAssignment
from hub.commands.base import ById, Command, Create, Http
from hub.commands.fields import Channel, Moment, Name, Place, Priority, Title, line, lines
from hub.names import named_id

if TYPE_CHECKING:
    from hub.newsroom import Done, Newsroom, Request

T = "/api/topics/{id}"
TAG = "topics"
Day = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="a day, like 2026-12-07")
RULE_ID = named_id("scoring-rule", "centre")


class ProposeTopic(Create):
    """Propose a topic for the meeting of a day."""

    http = Http("POST", "/api/topics", TAG, roles=PROPOSERS, creates=T)

    title: Title
    angle: str = lines(5000, default="")
    channels: list[Channel] = Field(default_factory=list, max_length=10)
    resources: str = lines(2000, default="", description="people, kit, vehicles it needs")
    day: str = Day
    lead: UUID | None = Field(default=None, description="the lead (tip) it comes from")

    def make(self, newsroom: Newsroom, r: Request) -> Topic:
        return self.new(Topic.propose, r)


class OnTopic(ById, on=Topic, noun="topic", abstract=True):
    """A change to the topic the path names."""


class DecideTopic(OnTopic):
    """Record the meeting's decision on a topic: approve, defer or drop, with a reason."""

    http = Http("POST", f"{T}/decision", TAG, roles=DECIDERS)
    calls = "decide"
    decision: Literal["approve", "defer", "drop"]
    reason: str = lines(2000, min_length=1)
    defer_to: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        description="the later meeting a deferred topic goes to (default: the next day)",
    )


class TopicAssignment(BaseModel):
    """One assignment to plan from a topic (its title and channels default to the topic's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str | None = line(200, min_length=1, default=None)
    brief: str = lines(10_000, default="")
    location: Place
    priority: Priority = "normal"
    due: Moment | None = None
    channels: list[Channel] | None = Field(default=None, max_length=10)
    reporter: Name | None = None


class MakeAssignments(Command, noun="topic"):
    """Make assignments from an approved topic, in one step."""

    http = Http("POST", f"{T}/assignments", TAG, roles=ASSIGNERS)
    id: UUID
    assignments: list[TopicAssignment] = Field(min_length=1, max_length=20)

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        from hub.newsroom import Done, Request

        topic = newsroom.get(Topic, self.id)
        topic.require_approved(r.actor)
        for wanted in self.assignments:
            if wanted.reporter is not None:
                AssignReporter(id=self.id, reporter=wanted.reporter).check(newsroom, r)
        made: list[str] = []
        for n, wanted in enumerate(self.assignments):

            def inner(step: str, n: int = n) -> Request:
                key = None if r.key is None else f"{r.key[:100]}/{n}/{step}"
                return Request(r.actor, r.at, key)

            plan = PlanAssignment(
                title=wanted.title or topic.title,
                brief=wanted.brief or topic.angle,
                location=wanted.location,
                priority=wanted.priority,
                due=wanted.due,
                channels=list(wanted.channels if wanted.channels is not None else topic.channels),  # type: ignore[arg-type]
                topic=self.id,
            )
            done = newsroom.handle(inner("plan"), plan)
            if wanted.reporter is not None:
                newsroom.handle(
                    inner("assign"), AssignReporter(id=done.id, reporter=wanted.reporter)
                )
            made.append(str(done.id))
        return Done(self.id, topic.version, {"assignments": made})


class SetScoringRule(Command):
    """Set the centre's scoring rule for the evaluation."""

    http = Http("PUT", "/api/evaluation/rule", "evaluation", roles=(Role.CHIEF_EDITOR,))
    channels: dict[Channel, float] = Field(description="points per publication on each channel")
    capture: float = Field(default=0.0, description="points per capture")
    fast_track: float = Field(default=0.0, description="points per fast-tracked product")
    adoption: dict[Literal["prefecture", "province", "national"], float] = Field(
        default_factory=dict, description="bonus per adoption at each level"
    )
    desks: dict[str, list[Name]] = Field(
        default_factory=dict, max_length=50, description="desk name -> its people"
    )
    reason: str = lines(2000, min_length=1)

    def rule(self) -> dict[str, Any]:
        return checked_rule(
            {str(k): v for k, v in self.channels.items()},
            self.capture,
            self.fast_track,
            {str(k): v for k, v in self.adoption.items()},
            self.desks,
        )

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        rule = self.rule()
        return self.create_or_change(
            newsroom,
            r,
            ScoringRule,
            RULE_ID,
            lambda: ScoringRule.start(
                id=RULE_ID, at=r.at, actor=r.actor, rule=rule, reason=self.reason
            ),
            lambda s: s.change(at=r.at, actor=r.actor, rule=rule, reason=self.reason),
        )


def default_rule() -> dict[str, Any]:
    """The rule in force before the centre sets one."""
    return checked_rule(**DEFAULT_RULE)
