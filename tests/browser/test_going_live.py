"""A reporter goes live from the phone page in Chromium (fake camera, WHIP), the wall plays the
stream on its tile (WHEP), and ending it leaves the recording as a capture of the assignment."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from events.base import Location
from hub.commands.assignments import CheckIn
from hub.commands.live import ConfigureOutput, RegisterSource, StartOutput
from hub.config import Settings
from tests.browser.conftest import LiveHub, an_assignment, now, shoot, sign_in
from tests.browser.test_newsroom_flow import PHONE
from tests.conftest import Staff

pytestmark = pytest.mark.browser


@pytest.fixture
def media_hub(tmp_path: Path, staff: Staff) -> Iterator[LiveHub]:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'hub.db'}",
        media=True,
        output_preset="ultrafast",
    )
    live = LiveHub(settings)
    live.start()
    yield live
    live.stop()


def eventually(check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def playing(page: Page, selector: str) -> dict[str, float]:
    return page.eval_on_selector(
        selector,
        "v => ({width: v.videoWidth, height: v.videoHeight, time: v.currentTime,"
        " frames: v.getVideoPlaybackQuality().totalVideoFrames})",
    )


def test_a_reporter_goes_live_and_the_wall_plays_it(
    browser: Browser, media_hub: LiveHub, staff: Staff
) -> None:
    hub = media_hub
    newsroom = hub.rt.newsroom
    newsroom.handle(now(staff, "tess"), RegisterSource(name="rui-phone", kind="phone", owner="rui"))
    assignment = an_assignment(
        hub,
        staff,
        "东桥汛情直播",
        Location("东桥", 29.8712, 121.5431),
        brief="水位上涨，现场连线",
        priority="urgent",
        due=staff.clock.now + timedelta(hours=2),
        channels=["tv"],
    )
    newsroom.handle(now(staff, "rui"), CheckIn(id=assignment, lat=29.8712, lon=121.5431))
    newsroom.handle(
        now(staff, "tess"),
        ConfigureOutput(name="main", source=None, backup=None, slate_text="稍后回来"),
    )
    newsroom.handle(now(staff, "tess"), StartOutput(id="main"))

    wall = sign_in(browser, hub, "wally", "wall", viewport={"width": 1920, "height": 1080})
    phone = sign_in(browser, hub, "rui", "reporter", **PHONE)
    tile = wall.locator(".tile[data-source=rui-phone]")
    expect(tile).to_be_visible(timeout=5000)

    phone.click("#go-live")
    expect(phone.locator("#live-status")).to_have_text("live", timeout=15_000)
    expect(tile).to_have_class(re.compile(r"\btile-live\b"), timeout=10_000)
    expect(tile).to_contain_text("东桥汛情直播")

    video = ".tile[data-source=rui-phone] video"
    eventually(lambda: playing(wall, video)["frames"] > 30, "the wall to play the phone")
    shown = playing(wall, video)
    assert (shown["width"], shown["height"]) in {(640, 360), (960, 540), (1280, 720)}
    with hub.rt.models.reading() as models:
        source = models.wall.state()["sources"]["rui-phone"]
    assert (source["publisher"], source["assignment"]) == ("rui", str(assignment))
    assert source["codec"] == "H264", "the phone page prefers H.264"
    shoot(phone, "reporter-live", full_page=False)
    shoot(wall, "wall-live-tile", full_page=False)

    # The producer puts the phone on program; the console's monitor shows what goes out.
    console = sign_in(browser, hub, "dana", "console", viewport={"width": 1600, "height": 1000})
    output = console.locator("[data-output=main]")
    output.locator("button", has_text="rui-phone").click()
    expect(output.locator("button.on", has_text="rui-phone")).to_be_visible(timeout=5000)
    expect(tile).to_have_class(re.compile(r"\bon-program\b"), timeout=5000)
    monitor = "[data-output=main] video"
    eventually(lambda: playing(console, monitor)["frames"] > 20, "the program monitor to play")
    assert (playing(console, monitor)["width"], playing(console, monitor)["height"]) == (1280, 720)
    switched = [
        n for n in newsroom.store.read_log(after=0, limit=10_000) if n.topic.endswith("Switched")
    ]
    assert len(switched) == 1
    shoot(console, "console-program", full_page=False)

    phone.click("#go-live")  # stop
    expect(tile).to_have_class(re.compile(r"\btile-idle\b"), timeout=10_000)

    store = newsroom.store
    eventually(
        lambda: any(
            n.topic.endswith("Capture.Registered") for n in store.read_log(after=0, limit=10_000)
        ),
        "the recording to become a capture",
    )
    recorded = phone.locator("#captures li", has_text="直播录像")
    expect(recorded).to_have_count(1, timeout=30_000)  # the phone looks again once it stopped
    for page in (phone, wall, console):
        assert not page.page_errors, page.page_errors  # type: ignore[attr-defined]
