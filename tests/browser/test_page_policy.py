"""Every page under the hub's security headers in Chromium: nothing the policy refuses, and every
page still working (its script runs, its feed connects, the phone keeps camera and position)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.browser.conftest import LiveHub, shoot, sign_in
from tests.browser.test_newsroom_flow import PHONE
from tests.conftest import Staff

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 900}}
# Set up before any of the page's scripts run (Playwright's init scripts are not the page's own,
# so the page's policy does not apply to them).
WATCH_POLICY = """
window.refusedByPolicy = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.refusedByPolicy.push(`${e.effectiveDirective} ${e.blockedURI}`));
"""
COMPLAINTS = ("Content Security Policy", "Refused to", "Permissions-Policy", "Permissions policy")


class Watched:
    """A page, with what its policy refused and what the console said about policies."""

    def __init__(self, tab: Page) -> None:
        self.tab = tab
        self.complaints: list[str] = []
        self.headers: dict[str, str] = {}
        tab.context.add_init_script(WATCH_POLICY)
        tab.on("console", self._heard)
        tab.on("response", self._answered)

    def _heard(self, message: ConsoleMessage) -> None:
        if any(words in message.text for words in COMPLAINTS):
            self.complaints.append(message.text)

    def _answered(self, response: Any) -> None:
        if response.request.resource_type == "document":
            self.headers = response.headers

    def load(self, url: str) -> None:
        self.tab.goto(url)

    def refused(self) -> list[str]:
        noted: list[str] = self.tab.evaluate("window.refusedByPolicy")
        return noted + self.complaints


def signed_in(browser: Browser, hub: LiveHub, name: str, page: str, **context: Any) -> Watched:
    """The page as `name` sees it, loaded afresh once the watch is set up."""
    watched = Watched(sign_in(browser, hub, name, page, **context))
    watched.load(f"{hub.url}/{page}")
    return watched


def assert_under_policy(watched: Watched) -> None:
    policy = watched.headers["content-security-policy"]
    for directive in ("script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert watched.headers["x-content-type-options"] == "nosniff"
    assert watched.headers["referrer-policy"] == "same-origin"
    assert watched.refused() == []
    assert watched.tab.page_errors == []  # type: ignore[attr-defined]


def test_every_page_works_under_the_policy(browser: Browser, hub: LiveHub, staff: Staff) -> None:
    login = Watched(browser.new_context(**DESKTOP).new_page())
    login.tab.page_errors = []  # type: ignore[attr-defined]
    login.load(f"{hub.url}/login")
    expect(login.tab.locator("form.login button[type=submit]")).to_be_visible()
    assert_under_policy(login)

    wall = signed_in(browser, hub, "wally", "wall", viewport={"width": 1920, "height": 1080})
    expect(wall.tab.locator("#wall")).to_have_attribute("data-state", "live")  # the feed's socket
    console = signed_in(browser, hub, "dana", "console", **DESKTOP)
    review = signed_in(browser, hub, "eddie", "review", **DESKTOP)
    for page in (console, review):
        expect(page.tab.locator("body")).to_have_attribute("data-feed", "live")
    expect(review.tab.locator("#queue")).to_contain_text("暂无待审稿件")
    audit = signed_in(browser, hub, "audrey", "audit", **DESKTOP)
    expect(audit.tab.locator("#timeline tr").first).to_be_visible()
    expect(audit.tab.locator("#frame #wall")).to_have_attribute("data-state", "replay")
    meeting = signed_in(browser, hub, "dora", "meeting", **DESKTOP)
    expect(meeting.tab.locator("#topics")).to_contain_text("当日暂无选题")
    evaluation = signed_in(browser, hub, "chen", "evaluation", **DESKTOP)
    expect(evaluation.tab.locator("#points-chart")).to_have_attribute("data-ready", "true")
    for page in (wall, console, review, audit, meeting, evaluation):
        assert_under_policy(page)
    shoot(audit.tab, "audit-under-policy")


def test_the_phone_keeps_its_camera_microphone_and_position(
    browser: Browser, hub: LiveHub, staff: Staff
) -> None:
    phone = signed_in(browser, hub, "rui", "reporter", **PHONE)
    expect(phone.tab.locator("body")).to_have_attribute("data-feed", "live")
    tracks = phone.tab.evaluate(
        """navigator.mediaDevices.getUserMedia({video: true, audio: true}).then((stream) => {
             const kinds = stream.getTracks().map((track) => track.kind).sort();
             stream.getTracks().forEach((track) => track.stop());
             return kinds;
           })"""
    )
    assert tracks == ["audio", "video"]
    latitude = phone.tab.evaluate(
        """new Promise((done, failed) => navigator.geolocation.getCurrentPosition(
             (where) => done(where.coords.latitude), (error) => failed(error.message)))"""
    )
    assert latitude == pytest.approx(29.8712)
    allowed = phone.tab.evaluate(
        "['camera', 'microphone', 'geolocation', 'usb'].map("
        "(f) => document.featurePolicy.allowsFeature(f))"
    )
    assert allowed == [True, True, True, False]
    assert_under_policy(phone)


def test_no_other_site_frames_a_page(browser: Browser, hub: LiveHub) -> None:
    tab = browser.new_context().new_page()
    said: list[str] = []
    tab.on("console", lambda message: said.append(message.text))
    tab.set_content(f'<iframe src="{hub.url}/login" width="400" height="300"></iframe>')
    frame = tab.frames[1]
    frame.wait_for_load_state()
    assert frame.locator("form.login").count() == 0
    assert any("frame-ancestors" in line for line in said), said
