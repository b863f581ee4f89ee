"""A story's way through the hall in Chromium: the console plans and assigns, the reporter's phone
accepts, checks in and acknowledges a command pushed to it, and the wall shows every step within a
second; then the hub goes away and comes back, and the wall catches up without a reload."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from events.base import Location
from hub.commands.dispatch import IssueCommand
from hub.commands.live import ConfigureOutput, RegisterSource, SourceWentLive, StartOutput
from tests.browser.conftest import LiveHub, an_assignment, fill, now, shoot, sign_in
from tests.conftest import Staff
from tests.web.test_uploads import JPEG_HEAD

pytestmark = pytest.mark.browser

STEP = 1000  # ms: the wall shows each step within a second
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "geolocation": {"latitude": 29.8712, "longitude": 121.5431},
    "permissions": ["geolocation"],
}


def accepted(page: Page, path: str, action: Callable[[], None]) -> None:
    """Does `action` and waits for the hub's answer to the write it makes: the second the wall
    has to show it starts there, not while the request is still on its way."""
    with page.expect_response(
        lambda r: path in r.url and r.request.method == "POST", timeout=15_000
    ) as answer:
        action()
    assert answer.value.ok, answer.value.text()


def on_board(wall: Page, state: str, title: str) -> None:
    lane = wall.locator(f"#board .board-state[data-state={state}]")
    expect(lane.get_by_text(title)).to_be_visible(timeout=STEP)


def seed_the_hall(hub: LiveHub, staff: Staff) -> None:
    """What the media engine and other desks would have done: sources live, a program on air."""
    newsroom = hub.rt.newsroom
    newsroom.handle(now(staff, "tess"), RegisterSource(name="truck-1", kind="truck"))
    newsroom.handle(now(staff, "tess"), RegisterSource(name="rui-phone", kind="phone", owner="rui"))
    newsroom.handle(
        now(staff, "tess"),
        ConfigureOutput(name="main", source="truck-1", backup=None, slate_text="稍后回来"),
    )
    newsroom.handle(now(staff, "tess"), StartOutput(id="main"))
    newsroom.handle(
        now(staff, "tess"),
        SourceWentLive(
            name="truck-1", session="s1", publisher=None, codec="H264", width=1280, height=720
        ),
    )


def test_plan_assign_accept_check_in_acknowledge_and_survive_a_restart(
    browser: Browser, hub: LiveHub, staff: Staff
) -> None:
    seed_the_hall(hub, staff)
    wall = sign_in(browser, hub, "wally", "wall", viewport={"width": 1920, "height": 1080})
    console = sign_in(browser, hub, "dana", "console", viewport={"width": 1600, "height": 1000})
    phone = sign_in(browser, hub, "rui", "reporter", **PHONE)
    expect(wall.locator(".tile[data-source=truck-1]")).to_have_class("tile tile-live on-program")

    # The dispatcher plans a story...
    form = console.locator("#plan")
    fill(form, title="东桥汛情直播", brief="水位上涨，现场连线", location="东桥")
    fill(form, lat="29.8712", lon="121.5431")
    form.locator("[name=priority]").select_option("urgent")
    form.locator("[name=channels][value=wechat]").check()
    accepted(console, "/api/assignments", form.locator("button[type=submit]").click)
    on_board(wall, "planned", "东桥汛情直播")

    # ...and assigns it to rui.
    job = console.locator(".lane[data-state=planned] .job", has_text="东桥汛情直播")
    job.locator("select[name=reporter]").select_option("rui")
    accepted(console, "/assign", job.get_by_role("button", name="派单").click)
    on_board(wall, "assigned", "东桥汛情直播")
    person = wall.locator("#people li[data-name=rui]")
    expect(person.locator(".state")).to_have_text("已派单", timeout=STEP)

    # The reporter's phone shows it: accept, then check in where the phone is.
    task = phone.locator(".task", has_text="东桥汛情直播")
    expect(task.locator(".brief")).to_have_text("水位上涨，现场连线")
    accepted(phone, "/accept", task.get_by_role("button", name="接单").click)
    on_board(wall, "accepted", "东桥汛情直播")
    expect(person.locator(".state")).to_have_text("在途", timeout=STEP)
    accepted(phone, "/check-in", task.get_by_role("button", name="到达签到").click)
    on_board(wall, "on_scene", "东桥汛情直播")
    expect(person.locator(".state")).to_have_text("在现场", timeout=STEP)

    # A command to rui is pushed to the phone (and so recorded as delivered) and acknowledged.
    command = console.locator("#command")
    fill(command, to="rui", text="14:00 准备连线")
    accepted(console, "/api/commands", command.locator("button[type=submit]").click)
    expect(wall.locator("#commands li", has_text="14:00 准备连线")).to_be_visible(timeout=STEP)
    pushed = phone.locator(".command", has_text="14:00 准备连线")
    expect(pushed).to_have_attribute("data-state", "delivered", timeout=5000)
    sent = console.locator("#sent li", has_text="14:00 准备连线")
    expect(sent).to_have_attribute("data-state", "delivered")
    shoot(wall, "wall-1920x1080", full_page=False)
    shoot(phone, "reporter-390x844")
    accepted(phone, "/ack", pushed.get_by_role("button", name="收到").click)
    expect(wall.locator("#commands li", has_text="14:00 准备连线")).to_have_count(0, timeout=STEP)
    expect(sent).to_have_attribute("data-state", "acknowledged", timeout=STEP)
    shoot(console, "console")

    # The hub goes away: the wall says so and dims; something happens meanwhile.
    wall.evaluate("window.stillTheSamePage = true")
    hub.stop()
    expect(wall.locator("#banner")).to_be_visible(timeout=10_000)
    expect(wall.locator("#wall")).to_have_attribute("data-state", "down")
    shoot(wall, "wall-feed-down", full_page=False)
    staff.newsroom.handle(now(staff, "dana"), IssueCommand(to="lin", text="重启期间的指令"))

    # It comes back on the same port: the wall resynchronises by itself, without a reload.
    hub.start()
    expect(wall.locator("#commands li", has_text="重启期间的指令")).to_be_visible(timeout=20_000)
    expect(wall.locator("#banner")).to_be_hidden()
    assert wall.evaluate("window.stillTheSamePage") is True
    console.locator("#command [name=to]").fill("lin")
    console.locator("#command [name=text]").fill("恢复后的指令")
    console.locator("#command button[type=submit]").click()
    expect(wall.locator("#commands li", has_text="恢复后的指令")).to_be_visible(timeout=5000)
    for page in (wall, console, phone):
        assert page.page_errors == []  # type: ignore[attr-defined]


def test_an_upload_from_the_phone_resumes_after_the_connection_drops(
    browser: Browser, hub: LiveHub, staff: Staff
) -> None:
    newsroom = hub.rt.newsroom
    place = Location("青山村", 29.9012, 121.5003)
    an_assignment(hub, staff, "青山村民宿经济", place, channels=["app"])
    phone = sign_in(browser, hub, "rui", "reporter", **PHONE)
    dropped: list[str] = []
    heads: list[str] = []

    def flaky(route: Route) -> None:
        """The second chunk's connection drops once, as a train enters a tunnel."""
        request = route.request
        if request.method == "HEAD":
            heads.append(request.url)
        offset = request.headers.get("upload-offset")
        if request.method == "PATCH" and offset != "0" and not dropped:
            dropped.append(offset or "")
            route.abort("connectionreset")
        else:
            route.continue_()

    phone.route("**/api/uploads/**", flaky)
    photo = JPEG_HEAD + bytes(range(256)) * 6000  # a JPEG by its first bytes; 1.5 MB: three chunks
    task = phone.locator(".task", has_text="青山村民宿经济")
    task.locator("input[type=file]").set_input_files(
        files=[{"name": "村口.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    expect(task.locator(".upload .status")).to_have_text("已上传 村口.jpg", timeout=20_000)
    assert dropped and heads, "the upload should have lost a chunk and asked where it got to"
    captures = [n for n in newsroom.store.read_log(after=0, limit=1000) if "Capture" in n.topic]
    assert len(captures) == 1
    mine = phone.locator("#captures li")
    expect(mine).to_have_count(1)
    expect(mine.first).to_contain_text("村口.jpg")
    expect(mine.first).to_contain_text("上传 · 1.5 MB · rui")
    shoot(phone, "reporter-captures")
    assert phone.page_errors == []  # type: ignore[attr-defined]
