"""The topic meeting and the evaluation in Chromium: a reporter proposes from the phone page, the
chief editor approves it with a reason and makes an assignment from it in one step, the minutes
show the decision, and once the story is out the evaluation page counts it, charts included."""

from __future__ import annotations

from uuid import UUID

import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

from hub.commands.assignments import AcceptAssignment, FileAssignment
from hub.commands.stories import DraftStory, PublishStory, ReviewStory, SubmitStory
from tests.browser.conftest import LiveHub, fill, now, shoot, sign_in
from tests.conftest import Staff

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def publish_on(hub: LiveHub, staff: Staff, assignment: UUID) -> None:
    """rui covers it, eddie writes it up, three reviewers pass it, it goes out on TV."""
    newsroom = hub.rt.newsroom
    newsroom.handle(now(staff, "rui"), AcceptAssignment(id=assignment))
    newsroom.handle(now(staff, "rui"), FileAssignment(id=assignment))
    story = newsroom.handle(
        now(staff, "eddie"), DraftStory(assignment=assignment, title="防汛堤加固", body="正文")
    ).id
    newsroom.handle(now(staff, "eddie"), SubmitStory(id=story))
    for reviewer in ("eddie", "dora", "chen"):
        newsroom.handle(now(staff, reviewer), ReviewStory(id=story, decision="approve", reason=""))
    newsroom.handle(now(staff, "chen"), PublishStory(id=story, channels=["tv"]))


def test_a_meeting_turns_a_proposal_into_work_and_the_evaluation_counts_it(
    browser: Browser, hub: LiveHub, staff: Staff
) -> None:
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if message.type == "error":
            refused.append(message.text)

    phone = sign_in(browser, hub, "rui", "reporter", **PHONE)
    phone.on("console", watch)
    form = phone.locator("#propose")
    fill(form, title="防汛堤加固进展", angle="谁来出钱，何时完工")
    form.locator("[name=channels][value=tv]").check()
    form.locator("button[type=submit]").click()
    expect(phone.locator("#proposals li")).to_contain_text("防汛堤加固进展")
    expect(phone.locator("#proposals li")).to_contain_text("待议")

    chief = sign_in(browser, hub, "chen", "meeting", **DESKTOP)
    chief.on("console", watch)
    topic = chief.locator("article.topic", has_text="防汛堤加固进展")
    expect(topic).to_contain_text("rui")
    expect(topic).to_contain_text("谁来出钱")
    topic.locator(".decide textarea").fill("民生关切，电视重点报道")
    topic.locator("button[data-decision=approve]").click()
    expect(topic.locator(".tag")).to_have_text("通过")
    expect(chief.locator("#minutes li")).to_contain_text("民生关切，电视重点报道")

    row = topic.locator(".assign-row")
    fill(row, reporter="rui", location="城东防汛堤", lat="29.88", lon="121.57")
    with chief.expect_response(lambda r: r.url.endswith("/assignments"), timeout=15_000) as made:
        topic.locator("form.assign button[type=submit]").click()
    assert made.value.ok
    assignment = UUID(made.value.json()["assignments"][0])
    expect(topic.locator("ul.made li")).to_contain_text("rui")
    expect(chief.locator("#minutes li ul li")).to_contain_text("防汛堤加固进展")
    expect(chief.locator("#export-md")).to_have_attribute(
        "href", r"/api/topics/minutes?day=" + chief.locator("#day").input_value() + "&format=md"
    )
    shoot(chief, "meeting")

    publish_on(hub, staff, assignment)
    board = sign_in(browser, hub, "chen", "evaluation", **DESKTOP)
    board.on("console", watch)
    rui = board.locator("#people tr[data-name=rui]")
    expect(rui.locator("td[data-key=assignments_done]")).to_have_text("1")
    expect(rui.locator("td[data-key=publications_total]")).to_have_text("1")
    expect(rui.locator("td[data-key=points]")).to_have_text("10")  # TV, by the default rule
    expect(board.locator("#points-chart")).to_have_attribute("data-ready", "true")
    expect(board.locator("#points-chart canvas").first).to_be_visible()
    expect(board.locator("#export")).to_have_attribute("href", "/api/evaluation/export?")
    rule = board.locator("#rule-form")
    rule.locator("[name='channel.tv']").fill("20")
    fill(rule, desks="新闻部: rui, eddie", reason="电视加权")
    rule.locator("button[type=submit]").click()
    expect(rui.locator("td[data-key=points]")).to_have_text("20")
    expect(
        board.locator("#desks tr[data-name=新闻部] td[data-key=publications_total]")
    ).to_have_text("2")
    shoot(board, "evaluation")
    for page in (phone, chief, board):
        assert page.page_errors == []  # type: ignore[attr-defined]
    assert refused == []
