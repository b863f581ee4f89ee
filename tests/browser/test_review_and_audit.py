"""Review and audit in Chromium: a reviewer sees what changed and approves it on to the next level;
the auditor filters the trail and scrubs the wall back in time; the wall replays a past moment."""

from __future__ import annotations

from uuid import UUID

import pytest
from playwright.sync_api import Browser, expect

from events.base import Location
from hub.commands.stories import DraftStory, ReviseStory, SubmitStory
from hub.demo_pictures import landscape
from tests.browser.conftest import LiveHub, an_assignment, an_upload, now, shoot, sign_in
from tests.conftest import Staff

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 900}}


def a_photo(hub: LiveHub, staff: Staff, assignment: UUID) -> UUID:
    """rui's photo from the scene, kept where the hub keeps uploads."""
    picture = landscape(2)
    return an_upload(
        hub,
        staff,
        picture,
        "湿地候鸟.png",
        "image/png",
        stored_as="wetland.png",
        assignment=assignment,
    )


def a_story_in_review(hub: LiveHub, staff: Staff) -> tuple[UUID, int]:
    """rui's story, revised once and submitted; answers its id and the position before it."""
    newsroom = hub.rt.newsroom
    place = Location("湿地公园", 29.8899, 121.5705)
    assignment = an_assignment(hub, staff, "湿地公园候鸟回归", place, channels=["tv", "wechat"])
    before = newsroom.store.max_notification_id() or 0
    story = newsroom.handle(
        now(staff, "rui"),
        DraftStory(
            assignment=assignment,
            title="湿地公园迎来首批候鸟",
            body="今天上午，湿地公园迎来今年首批越冬候鸟。\n观鸟爱好者早早守候。",
        ),
    ).id
    newsroom.handle(
        now(staff, "rui"),
        ReviseStory(
            id=story,
            title="湿地公园迎来首批越冬候鸟",
            body="今天上午，湿地公园迎来今年首批越冬候鸟，约三百只。\n观鸟爱好者早早守候。",
            captures=[a_photo(hub, staff, assignment)],
        ),
    )
    newsroom.handle(now(staff, "rui"), SubmitStory(id=story))
    return story, before


def test_review_shows_the_changes_and_moves_the_story_on(
    browser: Browser, hub: LiveHub, staff: Staff
) -> None:
    story, before = a_story_in_review(hub, staff)
    wall = sign_in(browser, hub, "wally", "wall", viewport={"width": 1920, "height": 1080})
    expect(wall.locator("#reviews [data-level=first] b")).to_have_text("1")

    editor = sign_in(browser, hub, "eddie", "review", **DESKTOP)
    editor.locator("#queue button", has_text="湿地公园迎来首批越冬候鸟").click()
    diff = editor.locator(".diff")
    expect(diff.locator("ins").first).to_be_visible()
    expect(diff.locator("ins", has_text="越冬")).to_have_count(1)
    expect(diff.locator("ins", has_text="约三百只")).to_have_count(1)
    photo = editor.locator(".captures img")
    expect(photo).to_be_visible()
    expect(editor.locator(".captures li")).to_contain_text("上传")
    expect(editor.locator(".captures .tag.added")).to_have_text("本版新增")  # not in version 1
    # Checked from Playwright's own world: the page's policy allows no string evaluation.
    expect(photo).to_have_js_property("naturalWidth", 480)
    shoot(editor, "review")
    editor.get_by_role("button", name="退回").click()
    expect(editor.locator(".decision .status")).to_have_text("退回须写明原因")
    editor.locator(".decision textarea").fill("数字已核实")
    with editor.expect_response(lambda r: r.url.endswith("/reviews"), timeout=15_000) as answer:
        editor.get_by_role("button", name="通过").click()
    assert answer.value.ok
    expect(wall.locator("#reviews [data-level=second] b")).to_have_text("1", timeout=1000)
    expect(wall.locator("#reviews [data-level=first] b")).to_have_text("0")
    expect(editor.locator("#queue")).to_contain_text("暂无待审稿件")

    desk = sign_in(browser, hub, "dora", "review", **DESKTOP)
    expect(desk.locator("#queue button", has_text="湿地公园")).to_have_count(1)

    # The wall as it was before the story existed, and the auditor's scrubber.
    replay = sign_in(browser, hub, "wally", f"wall?at={before}", viewport=wall.viewport_size)
    expect(replay.locator("#banner")).to_contain_text("REPLAY")
    expect(replay.locator("#banner")).to_contain_text("回溯")
    expect(replay.locator("#reviews [data-level=first] b")).to_have_text("0")
    shoot(replay, "wall-replay", full_page=False)

    auditor = sign_in(browser, hub, "audrey", "audit", **DESKTOP)
    expect(auditor.locator("#timeline tr", has_text="数字已核实")).to_have_count(1)
    auditor.locator("[name=actor]").fill("eddie")
    auditor.locator("#filter button[type=submit]").click()
    expect(auditor.locator("#timeline tr")).to_have_count(1)
    expect(auditor.locator("#timeline")).to_contain_text("数字已核实")
    auditor.locator("#scrub").fill(str(before))
    expect(auditor.locator("#scrub-at")).to_contain_text(f"{before}")
    expect(auditor.locator("#frame #reviews [data-level=first] b")).to_have_text("0")
    expect(auditor.locator("#open-wall")).to_have_attribute("href", f"/wall?at={before}")
    shoot(auditor, "audit")
    for page in (wall, editor, desk, replay, auditor):
        assert page.page_errors == []  # type: ignore[attr-defined]
    assert story
