"""Topics: proposals, the meeting's decisions, and who may turn one into assignments."""

from __future__ import annotations

from uuid import uuid4

import pytest

from events.assignment import Assignment
from events.base import Location
from events.errors import InvalidValue, NotPermitted, RuleBroken
from events.topic import Topic
from tests.events.helpers import CHIEF, DESK_HEAD, DISPATCHER, EDITOR, REPORTER, at, new


def proposed(actor=REPORTER, day: str = "2026-12-07") -> Topic:  # type: ignore[no-untyped-def]
    fields = {
        "title": " Flood defences ",
        "angle": "who pays for the levee",
        "channels": ["wechat", "tv", "tv"],
        "resources": "a drone",
    }
    return new(Topic.propose, fields, actor=actor, day=day)


def test_a_reporters_proposal_is_theirs_with_its_outlets_in_matrix_order() -> None:
    topic = proposed()
    assert (topic.title, topic.state, topic.proposer) == ("Flood defences", "proposed", "rui")
    assert topic.channels == ("tv", "wechat")
    assert topic.origin == "reporter"
    assert proposed(EDITOR).origin == "desk"


def test_a_proposal_names_a_real_day() -> None:
    with pytest.raises(InvalidValue, match="not a day"):
        proposed(day="7/12/2026")


def test_the_meeting_decides_with_a_reason_and_only_once() -> None:
    topic = proposed()
    with pytest.raises(InvalidValue, match="reason"):
        topic.decide(at=at(), actor=CHIEF, decision="approve", reason="  ")
    topic.decide(at=at(), actor=CHIEF, decision="approve", reason="strong local angle")
    assert topic.state == "approved"
    with pytest.raises(RuleBroken, match="decided already"):
        topic.decide(at=at(), actor=CHIEF, decision="drop", reason="changed our minds")


def test_only_the_chairs_decide() -> None:
    topic = proposed()
    for actor in (REPORTER, EDITOR, DISPATCHER):
        with pytest.raises(NotPermitted):
            topic.decide(at=at(), actor=actor, decision="approve", reason="yes")


def test_a_deferred_topic_comes_up_at_a_later_meeting_and_is_decided_there() -> None:
    topic = proposed()
    topic.decide(at=at(), actor=DESK_HEAD, decision="defer", reason="wait for the report")
    assert (topic.state, topic.day) == ("deferred", "2026-12-08")
    with pytest.raises(InvalidValue, match="later meeting"):
        topic.decide(
            at=at(), actor=DESK_HEAD, decision="defer", reason="again", defer_to="2026-12-01"
        )
    topic.decide(at=at(), actor=DESK_HEAD, decision="drop", reason="the report came out")
    assert topic.state == "dropped"
    decided = [e for e in topic.collect_events() if isinstance(e, Topic.Decided)]
    assert [(e.day, e.next_day) for e in decided] == [
        ("2026-12-07", "2026-12-08"),
        ("2026-12-08", None),
    ]


def test_only_an_approved_topic_becomes_assignments() -> None:
    topic = proposed()
    with pytest.raises(RuleBroken, match="only an approved topic"):
        topic.require_approved(CHIEF)
    topic.decide(at=at(), actor=CHIEF, decision="approve", reason="go")
    topic.require_approved(CHIEF)
    with pytest.raises(NotPermitted):
        topic.require_approved(EDITOR)


def test_the_chairs_may_plan_and_assign_work_only_from_a_topic() -> None:
    place = Location("levee", 30.0, 120.0)
    with pytest.raises(NotPermitted):
        Assignment.plan(
            id=uuid4(), at=at(), actor=CHIEF, title="x", brief="", location=place,
            priority="normal", due=None, channels=[],
        )  # fmt: skip
    a = Assignment.plan(
        id=uuid4(), at=at(), actor=CHIEF, title="x", brief="", location=place,
        priority="normal", due=None, channels=[], topic=uuid4(),
    )  # fmt: skip
    a.assign(at=at(), actor=CHIEF, reporter="rui")
    assert a.reporter == "rui"
