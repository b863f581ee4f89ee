"""A red 舆情 warning in Chromium: on the wall (with who leads the shift) and on /opinion, where
the person on duty acknowledges it; the wall shows that without a reload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect

from hub.commands.duty import ScheduleShift
from hub.commands.opinion import WriteRule
from hub.opinion.intake import Entry
from tests.browser.conftest import LiveHub, now, shoot, sign_in
from tests.conftest import Staff

pytestmark = pytest.mark.browser


def test_a_red_warning_reaches_the_wall_and_is_acknowledged_by_the_person_on_duty(
    browser: Browser, hub: LiveHub, staff: Staff
) -> None:
    app = hub.rt.newsroom
    start = datetime.now(UTC) - timedelta(minutes=1)
    app.handle(
        now(staff, "dora"),
        ScheduleShift(
            start=start, end=start + timedelta(hours=8), on_duty=["eddie"], leader="chen"
        ),
    )
    app.handle(now(staff, "dora"), WriteRule(name="安全事故", level="red", terms=["爆炸"]))
    wall = sign_in(browser, hub, "wally", "wall", viewport={"width": 1920, "height": 1080})
    expect(wall.locator("#wall")).to_have_attribute("data-state", "live", timeout=10_000)
    expect(wall.locator("#duty-leader")).to_have_text("chen", timeout=10_000)
    expect(wall.locator("#duty-people")).to_have_text("eddie")

    hub.rt.models.catch_up()
    watch = hub.rt.watch
    assert watch is not None
    [taken] = watch.intake.take(
        "monitor",
        [Entry("https://weibo.example/1", "城关镇化工厂爆炸<img src=x onerror=alert(1)>")],
        datetime.now(UTC),
    )
    assert taken.level == "red"
    red = wall.locator(f"#opinion li[data-id='{taken.item}']")
    expect(red).to_have_attribute("data-state", "raised", timeout=10_000)
    expect(red).to_contain_text("红色")
    expect(red).to_contain_text("城关镇化工厂爆炸<img src=x onerror=alert(1)>")  # as text
    shoot(wall, "wall-opinion-red", full_page=False)

    desk = sign_in(browser, hub, "eddie", "opinion")
    warning = desk.locator(f"#warnings li[data-id='{taken.item}']")
    expect(warning).to_contain_text("安全事故（红色）：提及爆炸", timeout=10_000)
    warning.locator("button.ack").click()
    expect(desk.locator(f"#warnings li[data-id='{taken.item}']")).to_have_attribute(
        "data-state", "acknowledged", timeout=10_000
    )
    expect(red).to_have_attribute("data-state", "acknowledged", timeout=10_000)
    expect(red).to_contain_text("eddie")
    assert wall.page_errors == [] and desk.page_errors == []  # type: ignore[attr-defined]
