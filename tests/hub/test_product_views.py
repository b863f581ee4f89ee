"""Product events in the read models: the matrix cell, the wall's words, the audit line."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from events.channel_profile import DEFAULT_PROFILES
from events.product import Content, MediaFact, Product
from events.roles import SYSTEM_ACTOR
from events.story import Story
from hub.readmodels import Models
from projections.base import Logged
from tests.events.helpers import CHIEF, DESK_HEAD, EDITOR, EDITOR_2, at

PHOTO = uuid4()


def fold(models: Models, events: list[Any], start: int) -> list[Any]:
    entries = []
    for n, event in enumerate(events, start):
        entries.append(models.fold(Logged(n, event.timestamp, event))[1])
    return entries


def test_a_fast_tracked_product_is_flagged_on_the_wall_in_the_audit_and_the_matrix() -> None:
    models = Models.empty()
    story = Story.draft(
        id=uuid4(), at=at(), actor=EDITOR, assignment=None, title="Flood", body="", captures=[]
    )
    fold(models, story.collect_events(), 1)
    p = Product.make(
        at=at(),
        actor=EDITOR,
        story=story.id,
        channel="wechat",
        content=Content("Flood: roads shut", "Body", cover=PHOTO),
        profile=DEFAULT_PROFILES["wechat"],
        facts={PHOTO: MediaFact("a" * 64, "photo")},
    )
    p.fast_track_now(at=at(), actor=CHIEF, reason="breaking", profile=DEFAULT_PROFILES["wechat"])
    p.publish(at=at(), actor=EDITOR)
    entries = fold(models, p.collect_events(), 2)
    cell = models.matrix.state()["stories"][str(story.id)]["products"]["wechat"]
    assert (cell["state"], cell["cleared"], cell["fast_track"]["reason"]) == (
        "published",
        "fast_track",
        "breaking",
    )
    wall = models.wall.state()
    assert wall["publications"][-1]["fast_track"] is True
    alert = wall["alerts"][-1]
    assert alert["msg"].startswith("FAST TRACK") and alert["args"]["reason"] == "breaking"
    said = [str(e.summary) for e in entries]
    assert said[1].startswith("FAST TRACK: approved 'Flood: roads shut' (WeChat) in one step")
    assert entries[1].reason == "breaking" and entries[0].related == str(story.id)


def test_review_queues_and_schedules() -> None:
    models = Models.empty()
    p = Product.make(
        at=at(),
        actor=EDITOR,
        story=uuid4(),
        channel="weibo",
        content=Content("Flood", ""),
        profile=DEFAULT_PROFILES["weibo"],
        facts={},
    )
    p.submit(at=at(), actor=EDITOR, profile=DEFAULT_PROFILES["weibo"])
    fold(models, p.collect_events(), 1)
    queue = models.wall.state()["reviews"][str(p.id)]
    assert (queue["level_name"], queue["kind"], queue["channel"]) == ("first", "product", "weibo")
    for reviewer in (EDITOR_2, DESK_HEAD, CHIEF):
        p.review(at=at(), actor=reviewer, decision="approve", reason="")
    when = at() + timedelta(hours=1)
    p.schedule(at=at(), actor=EDITOR, publish_at=when)
    fold(models, p.collect_events(), 3)
    assert str(p.id) not in models.wall.state()["reviews"]
    assert list(models.matrix.state()["scheduled"]) == [str(p.id)]
    p.publish_scheduled(at=when, actor=SYSTEM_ACTOR)
    entries = fold(models, p.collect_events(), 10)
    assert models.matrix.state()["scheduled"] == {}
    assert models.matrix.state()["products"][str(p.id)]["published_by"] == "eddie"
    assert str(entries[-1].summary).endswith("as scheduled by eddie")
