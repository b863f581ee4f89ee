"""The wall in Chromium while its hub cannot use its store: an alert until the store is back.

The hub runs on SQLite; moving its database file away is an outage (hub/store/sqlite_file.py),
moving it back ends it. The page is never reloaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from events.base import Location
from hub.commands.assignments import PlanAssignment
from hub.config import Settings
from tests.browser.conftest import LiveHub, now, shoot, sign_in
from tests.conftest import Staff

pytestmark = pytest.mark.browser


def test_the_wall_shows_the_store_alert_until_the_store_is_back(
    browser: Browser, hub: LiveHub, staff: Staff, settings: Settings, tmp_path: Path
) -> None:
    wall = sign_in(browser, hub, "wally", "wall", viewport={"width": 1920, "height": 1080})
    expect(wall.locator("#wall")).to_have_attribute("data-state", "live", timeout=10_000)
    wall.evaluate("window.stillTheSamePage = true")
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    away = tmp_path / "away.db"
    database.rename(away)
    # The read models' next pass finds the file gone; the wall is told at once.
    banner = wall.locator("#banner")
    expect(banner).to_be_visible(timeout=10_000)
    expect(banner).to_contain_text("数据库无法连接，大屏暂停更新")
    expect(banner).to_contain_text("开始于")
    expect(wall.locator("#wall")).to_have_attribute("data-state", "store")
    shoot(wall, "wall-store-unreachable", full_page=False)
    away.rename(database)
    expect(banner).to_be_hidden(timeout=10_000)
    expect(wall.locator("#wall")).to_have_attribute("data-state", "live")
    hub.rt.newsroom.handle(
        now(staff, "dana"),
        PlanAssignment(title="恢复后的任务", brief="", location=Location("城关镇", 30.1, 114.2)),
    )
    expect(wall.locator("#board").get_by_text("恢复后的任务")).to_be_visible(timeout=5000)
    assert wall.evaluate("window.stillTheSamePage") is True
    assert wall.page_errors == []  # type: ignore[attr-defined]
