"""Each outlet's delivery shows in the publishing matrix's cell of the product (a pure fold)."""

from __future__ import annotations

from itertools import count
from typing import Any
from uuid import uuid4

from events.delivery import Delivery
from events.story import Story
from projections.base import Logged
from projections.matrix import PublishingMatrix
from tests.events.helpers import REPORTER, at

positions = count(1)


def fold(matrix: PublishingMatrix, *aggregates: Any) -> None:
    for aggregate in aggregates:
        for event in aggregate.collect_events():
            matrix.apply(Logged(next(positions), event.timestamp, event))


def test_a_cell_shows_each_outlets_delivery_through_its_attempts() -> None:
    story = Story.draft(
        id=uuid4(), at=at(), actor=REPORTER, assignment=None, title="Levee", body="", captures=[]
    )
    hook = Delivery.queue(
        at=at(), actor="hub", outlet=uuid4(), outlet_name="wechat-gw", kind="webhook",
        subject=uuid4(), subject_version=4, story=story.id, channel="wechat", publication=1,
        action="publish", headline="Levee",
    )  # fmt: skip
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
