"""The wall and the audit trail in Chromium, in Chinese by default and in English when asked: the
alerts and the audit lines are messages said from the page's catalog, not English text."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from events.base import Location
from hub.commands.assignments import DeclineAssignment
from tests.browser.conftest import LiveHub, an_assignment, now, shoot, sign_in
from tests.conftest import Staff

pytestmark = pytest.mark.browser

WALL = {"viewport": {"width": 1920, "height": 1080}}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


def a_declined_assignment(hub: LiveHub, staff: Staff) -> None:
    aid = an_assignment(hub, staff, "东桥水位", Location("东桥", 30.25, 120.17), accept=False)
    hub.rt.newsroom.handle(now(staff, "rui"), DeclineAssignment(id=aid, reason="too far"))


def test_the_wall_and_the_audit_trail_speak_the_readers_language(
    browser: Browser, hub: LiveHub, staff: Staff
) -> None:
    a_declined_assignment(hub, staff)
    wall = sign_in(browser, hub, "wally", "wall", **WALL)
    ticker = wall.locator("#ticker")
    expect(ticker).to_contain_text("rui 拒单“东桥水位”：too far")
    expect(wall.locator(".wall-head")).to_contain_text("告警")
    shoot(wall, "i18n-wall-zh", full_page=False)
    wall.goto(f"{hub.url}/wall?lang=en")
    expect(ticker).to_contain_text("rui declined 东桥水位: too far")
    expect(wall.locator(".wall-head")).to_contain_text("Alerts")
    shoot(wall, "i18n-wall-en", full_page=False)
    assert wall.page_errors == []  # type: ignore[attr-defined]

    audit = sign_in(browser, hub, "audrey", "audit", **DESKTOP)
    timeline = audit.locator("#timeline")
    expect(timeline).to_contain_text("将“东桥水位”派给 rui")
    expect(audit.locator("thead")).to_contain_text("动作")
    shoot(audit, "i18n-audit-zh")
    audit.goto(f"{hub.url}/audit?lang=en")
    expect(timeline).to_contain_text("assigned rui to '东桥水位'")
    expect(audit.locator("thead")).to_contain_text("Action")
    # The scrubber shows the wall as it was, its alerts in the page's language too.
    expect(audit.locator("#frame #ticker")).to_contain_text("rui declined 东桥水位: too far")
    shoot(audit, "i18n-audit-en")
    assert audit.page_errors == []  # type: ignore[attr-defined]
