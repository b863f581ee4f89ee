"""The whole desk chain in Chromium, each step by the person who does it: an editor writes a story
on the desk, picks a photo and a truck recording from the library, cuts a vertical clip of the
recording with the desk's clip tool (the hub makes it: a playable 9:16 file of the length asked
for), makes a WeChat, a Douyin and a website product; three reviewers pass the WeChat and Douyin
products on their review pages; the chief editor publishes the WeChat product to a webhook outlet
(a real receiver that verifies each signature gets one ninjs document), fast-tracks and publishes
the website product to the public site, retracts it with a reason (410 Gone with the note), and
the evaluation page counts the publications."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import av
import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from events.roles import SYSTEM_ACTOR
from hub.commands.outlets import AddOutlet
from hub.config import Settings
from hub.newsroom import Request
from tests.browser.conftest import LiveHub, shoot, sign_in
from tests.browser.test_clips_page import LOADED, SEEK
from tests.browser.test_desk import DESKTOP, a_photo
from tests.browser.test_going_live import eventually
from tests.clip_media import make_video
from tests.conftest import Staff, capture_of_file
from tests.delivery.receiver import Receiver, receiving
from tests.delivery.test_outbox import VALID

pytestmark = pytest.mark.browser

TITLE = "江堤加固工程完工"
BODY = "江堤加固工程今天完工。\n\n全长三公里，汛期前投入使用。"
CLIP_IN, CLIP_OUT = 1.0, 4.0
FPS = 25
WAIT = 30_000  # ms: for a state to show on a page
MADE = 180_000  # ms: a clip is cut and encoded again on the shared machine's cores
DELIVERED = 60.0  # s: the outbox sends on the commit that queues, and every second


@pytest.fixture(autouse=True)
def patient() -> Iterator[None]:
    """Every page here waits on the hub's answers and the wall's feed: on a loaded machine a
    state may take longer than Playwright's 5 s to show."""
    expect.set_options(timeout=WAIT)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A hub with media on: clips are cut on the node that does media work."""
    return Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'hub.db'}")


@pytest.fixture
def gateway(hub: LiveHub) -> Iterator[Receiver]:
    """WeChat's gateway (a receiver on 127.0.0.1 verifying Standard Webhooks signatures) and the
    public site, as the admin configured them."""
    with receiving("") as receiver:
        system = Request(SYSTEM_ACTOR, datetime.now(UTC))
        added = hub.rt.newsroom.handle(
            system, AddOutlet(name="wechat-gw", kind="webhook", channel="wechat", url=receiver.url)
        )
        receiver.secret = str(added.extra["token"])
        hub.rt.newsroom.handle(system, AddOutlet(name="site", kind="site", channel="website"))
        yield receiver


def a_recording(hub: LiveHub) -> UUID:
    """The truck's recording of the levee (VP8 in WebM, 16:9, 6 s), as the hub registers one."""
    data_dir = hub.settings.data_dir
    path = make_video(
        data_dir / "recordings" / "truck-1-levee.webm",
        seconds=6,
        fps=FPS,
        fmt="webm",
        codec="libvpx",
    )
    recording = capture_of_file(
        path, data_dir, "video/webm", kind="recording", duration=6.0, source="truck-1"
    )
    return hub.rt.newsroom.handle(Request(SYSTEM_ACTOR, datetime.now(UTC)), recording).id


def saved(desk: Page, revision: int) -> None:
    """Waits for the story drawn again from its saved version `revision`."""
    expect(desk.locator("#story > p.muted")).to_contain_text(f"版本 {revision}")


def make_product(desk: Page, channel: str) -> Locator:
    desk.locator(".make-product select").select_option(channel)
    desk.locator(".make-product button").click()
    card = desk.locator(f".product[data-channel={channel}]")
    expect(card).to_have_attribute("data-state", "draft")
    return card


def save_and_submit(desk: Page, card: Locator) -> str:
    """Saves the product card as edited, then submits it: its id."""
    product = card.get_attribute("data-product")
    assert product
    url = f"/api/products/{product}"
    # Saved, the card is drawn again from a fresh read: submit only after that read, so no read
    # from before the submission draws the card last.
    with (
        desk.expect_response(lambda r: r.request.method == "GET" and r.url.endswith(url)),
        desk.expect_response(lambda r: r.request.method == "PUT" and r.url.endswith(url)) as answer,
    ):
        card.locator("button", has_text="保存产品").click()
    assert answer.value.ok, answer.value.text()
    card.locator("button[data-action=submit]").click()
    expect(card).to_have_attribute("data-state", "in_review")
    expect(card.locator(".status.bad")).to_have_count(0)
    return product


