"""A clip asked for on the review page, in Chromium: the editor marks in and out on the story's
video, asks for a vertical clip and sees it made; the reporter's page shows where it came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from events.base import Location
from hub.commands.stories import DraftStory, SubmitStory
from hub.config import Settings
from tests.browser.conftest import LiveHub, an_assignment, an_upload, now, sign_in
from tests.clip_media import make_video
from tests.conftest import Staff

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 900}}
SEEK = "v => new Promise(done => { v.addEventListener('seeked', done); v.currentTime = %s; })"
LOADED = "v => v.readyState >= 1 || new Promise(done => v.addEventListener('loadedmetadata', done))"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A hub with media on: clips are cut on the node that does media work."""
    return Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'hub.db'}")


def test_an_editor_makes_a_vertical_clip_of_a_storys_video(
    browser: Browser, hub: LiveHub, staff: Staff, tmp_path: Path
) -> None:
    newsroom = hub.rt.newsroom
    assignment = an_assignment(hub, staff, "防汛演练", Location("江堤", 29.9, 121.6))
    data = make_video(tmp_path / "drill.webm", seconds=6, fmt="webm", codec="libvpx").read_bytes()
    video = an_upload(
        hub,
        staff,
        data,
        "防汛演练.webm",
        "video/webm",
        stored_as="drill.webm",
        assignment=assignment,
    )
    story = newsroom.handle(
        now(staff, "rui"),
        DraftStory(
            assignment=assignment, title="江堤防汛演练", body="上午九点开始。", captures=[video]
        ),
    ).id
    newsroom.handle(now(staff, "rui"), SubmitStory(id=story))

    editor = sign_in(browser, hub, "eddie", "review", **DESKTOP)
    editor.locator("#queue button", has_text="江堤防汛演练").click()
    player = editor.locator(".captures video")
    expect(player).to_be_visible()
    player.evaluate(LOADED)
    tools = editor.locator(".clipper")
    player.evaluate(SEEK % 1)
    tools.get_by_role("button", name="标入点").click()
    player.evaluate(SEEK % 4)
    tools.get_by_role("button", name="标出点").click()
    expect(tools).to_contain_text("入点 1.0 s · 出点 4.0 s")
    tools.get_by_label("竖屏 9:16").check()
    tools.get_by_role("button", name="生成剪辑").click()
    expect(tools.locator(".status")).to_have_text("剪辑完成，已入素材库", timeout=60_000)
    assert editor.page_errors == []  # type: ignore[attr-defined]

    reporter = sign_in(browser, hub, "rui", "reporter", viewport={"width": 412, "height": 915})
    line = reporter.locator("#captures li", has_text="剪辑")
    expect(line).to_contain_text("剪自")
    expect(line).to_contain_text("1.0–4.0 s")
    expect(line).to_contain_text("竖屏 9:16")
