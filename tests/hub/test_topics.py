"""The topic meeting and the evaluation through the store (SQLite and PostgreSQL): commands, the
topic book, the facts the evaluation counts, replay, and the scoring rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from events.errors import NotPermitted, RuleBroken
from hub.commands.assignments import AcceptAssignment, FileAssignment
from hub.commands.fields import Place
from hub.commands.stories import DraftStory, PublishStory, ReviewStory, SubmitStory
from hub.commands.topics import (
    DecideTopic,
    MakeAssignments,
    ProposeTopic,
    SetScoringRule,
    TopicAssignment,
)
from hub.errors import NotFound
from hub.newsroom import Newsroom
from hub.readmodels import ReadModels
from projections.evaluation import report
from projections.topics import meeting
from tests.conftest import Staff, capture_of

DAY = "2026-12-07"
LEVEE = Place(name="levee", lat=30.0, lon=120.0)


def propose(staff: Staff, who: str = "rui", title: str = "Flood defences") -> UUID:
    command = ProposeTopic(title=title, angle="who pays", channels=["tv", "wechat"], day=DAY)
    return staff.newsroom.handle(staff.req(who), command).id


def approved(staff: Staff) -> UUID:
    topic = propose(staff)
    staff.newsroom.handle(
        staff.req("chen"), DecideTopic(id=topic, decision="approve", reason="strong angle")
    )
    return topic


def models(newsroom: Newsroom) -> ReadModels:
    read = ReadModels(newsroom)
    read.start()
    return read


def test_a_meeting_decides_and_its_minutes_hold_each_decision_with_its_reason(
    newsroom: Newsroom, staff: Staff
) -> None:
    first = approved(staff)
    second = propose(staff, "eddie", "Night market")
    newsroom.handle(
        staff.req("dora"), DecideTopic(id=second, decision="defer", reason="after the holiday")
    )
    third = propose(staff, "lin", "Old bridge")
    held = meeting(models(newsroom).models.topics.state(), DAY)
    assert [t["id"] for t in held["topics"]] == [str(first), str(second), str(third)]
    assert [(m["title"], m["decision"], m["reason"], m["by"]) for m in held["minutes"]] == [
        ("Flood defences", "approve", "strong angle", "chen"),
        ("Night market", "defer", "after the holiday", "dora"),
    ]
    later = meeting(models(newsroom).models.topics.state(), "2026-12-08")
    assert [(t["title"], t["state"]) for t in later["topics"]] == [("Night market", "deferred")]


def test_an_approved_topic_becomes_assignments_in_one_step_and_a_retry_makes_none_twice(
    newsroom: Newsroom, staff: Staff
) -> None:
    topic = approved(staff)
    command = MakeAssignments(
        id=topic,
        assignments=[
            TopicAssignment(location=LEVEE, reporter="rui"),
            TopicAssignment(title="Levee on Douyin", location=LEVEE, channels=["douyin"]),
        ],
    )
    done = newsroom.handle(staff.req("chen", key="meeting-1"), command)
    again = newsroom.handle(staff.req("chen", key="meeting-1"), command)
    assert again.extra["assignments"] == done.extra["assignments"]
    held = meeting(models(newsroom).models.topics.state(), DAY)
    made = held["topics"][0]["assignments"]
    assert [(a["title"], a["reporter"], a["state"], a["channels"]) for a in made] == [
        ("Flood defences", "rui", "assigned", ["tv", "wechat"]),
        ("Levee on Douyin", None, "planned", ["douyin"]),
    ]
    assert [a["id"] for a in made] == done.extra["assignments"]
    assert held["minutes"][0]["assignments"] == made
    wall = models(newsroom).models.wall.state()
    assert set(done.extra["assignments"]) <= set(wall["assignments"])


def test_no_assignment_is_made_from_a_topic_not_approved_or_for_someone_not_a_reporter(
    newsroom: Newsroom, staff: Staff
) -> None:
    topic = propose(staff)
    one = [TopicAssignment(location=LEVEE)]
    with pytest.raises(RuleBroken, match="only an approved topic"):
        newsroom.handle(staff.req("chen"), MakeAssignments(id=topic, assignments=one))
    newsroom.handle(staff.req("chen"), DecideTopic(id=topic, decision="approve", reason="go"))
    with pytest.raises(NotPermitted):
        newsroom.handle(staff.req("eddie"), MakeAssignments(id=topic, assignments=one))
    nobody = [TopicAssignment(location=LEVEE, reporter="eddie")]
    with pytest.raises(NotFound, match="not a reporter"):
        newsroom.handle(staff.req("chen"), MakeAssignments(id=topic, assignments=nobody))
    held = meeting(models(newsroom).models.topics.state(), DAY)
    assert held["topics"][0]["assignments"] == []


def publish_from_topic(newsroom: Newsroom, staff: Staff) -> tuple[UUID, UUID]:
    """Rui covers an approved topic: a photo, a story, three reviews, TV and WeChat."""
    topic = approved(staff)
    done = newsroom.handle(
        staff.req("chen"),
        MakeAssignments(id=topic, assignments=[TopicAssignment(location=LEVEE, reporter="rui")]),
    )
    assignment = UUID(done.extra["assignments"][0])
    newsroom.handle(staff.req("rui"), AcceptAssignment(id=assignment))
    photo = capture_of("levee.jpg", "image/jpeg", assignment=assignment, size=4)
    capture = newsroom.handle(staff.req("rui"), photo).id
    newsroom.handle(staff.req("rui"), FileAssignment(id=assignment))
    story = newsroom.handle(
        staff.req("eddie"),
        DraftStory(assignment=assignment, title="Levee", body="text", captures=[capture]),
    ).id
    newsroom.handle(staff.req("eddie"), SubmitStory(id=story))
    for reviewer in ("eddie", "dora", "chen"):
        newsroom.handle(staff.req(reviewer), ReviewStory(id=story, decision="approve", reason=""))
    newsroom.handle(staff.req("chen"), PublishStory(id=story, channels=["tv", "wechat"]))
    return assignment, story


def test_the_evaluation_counts_a_period_per_person_with_points_by_the_rule(
    newsroom: Newsroom, staff: Staff
) -> None:
    publish_from_topic(newsroom, staff)
    facts = models(newsroom).models.evaluation.state()
    start = staff.clock.now - timedelta(days=1)
    found = report(facts, start, staff.clock.now + timedelta(seconds=1))
    rows = {row["name"]: row for row in found["people"]}
    rui, eddie = rows["rui"], rows["eddie"]
    assert (rui["assignments_done"], rui["captures"], rui["products"]) == (1, 1, 2)
    assert rui["publications"]["tv"] == rui["publications"]["wechat"] == 1
    assert eddie["publications_total"] == 2  # the story's author is credited too
    assert rui["median_to_first_publication_s"] == pytest.approx(9 * 60)
    assert rui["points"] == 10 + 5 + 1  # the default rule: TV 10, WeChat 5, a capture 1
    empty = report(facts, start - timedelta(days=30), start)
    assert empty["people"] == []


def test_a_new_rule_scores_from_then_on_and_the_old_figures_replay_as_they_were(
    newsroom: Newsroom, staff: Staff
) -> None:
    publish_from_topic(newsroom, staff)
    before = newsroom.store.max_notification_id() or 0
    rule = SetScoringRule(
        channels={"tv": 20, "wechat": 1}, capture=0, desks={"News": ["rui", "eddie"]},
        reason="more weight on broadcast",
    )  # fmt: skip
    newsroom.handle(staff.req("chen"), rule)
    with pytest.raises(NotPermitted):
        newsroom.handle(staff.req("dora"), rule)
    read = models(newsroom)
    window = (datetime(2000, 1, 1, tzinfo=UTC), staff.clock.now + timedelta(seconds=1))
    now = report(read.models.evaluation.state(), *window)
    then = report(read.replay(before).evaluation.state(), *window)
    points = lambda found: {row["name"]: row["points"] for row in found["people"]}  # noqa: E731
    assert points(now)["rui"] == 21 and points(then)["rui"] == 16
    assert [(d["name"], d["publications_total"]) for d in now["desks"]] == [("News", 4)]
    assert then["desks"] == []
