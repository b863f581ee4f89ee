"""The duty roster through the application and its read models, on both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events.base import Location
from events.errors import InvalidValue, NotPermitted
from hub import duty
from hub.commands.assignments import PlanAssignment
from hub.commands.duty import (
    CompleteInspection,
    CountersignHandover,
    ScheduleShift,
    StartInspection,
    TickInspectionItem,
    WriteHandover,
)
from hub.commands.live import ConfigureOutput, StartOutput
from hub.newsroom import Newsroom
from hub.readmodels import ReadModels
from tests.conftest import Staff

H = timedelta(hours=1)


@pytest.fixture
def models(newsroom: Newsroom, staff: Staff) -> ReadModels:
    found = ReadModels(newsroom)
    found.start()
    return found


def schedule(staff: Staff, models: ReadModels, start_in: timedelta, hours: int, **kw: object):
    now = staff.clock.now
    fields = {"on_duty": ["dana", "eddie"], "leader": "chen", **kw}
    done = staff.newsroom.handle(
        staff.req("dora"),
        ScheduleShift(start=now + start_in, end=now + start_in + hours * H, **fields),
    )
    models.catch_up()
    return done


def test_who_is_on_duty_follows_the_roster(staff: Staff, models: ReadModels) -> None:
    schedule(staff, models, -H + timedelta(minutes=10), 8)
    schedule(staff, models, 7 * H, 8, on_duty=["erin"], leader="dora")
    now = duty.now(staff.newsroom, staff.clock.now)
    assert (now["on_duty"], now["leader"]) == (["dana", "eddie"], "chen")
    later = duty.now(staff.newsroom, staff.clock.now + 8 * H)
    assert (later["on_duty"], later["leader"]) == (["erin"], "dora")
    # The wall holds the shifts that are not over, for the wall to pick the one holding its time.
    assert len(models.models.wall.state()["shifts"]) == 2


def test_only_a_desk_head_or_the_chief_editor_leads(staff: Staff, models: ReadModels) -> None:
    with pytest.raises(InvalidValue, match="eddie cannot lead a shift"):
        schedule(staff, models, H, 8, leader="eddie")


def test_a_handover_lists_what_is_on_air_and_overdue_and_is_countersigned(
    staff: Staff, models: ReadModels
) -> None:
    app = staff.newsroom
    schedule(staff, models, -H + timedelta(minutes=10), 8)
    app.handle(staff.req("tess"), ConfigureOutput(name="main", source=None, backup=None))
    app.handle(staff.req("tess"), StartOutput(id="main"))
    app.handle(
        staff.req("dana"),
        PlanAssignment(
            title="防汛巡堤", location=Location("东堤", 30.1, 120.2), due=staff.clock.now + H
        ),
    )
    staff.collected("东堤渗水", "orange", hits=[])
    staff.clock.tick(2 * 3600)
    models.catch_up()
    with pytest.raises(NotPermitted, match="lin is not on duty now"):
        app.handle(staff.req("lin"), WriteHandover(arriving="erin", note=""))
    done = app.handle(staff.req("dana"), WriteHandover(arriving="erin", note="东堤仍需盯守"))
    models.catch_up()
    written = models.models.duty.state()["handovers"][str(done.id)]
    assert written["leaving"] == "dana"
    assert [o["name"] for o in written["on_air"]] == ["main"]
    assert [o["title"] for o in written["overdue"]] == ["防汛巡堤"]
    assert [(w["title"], w["level"]) for w in written["open_warnings"]] == [("东堤渗水", "orange")]
    assert written["countersigned_at"] is None
    with pytest.raises(NotPermitted, match="only erin countersigns"):
        app.handle(staff.req("eddie"), CountersignHandover(id=done.id))
    app.handle(staff.req("erin"), CountersignHandover(id=done.id))
    models.catch_up()
    assert models.models.duty.state()["handovers"][str(done.id)]["countersigned_at"]


def test_an_inspection_is_ticked_with_times_and_findings(staff: Staff, models: ReadModels) -> None:
    app = staff.newsroom
    started = app.handle(staff.req("tess"), StartInspection())
    for item in ("signal", "backup_path", "recording", "output"):
        ok = item != "backup_path"
        finding = "" if ok else "备路编码器无信号"
        app.handle(
            staff.req("tess"),
            TickInspectionItem(id=started.id, item=item, ok=ok, finding=finding),
        )
    app.handle(staff.req("tess"), CompleteInspection(id=started.id))
    models.catch_up()
    inspection = models.models.duty.state()["inspections"][str(started.id)]
    assert [i["item"] for i in inspection["items"]] == [
        "signal",
        "backup_path",
        "recording",
        "output",
    ]
    assert inspection["items"][1]["finding"] == "备路编码器无信号"
    assert all(i["at"] for i in inspection["items"]) and inspection["completed_at"]
