"""Each outlet's delivery shows in the publishing matrix's cell of the product, and an adoption
upward counts in the evaluation (pure folds)."""

from __future__ import annotations

from itertools import count
from typing import Any
from uuid import uuid4

from events.delivery import Delivery
from events.story import Story
from projections.base import Logged, iso
from projections.evaluation import EvaluationFacts
from projections.matrix import PublishingMatrix
from tests.events.helpers import REPORTER, at

positions = count(1)


def fold(projection: PublishingMatrix | EvaluationFacts, *aggregates: Any) -> None:
    for aggregate in aggregates:
        for event in aggregate.collect_events():
            projection.apply(Logged(next(positions), event.timestamp, event))


def published(outlet_name: str, kind: str, channel: str) -> tuple[Story, Delivery]:
    """A story, "Levee", and its first publication queued for one outlet of a channel."""
    story = Story.draft(
        id=uuid4(), at=at(), actor=REPORTER, assignment=None, title="Levee", body="", captures=[]
    )
    delivery = Delivery.queue(
        at=at(), actor="hub", outlet=uuid4(), outlet_name=outlet_name, kind=kind,
        subject=uuid4(), subject_version=4, story=story.id, channel=channel, publication=1,
        action="publish", headline="Levee",
    )  # fmt: skip
    return story, delivery


def test_a_cell_shows_each_outlets_delivery_through_its_attempts() -> None:
    story, hook = published("wechat-gw", "webhook", "wechat")
    matrix = PublishingMatrix()
    fold(matrix, story, hook)
    cell = matrix.state()["stories"][str(story.id)]["channels"]["wechat"]
    assert cell["deliveries"]["wechat-gw"]["state"] == "queued"
    attempt = hook.attempt(at=at(), actor="hub", node="a")
    hook.fail(at=at(), actor="hub", attempt=attempt, reason="HTTP 503")
    fold(matrix, hook)
    line = cell["deliveries"]["wechat-gw"]
    assert (line["state"], line["attempts"], line["reason"]) == ("failed", 1, "HTTP 503")
    assert line["next_at"] is not None
    attempt = hook.attempt(at=at(), actor="hub", node="a")
    hook.succeed(at=at(), actor="hub", attempt=attempt, detail="HTTP 204")
    fold(matrix, hook)
    assert (line["state"], line["attempts"], line["reason"]) == ("delivered", 2, None)


def test_an_adoption_upward_counts_for_the_storys_people_at_the_outlets_level() -> None:
    story, up = published("province", "hub", "app")
    attempt = up.attempt(at=at(), actor="hub", node="a")
    up.succeed(at=at(), actor="hub", attempt=attempt, detail="HTTP 200")
    up.decide(at=(moment := at()), actor="hub", adopted=True, reason="", by="省融媒体中心")
    facts = EvaluationFacts()
    fold(facts, story, up)
    assert facts.state()["adoptions"] == [[iso(moment), ["rui"], "province"]]
