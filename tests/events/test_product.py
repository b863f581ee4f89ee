"""Products: three approvals of the exact content, the fast track, schedules, channel limits."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from events.channel_profile import DEFAULT_PROFILES, Profile
from events.errors import InvalidValue, NotPermitted, ReviewRuleBroken, RuleBroken
from events.product import Content, MediaFact, Product, digest_of, product_id
from events.roles import SYSTEM_ACTOR
from tests.events.helpers import ADMIN, CHIEF, DESK_HEAD, EDITOR, EDITOR_2, REPORTER, at, person

PHOTO, CLIP, WIDE = uuid4(), uuid4(), uuid4()
FACTS = {
    PHOTO: MediaFact("a" * 64, "photo"),
    CLIP: MediaFact("b" * 64, "video", vertical=True),
    WIDE: MediaFact("c" * 64, "video"),
}
STORY = uuid4()


def made(channel: str = "wechat", **content: object) -> Product:
    fields: dict[str, object] = {"title": "Flood", "body": "The river rose.", "cover": PHOTO}
    fields.update(content)
    return Product.make(
        at=at(),
        actor=EDITOR,
        story=STORY,
        channel=channel,
        content=Content(**fields),  # type: ignore[arg-type]
        profile=DEFAULT_PROFILES[channel],
        facts=FACTS,
    )


def approved(channel: str = "wechat", **content: object) -> Product:
    p = made(channel, **content)
    p.submit(at=at(), actor=EDITOR, profile=DEFAULT_PROFILES[channel])
    for reviewer in (EDITOR_2, DESK_HEAD, CHIEF):
        p.review(at=at(), actor=reviewer, decision="approve", reason="")
    return p


def edit(p: Product, **content: object) -> None:
    fields: dict[str, object] = {"title": p.title, "body": p.body, "cover": p.cover}
    fields["media"] = tuple(p.media)
    fields.update(content)
    p.edit(
        at=at(),
        actor=EDITOR,
        content=Content(**fields),  # type: ignore[arg-type]
        profile=DEFAULT_PROFILES[p.channel],
        facts=FACTS,
    )


def test_one_product_per_story_and_channel() -> None:
    assert made().id == product_id(STORY, "wechat") != product_id(STORY, "weibo")


def test_three_approvals_of_the_content_let_it_go_out() -> None:
    p = approved()
    assert p.state == "approved" and p.clearance() == "review"
    assert {level: a[1] for level, a in p.approvals.items()} == {
        1: p.digest,
        2: p.digest,
        3: p.digest,
    }
    p.publish(at=at(), actor=CHIEF)
    assert (p.state, p.publications, p.live_digest) == ("published", 1, p.digest)


def test_an_edit_after_approval_sends_it_back_and_blocks_publication() -> None:
    p = approved()
    before = p.digest
    edit(p, body="The river rose by two metres.")
    assert p.digest != before and p.state == "in_review" and p.review_level == 1
    with pytest.raises(ReviewRuleBroken, match=rf"product {p.id} \(WeChat, 'Flood'\) may not go"):
        p.publish(at=at(), actor=CHIEF)


def test_an_edit_that_changes_nothing_keeps_the_approvals() -> None:
    p = approved()
    edit(p)
    assert p.clearance() == "review" and p.state == "approved"


def test_a_capture_with_other_bytes_is_other_content() -> None:
    content = Content("Flood", "", (CLIP,), PHOTO)
    facts = {str(k): v.as_dict() for k, v in FACTS.items()}
    changed = {**facts, str(CLIP): {**facts[str(CLIP)], "sha256": "d" * 64}}
    assert digest_of("wechat", content, facts) != digest_of("wechat", content, changed)


def test_three_different_people_at_their_levels() -> None:
    p = made()
    p.submit(at=at(), actor=EDITOR, profile=DEFAULT_PROFILES["wechat"])
    with pytest.raises(NotPermitted, match="needs the role editor"):
        p.review(at=at(), actor=ADMIN, decision="approve", reason="")
    both = person("bo", "editor", "desk_head")
    p.review(at=at(), actor=both, decision="approve", reason="")
    with pytest.raises(ReviewRuleBroken, match="three different people"):
        p.review(at=at(), actor=both, decision="approve", reason="")
    with pytest.raises(InvalidValue, match="a reason for rejecting"):
        p.review(at=at(), actor=DESK_HEAD, decision="reject", reason=" ")
    p.review(at=at(), actor=DESK_HEAD, decision="reject", reason="check the figures")
    assert p.state == "returned" and p.approvals == {}


def test_no_publication_before_the_final_approval() -> None:
    p = made()
    p.submit(at=at(), actor=EDITOR, profile=DEFAULT_PROFILES["wechat"])
    p.review(at=at(), actor=EDITOR_2, decision="approve", reason="")
    with pytest.raises(ReviewRuleBroken, match="not approved at all three levels"):
        p.publish(at=at(), actor=CHIEF)


def test_the_fast_track_is_the_chief_editors_for_new_media() -> None:
    p = made()
    with pytest.raises(NotPermitted, match="fast-track"):
        p.fast_track_now(
            at=at(), actor=DESK_HEAD, reason="breaking", profile=DEFAULT_PROFILES["wechat"]
        )
    with pytest.raises(InvalidValue, match="reason"):
        p.fast_track_now(at=at(), actor=CHIEF, reason="", profile=DEFAULT_PROFILES["wechat"])
    p.fast_track_now(at=at(), actor=CHIEF, reason="breaking", profile=DEFAULT_PROFILES["wechat"])
    assert p.clearance() == "fast_track"
    p.publish(at=at(), actor=EDITOR)
    tv = made("tv", cover=None, script=({"kind": "voice", "text": "x", "seconds": 90},))
    with pytest.raises(RuleBroken, match="not for a new-media channel"):
        tv.fast_track_now(at=at(), actor=CHIEF, reason="breaking", profile=DEFAULT_PROFILES["tv"])


def test_an_edit_voids_the_fast_track() -> None:
    p = made()
    p.fast_track_now(at=at(), actor=CHIEF, reason="breaking", profile=DEFAULT_PROFILES["wechat"])
    edit(p, title="Flood: update")
    assert p.clearance() is None


def test_channel_limits_and_required_media() -> None:
    with pytest.raises(InvalidValue, match="longer than 64"):
        made(title="x" * 65)
    with pytest.raises(InvalidValue, match="at most 2000"):
        made("weibo", cover=None, body="x" * 2001)
    with pytest.raises(InvalidValue, match="not a photo"):
        made(cover=WIDE)
    bare = made(cover=None)
    with pytest.raises(RuleBroken, match="needs a cover photo"):
        bare.submit(at=at(), actor=EDITOR, profile=DEFAULT_PROFILES["wechat"])
    wide = made("douyin", cover=None, media=(WIDE,))
    with pytest.raises(RuleBroken, match=r"vertical \(9:16\) video"):
        wide.submit(at=at(), actor=EDITOR, profile=DEFAULT_PROFILES["douyin"])
    upright = made("douyin", cover=None, media=(CLIP,))
    upright.submit(at=at(), actor=EDITOR, profile=DEFAULT_PROFILES["douyin"])


def test_a_script_fills_its_slot() -> None:
    segments = ({"kind": "voice", "text": "intro", "seconds": 30}, {"kind": "sync", "seconds": 50})
    short = made("tv", cover=None, script=segments)
    with pytest.raises(RuleBroken, match="lasts 80.0 s; its slot is 90.0 s"):
        short.submit(at=at(), actor=EDITOR, profile=DEFAULT_PROFILES["tv"])
    edit(short, script=(*segments, {"kind": "voice", "text": "close", "seconds": 10}))
    short.submit(at=at(), actor=EDITOR, profile=DEFAULT_PROFILES["tv"])
    with pytest.raises(InvalidValue, match="not voice or sync"):
        made("tv", cover=None, script=({"kind": "music", "seconds": 3},))
    longer = Profile(40, 5000, script_slot_seconds=80.0)
    made("tv", cover=None, script=segments).submit(at=at(), actor=EDITOR, profile=longer)


def test_scheduled_publication_by_the_scheduler_on_behalf_of_its_scheduler() -> None:
    p = approved()
    start = at()
    with pytest.raises(InvalidValue, match="future"):
        p.schedule(at=start, actor=EDITOR, publish_at=start)
    p.schedule(at=start, actor=EDITOR, publish_at=start + timedelta(hours=1))
    assert p.state == "scheduled"
    with pytest.raises(RuleBroken, match="not due yet"):
        p.publish_scheduled(at=start + timedelta(minutes=59), actor=SYSTEM_ACTOR)
    p.publish_scheduled(at=start + timedelta(hours=1), actor=SYSTEM_ACTOR)
    published = p.collect_events()[-1]
    assert isinstance(published, Product.Published)
    assert (published.actor, published.on_behalf_of) == ("hub", "eddie")


def test_a_schedule_is_cancelled_with_a_reason_or_dropped_by_an_edit() -> None:
    p = approved()
    start = at()
    p.schedule(at=start, actor=EDITOR, publish_at=start + timedelta(hours=1))
    with pytest.raises(InvalidValue, match="reason"):
        p.cancel_schedule(at=at(), actor=EDITOR, reason="")
    p.cancel_schedule(at=at(), actor=EDITOR, reason="held for the evening")
    assert (p.state, p.publish_at) == ("approved", None)
    p.schedule(at=start, actor=EDITOR, publish_at=start + timedelta(hours=1))
    edit(p, body="new")
    assert (p.state, p.publish_at) == ("in_review", None)
    with pytest.raises(RuleBroken, match="not scheduled"):
        p.publish_scheduled(at=start + timedelta(hours=2), actor=SYSTEM_ACTOR)


def test_retract_and_publish_again() -> None:
    p = approved()
    with pytest.raises(RuleBroken, match="is not published"):
        p.retract(at=at(), actor=CHIEF, reason="error")
    p.publish(at=at(), actor=EDITOR)
    with pytest.raises(RuleBroken, match="published already"):
        p.publish(at=at(), actor=EDITOR)
    with pytest.raises(NotPermitted):
        p.retract(at=at(), actor=EDITOR, reason="error")
    p.retract(at=at(), actor=DESK_HEAD, reason="wrong figure")
    assert p.state == "retracted"
    p.publish(at=at(), actor=EDITOR)
    assert p.publications == 2


def test_reporters_do_not_make_products() -> None:
    with pytest.raises(NotPermitted, match="make products"):
        Product.make(
            at=at(),
            actor=REPORTER,
            story=STORY,
            channel="weibo",
            content=Content("x", ""),
            profile=DEFAULT_PROFILES["weibo"],
            facts={},
        )


def test_unknown_captures_are_refused() -> None:
    with pytest.raises(InvalidValue, match="no capture"):
        made(media=(UUID(int=5),))
