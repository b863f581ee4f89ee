"""Scheduled publication on both stores: due products go out once, across a restart."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from hub.commands.products import (
    CancelSchedule,
    MakeProduct,
    ReviewProduct,
    ScheduleProduct,
    SubmitProduct,
)
from hub.commands.stories import DraftStory
from hub.config import Settings
from hub.newsroom import Newsroom
from hub.product_queries import product_detail
from hub.readmodels import ReadModels
from hub.scheduler import Scheduler
from tests.conftest import Staff


def approved_product(staff: Staff, title: str) -> str:
    app, req = staff.newsroom, staff.req
    story = app.handle(req("eddie"), DraftStory(title=title, body="")).id
    pid = app.handle(req("eddie"), MakeProduct(story=story, channel="weibo", title=title)).id
    app.handle(req("eddie"), SubmitProduct(id=pid))
    for who in ("erin", "dora", "chen"):
        app.handle(req(who), ReviewProduct(id=pid, decision="approve"))
    return str(pid)


def test_a_schedule_survives_a_restart_and_goes_out_once(staff: Staff, settings: Settings) -> None:
    app = staff.newsroom
    kept, dropped = approved_product(staff, "Kept"), approved_product(staff, "Dropped")
    when = staff.clock.now + timedelta(hours=1)
    for pid in (kept, dropped):
        app.handle(staff.req("eddie"), ScheduleProduct(id=pid, publish_at=when))
    app.handle(staff.req("dora"), CancelSchedule(id=dropped, reason="held back"))
    models = ReadModels(app)
    models.start()
    assert Scheduler(app, models).publish_due(when - timedelta(seconds=1)) == []
    models.stop()

    # The hub restarts after the time has passed: the new one finds the schedule in the log.
    again = Newsroom(settings)
    try:
        models = ReadModels(again)
        models.start()
        scheduler = Scheduler(again, models)
        late = when + timedelta(minutes=5)
        assert [str(p) for p in scheduler.publish_due(late)] == [kept]
        models.catch_up()
        assert scheduler.publish_due(late + timedelta(seconds=1)) == []
        detail = product_detail(again, UUID(kept))
        published = detail["history"][-1]
        assert (published["action"], published["actor"], published["on_behalf_of"]) == (
            "published",
            "hub",
            "eddie",
        )
        assert detail["publications"] == 1
        assert product_detail(again, UUID(dropped))["state"] == "approved"
    finally:
        models.stop()
        again.close()
