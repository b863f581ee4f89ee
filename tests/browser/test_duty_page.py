"""The duty page in Chromium: the desk head sets a shift, the wall shows who leads it, and the
technician on duty walks the inspection item by item."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import LiveHub, shoot, sign_in
from tests.conftest import Staff

pytestmark = pytest.mark.browser
LOCAL = "%Y-%m-%dT%H:%M"


def test_a_shift_set_on_the_page_shows_on_the_wall_and_the_inspection_is_ticked(
    browser: Browser, hub: LiveHub, staff: Staff
) -> None:
    desk = sign_in(browser, hub, "dora", "duty")
    start = datetime.now() - timedelta(minutes=5)  # the browser's local time, as it types it
    form = desk.locator("#schedule")
    form.locator("input[name=start]").fill(start.strftime(LOCAL))
    form.locator("input[name=end]").fill((start + timedelta(hours=8)).strftime(LOCAL))
    form.locator("input[name=on_duty]").fill("tess、eddie")
    form.locator("input[name=leader]").fill("chen")
    form.locator("button[type=submit]").click()
    expect(desk.locator("#now-leader")).to_have_text("chen", timeout=10_000)
    expect(desk.locator("#now-people")).to_have_text("tess、eddie")

    wall = sign_in(browser, hub, "wally", "wall", viewport={"width": 1920, "height": 1080})
    expect(wall.locator("#duty-leader")).to_have_text("chen", timeout=10_000)

    tech = sign_in(browser, hub, "tess", "duty")
    tech.locator("#inspect").click()
    mine = tech.locator("#inspections li").first
    expect(mine.locator(".tick")).to_have_count(4, timeout=10_000)
    for item in ("signal", "backup_path", "recording"):
        tech.locator(f"#inspections .tick[data-item={item}] button.ok").click()
        expect(tech.locator(f"#inspections .tick[data-item={item}]")).to_have_count(0)
    output = tech.locator("#inspections .tick[data-item=output]")
    output.locator("input[name=finding]").fill("2 号输出口画面偏色")
    output.locator("button.bad").click()
    expect(tech.locator("#inspections li").first).to_contain_text("2 号输出口画面偏色")
    tech.locator("#inspections button.complete").click()
    expect(tech.locator("#inspections button.complete")).to_have_count(0, timeout=10_000)
    expect(tech.locator("#inspections li > div").first).to_contain_text("已完成")
    shoot(tech, "duty-inspection")
    errors = desk.page_errors + wall.page_errors + tech.page_errors  # type: ignore[attr-defined]
    assert errors == []
