"""舆情 intake on both stores: a local RSS server on 127.0.0.1 with Chinese items, feeds that
break (a timeout, invalid XML, a 500) retried with backoff and reported without holding up the
good one, every item stored once, graded, and escalated to the duty leader when nobody on duty
acknowledges it in time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.commands.duty import ScheduleShift
from hub.commands.opinion import AcknowledgeWarning, AddFeed, WriteRule
from hub.newsroom import Newsroom, Request
from hub.opinion import text
from hub.opinion.escalation import Escalator
from hub.opinion.intake import Entry, Intake
from hub.opinion.polling import Poller
from hub.readmodels import ReadModels
from tests.conftest import Staff
from tests.support.http_server import QuietHandler, local_server

ITEMS = [
    (
        "https://news.example/1",
        "城关镇化工厂发生爆炸",
        "今天上午城关镇化工厂发生爆炸，现场浓烟滚滚，消防正在救援。",
    ),
    ("https://news.example/2", "县里举办丰收节", "丰收节上群众载歌载舞，欢庆丰收。"),
    # The first item again under another address, with other punctuation: a repeat.
    (
        "https://mirror.example/9",
        "城关镇化工厂发生爆炸！",
        "今天上午城关镇化工厂发生爆炸,现场浓烟滚滚,消防正在救援",
    ),
]


def rss(items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{t}</title><link>{u}</link><description>{d}</description></item>"
        for u, t, d in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>县网</title>'
        f"{entries}</channel></rss>"
    ).encode()


class Feeds:
    """What the local server answers on each path; `broken` paths may be mended meanwhile."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.mended = False