def approve(page: Page, product: str, approvals: int) -> None:
    """On the review page: opens the product from the queue and approves it at the page's level."""
    page.locator(f"#queue button[data-id='{product}']").click()
    panel = page.locator(f".product[data-product='{product}']")
    with page.expect_response(lambda r: r.url.endswith(f"/api/products/{product}/reviews")) as a:
        panel.locator("button[data-action=approve]").click()
    assert a.value.ok, a.value.text()
    expect(panel.locator(".approvals li.ok")).to_have_count(approvals)


def clip_file(path: Path) -> tuple[int, int, float]:
    """Width, height and length of a clip, by decoding every picture of it."""
    with av.open(str(path)) as clip:
        stream = clip.streams.video[0]
        pictures = list(clip.decode(stream))
        rate = float(stream.average_rate or FPS)
    assert pictures, f"{path} holds no picture"
    return pictures[0].width, pictures[0].height, len(pictures) / rate


def test_a_story_goes_from_the_desk_through_review_to_outlets_and_the_evaluation(
    browser: Browser, hub: LiveHub, staff: Staff, gateway: Receiver, tmp_path: Path
) -> None:
    photo = str(a_photo(hub, staff))
    recording = str(a_recording(hub))

    # The editor writes the story and picks the photo and the recording from the library.
    desk = sign_in(browser, hub, "eddie", "desk", **DESKTOP)
    desk.locator("#new-story").click()
    desk.locator("#story-title").fill(TITLE)
    desk.locator("#story-body").fill(BODY)
    for capture in (photo, recording):
        desk.locator(f".library button[data-capture='{capture}']").click()
        expect(desk.locator(f".picked li[data-capture='{capture}']")).to_be_visible()
    desk.locator("#save-story").click()
    expect(desk.locator("#story h2")).to_have_text(TITLE)
    saved(desk, 1)

    # A vertical clip of the recording, cut by the hub through the desk's clip tool.
    picked = desk.locator(f".picked li[data-capture='{recording}']")
    player = picked.locator("video")
    player.evaluate(LOADED)
    tools = picked.locator(".clipper")
    player.evaluate(SEEK % CLIP_IN)
    tools.get_by_role("button", name="标入点").click()
    player.evaluate(SEEK % CLIP_OUT)
    tools.get_by_role("button", name="标出点").click()
    expect(tools).to_contain_text(f"入点 {CLIP_IN:.1f} s · 出点 {CLIP_OUT:.1f} s")
    tools.get_by_label("竖屏 9:16").check()
    with desk.expect_response(lambda r: r.url.endswith("/api/clips")) as asked:
        tools.get_by_role("button", name="生成剪辑").click()
    assert asked.value.status == 201, asked.value.text()
    sent = asked.value.request.post_data_json
    expect(tools.locator(".status")).to_have_text("剪辑完成，已入素材库", timeout=MADE)
    made = desk.request.get(f"{hub.url}/api/clips/{asked.value.json()['id']}").json()
    clip = made["capture"]
    served = desk.request.get(f"{hub.url}/api/captures/{clip}/file")
    assert served.ok and served.headers["content-type"] == "video/mp4", served.headers
    fetched = tmp_path / "clip.mp4"
    fetched.write_bytes(served.body())
    width, height, seconds = clip_file(fetched)
    assert width * 16 == height * 9, f"{width}×{height} is not 9:16"
    assert abs(seconds - (sent["end"] - sent["start"])) <= 2 / FPS, seconds
    assert (sent["start"], sent["end"]) == (CLIP_IN, CLIP_OUT)

    # The clip is in the library: the editor adds it to the story.
    desk.locator(".library-box .row button", has_text="搜索").click()
    desk.locator(f".library button[data-capture='{clip}']").click()
    expect(desk.locator(f".picked li[data-capture='{clip}']")).to_be_visible()
    desk.locator("#save-story").click()
    saved(desk, 2)

    # Its products: WeChat (the photo as cover, the recording), Douyin (the clip), the website.
    wechat_card = make_product(desk, "wechat")
    wechat_card.locator("select[name=cover]").select_option(photo)
    wechat_card.locator(f"input[type=checkbox][value='{recording}']").check()
    wechat = save_and_submit(desk, wechat_card)
    douyin_card = make_product(desk, "douyin")
    expect(douyin_card).to_contain_text("需要竖屏视频")
    douyin_card.locator(f"input[type=checkbox][value='{clip}']").check()
    douyin = save_and_submit(desk, douyin_card)
    website = make_product(desk, "website").get_attribute("data-product")
    assert website
    shoot(desk, "desk-chain")

    # Three reviewers, each on their own review page, pass both products at their level.
    reviewers = []
    for level, name in enumerate(("erin", "dora", "chen"), start=1):
        page = sign_in(browser, hub, name, "review", **DESKTOP)
        for product in (douyin, wechat):
            approve(page, product, level)
        reviewers.append(page)
    chief = reviewers[-1]
    expect(chief.locator("#queue")).to_contain_text("暂无待审稿件")

    # The chief editor publishes the WeChat product: its gateway gets one signed ninjs document.
    panel = chief.locator(f".product[data-product='{wechat}']")
    expect(panel).to_have_attribute("data-state", "approved")
    with chief.expect_response(lambda r: r.url.endswith(f"/api/products/{wechat}/publish")) as a:
        panel.locator("button[data-action=publish]").click()
    assert a.value.ok, a.value.text()
    expect(panel).to_have_attribute("data-state", "published")
    eventually(lambda: len(gateway.messages) == 1, "the WeChat delivery", DELIVERED)

    # The website product: fast-tracked and published on the desk, shown on the public site.
    chief.goto(f"{hub.url}/desk?story={desk_story(desk)}")
    expect(chief.locator(f".product[data-product='{douyin}']")).to_have_attribute(
        "data-state", "approved"
    )
    site_card = chief.locator(f".product[data-product='{website}']")
    site_card.locator(".decision textarea").fill("完工消息，网站首发")
    site_card.locator("button[data-action=fast_track]").click()
    expect(site_card).to_have_attribute("data-state", "approved")
    with chief.expect_response(lambda r: r.url.endswith(f"/api/products/{website}/publish")) as a:
        site_card.locator("button[data-action=publish]").click()
    assert a.value.ok, a.value.text()
    expect(site_card).to_have_attribute("data-state", "published")
    public = httpx.Client(base_url=hub.url, timeout=10)
    eventually(lambda: website in public.get("/p/").text, "the website product on /p/", DELIVERED)
    reader = browser.new_context().new_page()
    shown = reader.goto(f"{hub.url}/p/{website}")
    assert shown is not None and shown.status == 200
    expect(reader.locator("body")).to_contain_text(TITLE)
    expect(reader.locator("body")).to_contain_text("汛期前投入使用")

    # Retracted on the desk with a reason: the public page answers 410 Gone with the note.
    site_card.locator(".decision textarea").fill("工程数据有误，待核实")
    site_card.locator("button[data-action=retract]").click()
    expect(site_card).to_have_attribute("data-state", "retracted")
    eventually(lambda: public.get(f"/p/{website}").status_code == 410, "the retraction", DELIVERED)
    gone = reader.goto(f"{hub.url}/p/{website}")
    assert gone is not None and gone.status == 410
    expect(reader.locator("body")).to_contain_text("工程数据有误，待核实")
    assert website not in public.get("/p/").text

    # The WeChat gateway holds exactly one verified document, the product as published.
    assert gateway.requests == 1 and gateway.refused == 0
    (document,) = gateway.messages.values()
    VALID.validate(document)
    assert document["headlines"][0]["value"] == TITLE
    assert {"role": "product", "value": wechat} in document["altids"]
    assert document["pubstatus"] == "usable"

    # The evaluation counts the two publications (and the fast track) for the editor.
    board = sign_in(browser, hub, "chen", "evaluation", **DESKTOP)
    eddie = board.locator("#people tr[data-name=eddie]")
    expect(eddie.locator("td[data-key=publications_total]")).to_have_text("2")
    expect(eddie.locator("td[data-key=fast_tracks]")).to_have_text("1")
    expect(eddie.locator("td[data-key=points]")).to_have_text("8")  # WeChat 5 + website 3
    export = board.locator("#export").get_attribute("href")
    rows = csv.DictReader(io.StringIO(board.request.get(f"{hub.url}{export}").text()))
    counted = next(r for r in rows if (r["kind"], r["name"]) == ("person", "eddie"))
    assert counted["publications_wechat"] == "1" and counted["publications_website"] == "1"
    assert counted["publications_douyin"] == "0" and counted["publications_total"] == "2"
    shoot(board, "desk-chain-evaluation")
    public.close()
    for page in (desk, *reviewers, board):
        assert page.page_errors == []  # type: ignore[attr-defined]


def desk_story(desk: Page) -> str:
    story = desk.locator("#stories button", has_text=TITLE).get_attribute("data-id")
    assert story
    return story
