"""The three-level review: three distinct people with the right roles, in order."""

from __future__ import annotations

from uuid import uuid4

import pytest

from events.errors import InvalidValue, NotPermitted, ReviewRuleBroken, RuleBroken
from events.story import Story
from tests.events.helpers import (
    ADMIN,
    CHIEF,
    DESK_HEAD,
    EDITOR,
    EDITOR_2,
    OTHER_REPORTER,
    REPORTER,
    at,
    person,
)


def drafted() -> Story:
    return Story.draft(
        id=uuid4(), at=at(), actor=REPORTER, assignment=None, title="Flood", body="v1", captures=[]
    )


def approve_all(s: Story) -> None:
    for reviewer in (EDITOR, DESK_HEAD, CHIEF):
        s.review(at=at(), actor=reviewer, decision="approve", reason="ok")


def test_a_story_goes_out_after_three_approvals() -> None:
    s = drafted()
    s.submit(at=at(), actor=REPORTER)
    assert s.review_level == 1
    approve_all(s)
    assert s.state == "approved"
    s.publish(at=at(), actor=CHIEF, channels=["wechat", "tv"])
    assert s.live == {"tv": 1, "wechat": 1}


def test_no_publication_without_the_final_approval() -> None:
    s = drafted()
    s.submit(at=at(), actor=REPORTER)
    s.review(at=at(), actor=EDITOR, decision="approve", reason="ok")
    s.review(at=at(), actor=DESK_HEAD, decision="approve", reason="ok")
    with pytest.raises(ReviewRuleBroken, match="lacks the final approval"):
        s.publish(at=at(), actor=CHIEF, channels=["tv"])


def test_levels_need_their_roles_in_order() -> None:
    s = drafted()
    s.submit(at=at(), actor=REPORTER)
    with pytest.raises(NotPermitted, match="first review: it needs the role editor"):
        s.review(at=at(), actor=CHIEF, decision="approve", reason="ok")
    with pytest.raises(NotPermitted, match="needs the role editor"):
        s.review(at=at(), actor=ADMIN, decision="approve", reason="admins do not review")


def test_three_distinct_people() -> None:
    everyone = person("max", "editor", "desk_head", "chief_editor")
    s = drafted()
    s.submit(at=at(), actor=REPORTER)
    s.review(at=at(), actor=everyone, decision="approve", reason="ok")
    with pytest.raises(ReviewRuleBroken, match="three different people"):
        s.review(at=at(), actor=everyone, decision="approve", reason="ok again")


def test_a_rejection_returns_the_story_with_a_reason() -> None:
    s = drafted()
    s.submit(at=at(), actor=REPORTER)
    s.review(at=at(), actor=EDITOR, decision="approve", reason="ok")
    with pytest.raises(InvalidValue, match="a reason for rejecting"):
        s.review(at=at(), actor=DESK_HEAD, decision="reject", reason="")
    s.review(at=at(), actor=DESK_HEAD, decision="reject", reason="check the figures")
    assert (s.state, s.approvals, s.last_rejection) == ("returned", [], "check the figures")
    s.submit(at=at(), actor=REPORTER)
    assert s.review_level == 1


def test_an_edit_voids_the_approvals() -> None:
    s = drafted()
    s.submit(at=at(), actor=REPORTER)
    approve_all(s)
    s.revise(at=at(), actor=EDITOR_2, title="Flood", body="v2", captures=[])
    events = s.collect_events()
    assert events[-1].voided_approvals == 3
    assert (s.state, s.revision, s.approvals) == ("draft", 2, [])
    with pytest.raises(ReviewRuleBroken):
        s.publish(at=at(), actor=CHIEF, channels=["tv"])


def test_reporters_edit_only_their_own_stories() -> None:
    s = drafted()
    with pytest.raises(NotPermitted, match="lin may not edit"):
        s.revise(at=at(), actor=OTHER_REPORTER, title="x", body="y", captures=[])


def test_retraction_needs_a_reason_and_a_live_channel() -> None:
    s = drafted()
    s.submit(at=at(), actor=REPORTER)
    approve_all(s)
    s.publish(at=at(), actor=EDITOR, channels=["tv", "weibo"])
    with pytest.raises(RuleBroken, match="not published on radio"):
        s.retract(at=at(), actor=CHIEF, channel="radio", reason="x")
    with pytest.raises(NotPermitted):
        s.retract(at=at(), actor=EDITOR, channel="tv", reason="x")
    s.retract(at=at(), actor=DESK_HEAD, channel="weibo", reason="wrong photo caption")
    assert s.live == {"tv": 1}


def test_publishing_the_same_version_twice_to_a_channel_is_refused() -> None:
    s = drafted()
    s.submit(at=at(), actor=REPORTER)
    approve_all(s)
    s.publish(at=at(), actor=EDITOR, channels=["tv"])
    with pytest.raises(RuleBroken, match="already live on tv"):
        s.publish(at=at(), actor=EDITOR, channels=["tv"])


def test_only_stories_in_review_take_decisions() -> None:
    s = drafted()
    with pytest.raises(ReviewRuleBroken, match="a draft, not in review"):
        s.review(at=at(), actor=EDITOR, decision="approve", reason="ok")
    with pytest.raises(InvalidValue, match="approve or reject"):
        s.review(at=at(), actor=EDITOR, decision="maybe", reason="ok")
