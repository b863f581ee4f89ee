"""The desk in Chromium: an editor writes a story, picks a photo from the library and makes a
WeChat product; three reviewers approve it on their review pages; an edit after the approvals
sends it back and the chief editor's publish is refused naming the product; approved again,
it goes out. Two editors saving one story: the second is told, and keeps their text."""

from __future__ import annotations

from uuid import UUID

import pytest
from playwright.sync_api import Browser, Page, expect

from hub.commands.products import ReviewProduct
from hub.demo_pictures import landscape
from tests.browser.conftest import LiveHub, an_upload, now, shoot, sign_in
from tests.conftest import Staff

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 1000}}


def a_photo(hub: LiveHub, staff: Staff) -> UUID:
    return an_upload(hub, staff, landscape(3), "新桥通车.png", "image/png", stored_as="bridge.png")


def approve_on_review_page(browser: Browser, hub: LiveHub, name: str, product: str) -> Page:
    page = sign_in(browser, hub, name, "review", **DESKTOP)
    page.locator(f"#queue button[data-id='{product}']").click()
    panel = page.locator(f".product[data-product='{product}']")
    with page.expect_response(lambda r: r.url.endswith("/reviews")) as answer:
        panel.locator("button[data-action=approve]").click()
    assert answer.value.ok, answer.value.text()
    return page


def test_a_story_becomes_a_wechat_product_that_goes_out_after_three_reviews(
    browser: Browser, hub: LiveHub, staff: Staff
) -> None:
    photo = str(a_photo(hub, staff))
    desk = sign_in(browser, hub, "eddie", "desk", **DESKTOP)
    desk.locator("#new-story").click()
    desk.locator("#story-title").fill("城南新桥今天通车")
    desk.locator("#story-body").fill("城南新桥今天上午正式通车。\n市民步行过桥。")
    desk.locator(f"button[data-capture='{photo}']").click()
    expect(desk.locator(f".picked li[data-capture='{photo}']")).to_contain_text("新桥通车.png")
    thumb = desk.locator(f".picked li[data-capture='{photo}'] img.thumb")
    expect(thumb).to_be_visible()
    desk.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    desk.locator("#save-story").click()
    expect(desk.locator("#story h2")).to_have_text("城南新桥今天通车")
    expect(desk.locator("#stories")).to_contain_text("城南新桥今天通车")

    # A second editor saves first: the first is told, and their text is still on the page.
    story = desk.locator("#stories button", has_text="城南新桥").get_attribute("data-id")
    other = sign_in(browser, hub, "erin", f"desk?story={story}", **DESKTOP)
    other.locator("#story-body").fill("城南新桥今天上午正式通车，全长八百米。")
    other.locator("#save-story").click()
    expect(other.locator("#story-status")).to_have_text("已完成")
    desk.locator("#story-body").fill("城南新桥今天上午正式通车。\n市民步行过桥，秩序井然。")
    desk.locator("#save-story").click()
    expect(desk.locator("#story-status")).to_contain_text("有人在此期间已保存")
    expect(desk.locator("#story-body")).to_have_value(
        "城南新桥今天上午正式通车。\n市民步行过桥，秩序井然。"
    )
    desk.reload()
    desk.locator("#stories button", has_text="城南新桥").click()
    expect(desk.locator("#story-body")).to_have_value("城南新桥今天上午正式通车，全长八百米。")

    # The WeChat product: the channel's limits are shown; it needs its cover before review.
    desk.locator(".make-product select").select_option("wechat")
    desk.locator(".make-product button").click()
    card = desk.locator(".product[data-channel=wechat]")
    expect(card).to_contain_text("需要封面图")
    card.locator("button[data-action=submit]").click()
    expect(card.locator(".status")).to_contain_text("需要封面图片")
    card.locator("select[name=cover]").select_option(photo)
    card.locator("button", has_text="保存产品").click()
    # Saved: the card is drawn again from the answer (its status line with it), with the cover.
    expect(desk.locator(".product[data-channel=wechat] select[name=cover]")).to_have_value(photo)
    expect(desk.locator(".product[data-channel=wechat] .status.bad")).to_have_count(0)
    card.locator("button[data-action=submit]").click()
    expect(card).to_have_attribute("data-state", "in_review")
    product = card.get_attribute("data-product") or desk.locator(
        ".product.card"
    ).first.get_attribute("data-product")
    assert product

    reviewers = [
        approve_on_review_page(browser, hub, name, product) for name in ("erin", "dora", "chen")
    ]
    chief = reviewers[-1]
    panel = chief.locator(f".product[data-product='{product}']")
    expect(panel).to_have_attribute("data-state", "approved")
    expect(panel.locator("button[data-action=publish]")).to_be_visible()
    shoot(chief, "review-product")

    # The editor changes the text after the approvals: the chief editor's publish is refused.
    desk.reload()
    desk.locator("#stories button", has_text="城南新桥").click()
    card = desk.locator(".product[data-channel=wechat]")
    card.locator("textarea[name=body]").fill("城南新桥今天上午正式通车，全长八百米，双向四车道。")
    card.locator("button", has_text="保存产品").click()
    expect(card).to_have_attribute("data-state", "in_review")
    panel.locator("button[data-action=publish]").click()
    refusal = panel.locator(".status")
    expect(refusal).to_contain_text(f"产品 {product}（微信")
    expect(refusal).to_contain_text("不能发布")

    # Reviewed again (on the new digest), it goes out from the chief editor's page.
    newsroom = hub.rt.newsroom
    for name in ("erin", "dora", "chen"):
        newsroom.handle(now(staff, name), ReviewProduct(id=UUID(product), decision="approve"))
    chief.reload()
    chief.goto(f"{hub.url}/desk?story={story}")
    published = chief.locator(".product[data-channel=wechat]")
    with chief.expect_response(lambda r: r.url.endswith("/publish")) as answer:
        published.locator("button[data-action=publish]").click()
    assert answer.value.ok, answer.value.text()
    expect(published).to_have_attribute("data-state", "published")
    shoot(desk, "desk")
    for page in (desk, other, *reviewers):
        assert page.page_errors == []  # type: ignore[attr-defined]
