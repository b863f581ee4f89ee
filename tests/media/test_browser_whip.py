"""Headless Chromium publishes its fake camera with whip.js; another page plays it with whep.js."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from hub.media.engine import MediaConfig
from tests.media.conftest import FAST, Hub, eventually, running_hub
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
PUBLISH_PAGE = """<!doctype html><meta charset="utf-8"><title>publish</title>
<script type="module">
import { publish } from "/static/js/whip.js";
window.states = [];
const stream = await navigator.mediaDevices.getUserMedia({
  video: { width: 640, height: 360, frameRate: 30 }, audio: true,
});
window.session = await publish("/whip/cam1", "pub-all", stream, {
  onState: (state) => window.states.push(state),
});
</script>"""
PLAY_PAGE = """<!doctype html><meta charset="utf-8"><title>play</title>
<video id="video" muted autoplay playsinline></video>
<script type="module">
import { play } from "/static/js/whep.js";
const video = document.getElementById("video");
window.states = [];
window.decoded = 0;
window.size = null;
const count = (now, frame) => {
  window.decoded += 1;
  window.size = [frame.width, frame.height];
  video.requestVideoFrameCallback(count);
};
video.requestVideoFrameCallback(count);
window.session = await play("/whep/cam1", "wall", video, {
  onState: (state) => window.states.push(state),
});
</script>"""


async def page_html(request: Request) -> HTMLResponse:
    return HTMLResponse(PUBLISH_PAGE if request.path_params["page"] == "publish" else PLAY_PAGE)


@pytest.fixture
async def browser_hub() -> AsyncIterator[Hub]:
    routes = [
        Mount("/static", StaticFiles(directory=STATIC)),
        Route("/{page:str}.html", page_html),
    ]
    # Chromium notices a dead path by ICE consent only (5-10 s), so the grace period is the default.
    config = MediaConfig(media_timeout=FAST.media_timeout, connect_timeout=FAST.connect_timeout)
    async with running_hub(config, extra_routes=routes) as hub:
        yield hub


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def frames_of(page: Page) -> int:
    frames: int = await page.evaluate("window.decoded")
    return frames


async def test_chromium_publishes_with_whip_js_and_plays_with_whep_js(
    browser_hub: Hub, browser: Browser
) -> None:
    hub = browser_hub
    errors: list[str] = []
    publisher = await browser.new_page()
    player = await browser.new_page()
    for page in (publisher, player):
        page.on("pageerror", lambda error: errors.append(str(error)))
    await publisher.goto(f"{hub.url}/publish.html")
    live = await hub.facts.wait_for("live", "cam1")
    assert live[3] == "H264", "whip.js prefers H.264"
    # On a narrow uplink the encoder keeps the frame rate and gives up resolution instead.
    sender = "window.session.pc.getSenders().find((s) => s.track?.kind === 'video')"
    wanted = await publisher.evaluate(f"{sender}.getParameters().degradationPreference")
    assert wanted == "maintain-framerate"
    assert await publisher.evaluate(f"{sender}.track.contentHint") == "motion"

    await player.goto(f"{hub.url}/play.html")
    feed = hub.engine.feed("cam1")

    async def plays_at_the_published_size() -> bool:
        size = await player.evaluate("window.size")
        return await frames_of(player) > 30 and size == [feed.width, feed.height]

    await eventually_async(plays_at_the_published_size, "decoded frames at the published size")
    assert feed.width and feed.height
    assert hub.engine.stats().sources[0].transcodes == ()

    # The network under the publisher dies: the hub closes its end of the connection.
    current = hub.engine._registry.slots["cam1"].publisher  # a test's view of the registry
    assert current is not None
    await current.pc.close()
    await hub.facts.wait_for("interrupted", "cam1")
    resumed = await hub.facts.wait_for("resumed", "cam1")
    assert resumed[2] != live[2]
    assert "reconnecting" in await publisher.evaluate("window.states")
    before = await frames_of(player)

    async def plays_again() -> bool:
        return await frames_of(player) > before + 30

    await eventually_async(plays_again, "the player to show the resumed source")
    assert await player.evaluate("window.states") == ["connecting", "live"]

    await player.evaluate("window.session.stop()")
    await publisher.evaluate("window.session.stop()")
    ended = await hub.facts.wait_for("ended", "cam1")
    assert ended[4] == "the publisher ended the stream"
    await eventually(lambda: hub.engine.stats().viewers == (), "the viewer to leave")
    assert errors == []


async def eventually_async(
    check: Callable[[], Awaitable[bool]], what: str, timeout: float = 40.0
) -> None:
    """Like `eventually`, for an async check (a page evaluation)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)
