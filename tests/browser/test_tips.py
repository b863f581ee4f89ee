"""A citizen's tip in Chromium on a phone: sent with a photo from /tip, routed by the duty
editor on /leads, answered, and the answer read on the tracking page; hostile text stays text."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from events.roles import SYSTEM_ACTOR
from hub.commands.leads import AddDepartment
from hub.newsroom import Request
from tests.browser.conftest import LiveHub, shoot, sign_in
from tests.conftest import Staff

pytestmark = pytest.mark.browser

HOSTILE = '东街路灯坏了<script>alert("tip")</script><img src=x onerror=alert(2)>'
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 4000


def watched(page: Page) -> list[str]:
    """Dialogs (an alert() that ran) and script errors on the page."""
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(f"dialog {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def test_a_tip_goes_from_the_phone_to_a_department_and_back(
    browser: Browser, hub: LiveHub, staff: Staff
) -> None:
    hub.rt.newsroom.handle(
        Request(SYSTEM_ACTOR, staff.clock.tick()), AddDepartment(name="县住建局", contacts="王科长")
    )
    citizen = browser.new_context(**PHONE).new_page()
    trouble = watched(citizen)
    citizen.goto(f"{hub.url}/tip")
    citizen.check("input[name=kind][value=complaint]")
    citizen.fill("#tip-text", HOSTILE)
    citizen.fill("#tip-place", "东街<b>12号</b>")
    citizen.fill("#tip-contact", "13800000000")
    citizen.set_input_files(
        "#tip-files", files=[{"name": "lamp.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    expect(citizen.locator("#tip-file-list li[data-state=uploaded]")).to_have_count(
        1, timeout=15_000
    )
    shoot(citizen, "tip-form-phone")
    citizen.click("#tip-send")
    citizen.wait_for_url("**/tip/*-*-*-*?sent=1")
    tracking = citizen.url.split("?")[0]
    expect(citizen.locator("#tip-text")).to_have_text(HOSTILE)
    expect(citizen.locator("#tip-state")).to_have_text("已受理")

    wall = sign_in(browser, hub, "wally", "wall")
    expect(wall.locator("#leads-open")).to_have_text("1", timeout=10_000)

    desk = sign_in(browser, hub, "dana", "leads")
    desk_trouble = watched(desk)
    desk.locator("#lead-list li").first.click()
    expect(desk.locator("#lead-text")).to_have_text(HOSTILE)
    expect(desk.locator("#lead-contact")).to_have_text("13800000000")
    expect(desk.locator("a.attachment")).to_have_count(1)
    desk.select_option("#route-department", "县住建局")
    with desk.expect_response(lambda r: r.url.endswith("/route")) as routed:
        desk.click("#route")
    assert routed.value.ok, routed.value.text()
    expect(desk.locator("#lead h2")).to_contain_text("已转交部门办理", timeout=10_000)
    desk.fill("#answer-text", "已于今日修复<b>谢谢</b>")
    with desk.expect_response(lambda r: r.url.endswith("/answer")) as answered:
        desk.click("#answer")
    assert answered.value.ok, answered.value.text()
    shoot(desk, "leads-desk")

    expect(wall.locator("#leads-open")).to_have_text("0", timeout=10_000)

    # A signed-in person may send a tip from the same page (the form carries their CSRF token).
    desk.goto(f"{hub.url}/tip")
    desk.fill("#tip-text", "编辑部自己发现的线索")
    desk.click("#tip-send")
    desk.wait_for_url("**/tip/*-*-*-*?sent=1")
    expect(wall.locator("#leads-open")).to_have_text("1", timeout=10_000)
    citizen.goto(tracking)
    expect(citizen.locator("#tip-department")).to_have_text("县住建局")
    expect(citizen.locator("#tip-answer .text")).to_have_text("已于今日修复<b>谢谢</b>")
    expect(citizen.locator("#tip-steps li")).to_have_count(3)
    assert "13800000000" not in citizen.content() and "dana" not in citizen.content()
    shoot(citizen, "tip-status-phone")
    assert trouble == [] and desk_trouble == []