@pytest.fixture
def feeds() -> Iterator[tuple[str, Feeds]]:
    state = Feeds()

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            state.hits[self.path] = state.hits.get(self.path, 0) + 1
            if self.path == "/good.xml":
                return self.answer(200, rss(ITEMS))
            if self.path == "/invalid.xml":
                return self.answer(200, b"<rss><channel><item><title>\xe5\x8d\x8a")
            if self.path == "/error.xml":
                if state.mended:
                    return self.answer(200, rss([]))
                return self.answer(500, b"oops")
            if self.path == "/slow.xml":
                time.sleep(2)
                return self.answer(200, rss([]))
            self.answer(404, b"")

        def answer(self, status: int, body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the poller gave up waiting

    with local_server(Handler) as address:
        yield address, state


@pytest.fixture
def models(newsroom: Newsroom, staff: Staff) -> ReadModels:
    text.warm()
    found = ReadModels(newsroom)
    found.start()
    return found


def rules(staff: Staff) -> None:
    app = staff.newsroom
    app.handle(staff.req("dora"), WriteRule(name="安全事故", level="red", terms=["爆炸", "泄漏"]))
    app.handle(staff.req("dora"), WriteRule(name="城关镇", level="blue", places=["城关镇"]))


async def poll_until(poller: Poller, done: Any, seconds: float = 60) -> None:
    task = asyncio.create_task(poller.run())
    try:
        deadline = time.monotonic() + seconds
        while not done():
            assert time.monotonic() < deadline, poller.health
            await asyncio.sleep(0.1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_feeds_are_polled_and_broken_ones_retried_and_reported(
    staff: Staff, models: ReadModels, feeds: tuple[str, Feeds]
) -> None:
    base, state = feeds
    rules(staff)
    for name in ("good", "invalid", "error", "slow"):
        staff.newsroom.handle(
            staff.req("dora"), AddFeed(name=name, url=f"{base}/{name}.xml", every=3600)
        )
    models.catch_up()
    poller = Poller(staff.newsroom, Intake(staff.newsroom), timeout=0.5, retry_first=0.2, tick=0.05)

    def broken_retried() -> bool:
        h = poller.health
        return all(h.get(n) and h[n].failures >= 3 for n in ("invalid", "error", "slow"))

    await poll_until(poller, broken_retried)
    models.catch_up()
    desk = models.models.opinion.state()
    # The good feed was read once (its next poll is an hour away), whatever the others did.
    assert state.hits["/good.xml"] == 1 and poller.health["good"].state == "ok"
    assert {i["url"] for i in desk["items"].values()} == {ITEMS[0][0], ITEMS[1][0]}
    blast = next(i for i in desk["items"].values() if i["url"] == ITEMS[0][0])
    assert (blast["level"], blast["repeats"]) == ("red", 1)
    assert blast["reasons"][0]["args"]["rule"] == "安全事故"
    quiet = next(i for i in desk["items"].values() if i["url"] == ITEMS[1][0])
    assert quiet["level"] is None
    # Each broken feed is one event however often it is retried, with why; backoff doubles.
    failing = {n: f["error"] for n, f in desk["feeds"].items() if f["failing"]}
    assert set(failing) == {"invalid", "error", "slow"}
    assert failing["error"] == "HTTP 500" and failing["slow"] == "timed out"
    assert failing["invalid"].startswith("not a feed")
    alerts = [a["args"].get("feed") for a in models.models.wall.state()["alerts"]]
    assert sorted(a for a in alerts if a) == ["error", "invalid", "slow"]
    assert state.hits["/error.xml"] < 12  # 0.2, 0.4, 0.8 … s apart, not every tick
    # A mended feed recovers, and says so.
    state.mended = True
    poller.health["error"].next_at = 0
    await poll_until(poller, lambda: poller.health["error"].state == "ok")
    models.catch_up()
    assert models.models.opinion.state()["feeds"]["error"]["failing"] is False


def test_every_item_is_stored_once_and_volume_raises_the_level(
    staff: Staff, models: ReadModels
) -> None:
    app = staff.newsroom
    app.handle(
        staff.req("dora"),
        WriteRule(name="化工厂聚集", level="orange", terms=["化工厂"], volume=3, window=60),
    )
    models.catch_up()
    intake = Intake(app)
    at = staff.clock.now
    first = intake.take("f", [Entry("https://a.example/1", "化工厂门口有人聚集")], at)
    again = intake.take("f", [Entry("https://a.example/1", "化工厂门口有人聚集")], at)
    copy = intake.take("g", [Entry("https://b.example/7", "化工厂门口有人聚集！")], at)
    other = intake.take("g", [Entry("https://b.example/8", "化工厂今天开放参观日")], at)
    assert [o.result for o in (*first, *again, *copy, *other)] == [
        "collected",
        "seen",
        "repeated",
        "collected",
    ]
    assert first[0].level is None and copy[0].level is None
    assert other[0].level == "orange"  # the third mention within the hour
    items = models.models.opinion.state()["items"]
    assert len(items) == 2 and items[first[0].item]["repeats"] == 1


def test_an_unacknowledged_red_warning_escalates_to_the_duty_leader(
    staff: Staff, models: ReadModels
) -> None:
    app = staff.newsroom
    rules(staff)
    start = datetime.now(UTC) - timedelta(minutes=5)
    app.handle(
        Request(staff.actor("dora"), datetime.now(UTC)),
        ScheduleShift(
            start=start, end=start + timedelta(hours=8), on_duty=["eddie"], leader="chen"
        ),
    )
    models.catch_up()
    intake = Intake(app)
    now = datetime.now(UTC)
    [red] = intake.take("f", [Entry("https://c.example/1", "东街燃气泄漏")], now)
    [acked] = intake.take("f", [Entry("https://c.example/2", "西街仓库爆炸")], now)
    app.handle(Request(staff.actor("eddie"), now), AcknowledgeWarning(id=acked.item))
    models.catch_up()
    escalator = Escalator(app, after=600, now=lambda: now + timedelta(seconds=599))
    assert escalator.sweep() == 0
    escalator.now = lambda: now + timedelta(seconds=601)
    assert escalator.sweep() == 1
    assert escalator.sweep() == 0  # once
    items = models.models.opinion.state()["items"]
    assert (items[red.item]["state"], items[red.item]["escalated_to"]) == ("escalated", "chen")
    assert items[acked.item]["state"] == "acknowledged"
    wall = models.models.wall.state()
    assert wall["warnings"][red.item]["escalated_to"] == "chen"
    assert wall["alerts"][-1]["msg"] == "warning {title} escalated to {leader}"
