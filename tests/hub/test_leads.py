"""Leads through the application, on SQLite and PostgreSQL: intake, triage, follow-up, figures."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from events.errors import InvalidValue, RuleBroken
from events.roles import SYSTEM_ACTOR, Actor
from events.topic import Topic
from hub.commands.leads import (
    AddDepartment,
    AnswerLead,
    LeadToTopic,
    MakeAssignment,
    MarkDuplicate,
    ReceiveLead,
    RouteLead,
    SendTip,
    Spot,
)
from hub.errors import AlreadyExists
from hub.followup import FollowUp
from hub.newsroom import Newsroom, Request
from hub.readmodels import ReadModels
from hub.tracking import code_hash
from projections.leads import open_and_overdue, public_view, rates
from tests.conftest import Staff

CITIZEN = Actor("public")


def tip(staff: Staff, text: str = "东街路灯坏了三天") -> tuple[UUID, str]:
    done = staff.newsroom.handle(
        Request(CITIZEN, staff.clock.tick()),
        SendTip(kind="complaint", text=text, contact="13800000000", location=Spot(name="东街")),
    )
    return done.id, done.extra["code"]


def department(staff: Staff, name: str = "县住建局") -> None:
    staff.newsroom.handle(
        Request(SYSTEM_ACTOR, staff.clock.tick()), AddDepartment(name=name, contacts="王科长")
    )


def test_a_tip_goes_to_a_department_and_its_answer_to_the_sender(staff: Staff) -> None:
    app: Newsroom = staff.newsroom
    lead, code = tip(staff, "<b>路灯</b>坏了")
    department(staff)
    due = staff.clock.now + timedelta(days=3)
    app.handle(staff.req("dana"), RouteLead(id=lead, department="县住建局", due=due, note="急"))
    app.handle(staff.req("eddie"), AnswerLead(id=lead, answer="已于今日修复"))
    models = ReadModels(app)
    models.start()
    book = models.models.leads
    found = book.by_code_hash(code_hash(code.lower().replace("-", " ")))
    assert found is not None
    seen = public_view(found)
    assert seen["state"] == "answered" and seen["answer"] == "已于今日修复"
    assert seen["department"] == "县住建局" and seen["text"] == "<b>路灯</b>坏了"
    assert "13800000000" not in str(seen) and "dana" not in str(seen) and "急" not in str(seen)
    trail = [entry["summary"]["msg"] for entry in models.audit_entries(subject=str(lead))]
    assert trail == [
        "received a {kind} by {channel} from {source}",
        "routed lead '{lead}' to {department}, due {due}",
        "recorded the answer to lead '{lead}'",
    ]
    [row] = rates(book, staff.clock.now)
    assert (row["routed"], row["answered"], row["reply_rate"], row["on_time_rate"]) == (
        1, 1, 1.0, 1.0
    )  # fmt: skip


def test_a_lead_from_another_system_is_taken_once(staff: Staff) -> None:
    app = staff.newsroom
    hotline = Actor("intake:12345")
    command = ReceiveLead(source="12345", source_ref="A-1", text="噪音扰民", channel="hotline")
    first = app.handle(Request(hotline, staff.clock.tick()), command)
    with pytest.raises(AlreadyExists):
        app.handle(Request(hotline, staff.clock.tick()), command)
    models = ReadModels(app)
    models.start()
    assert models.models.leads.by_ref("12345", "A-1")["id"] == str(first.id)  # type: ignore[index]


def test_overdue_leads_escalate_once_per_level_and_show_on_the_wall(staff: Staff) -> None:
    app = staff.newsroom
    lead, _ = tip(staff)
    other, _ = tip(staff, "同一盏灯")
    department(staff)
    due = staff.clock.now + timedelta(hours=1)
    app.handle(staff.req("dana"), RouteLead(id=lead, department="县住建局", due=due))
    app.handle(staff.req("dana"), MarkDuplicate(id=other, of=lead, reason="同一盏灯"))
    models = ReadModels(app)
    models.start()
    check = FollowUp(app, models)
    assert check.check(due) == 0
    # Half a second late: the due time has no fraction, the moment has (compared as times).
    assert check.check(due + timedelta(milliseconds=500)) == 1
    models.catch_up()
    assert check.check(due + timedelta(minutes=2)) == 0
    assert open_and_overdue(models.models.leads) == {"open": 1, "overdue": 1}
    wall = models.models.wall.state()
    assert wall["leads"] == {str(lead): {"level": 1, "department": "县住建局"}}
    assert wall["alerts"][-1]["msg"] == "a lead routed to {department} is {how}"
    [row] = rates(models.models.leads, due + timedelta(minutes=3))
    assert (row["reply_rate"], row["on_time_rate"]) == (0.0, 0.0)


def test_a_lead_becomes_an_assignment_in_one_step(staff: Staff) -> None:
    app = staff.newsroom
    lead, _ = tip(staff)
    done = app.handle(
        staff.req("dana"),
        MakeAssignment(
            id=lead,
            title="东街路灯",
            reporter="rui",
            location={"name": "东街", "lat": 30.0, "lon": 120.0},  # type: ignore[arg-type]
        ),
    )
    models = ReadModels(app)
    models.start()
    item = models.models.leads.lead(str(lead))
    assert item is not None and item["state"] == "assignment"
    assignment = models.models.wall.state()["assignments"][done.extra["assignment"]]
    assert assignment["reporter"] == "rui" and assignment["title"] == "东街路灯"
    with pytest.raises(RuleBroken):  # no longer open: no second assignment is planned
        app.handle(staff.req("dana"), MakeAssignment(id=lead, title="再派一次"))
    nowhere, _ = tip(staff)
    with pytest.raises(InvalidValue):  # a lead without coordinates needs a place to go
        app.handle(staff.req("dana"), MakeAssignment(id=nowhere, title="东街"))
    models.catch_up()
    assert len(models.models.wall.state()["assignments"]) == 1


def test_a_lead_becomes_a_topic_for_the_meeting_that_names_it(staff: Staff) -> None:
    app = staff.newsroom
    lead, _ = tip(staff, "河道有人倾倒垃圾")
    done = app.handle(staff.req("eddie"), LeadToTopic(id=lead, title="河道垃圾", day="2026-12-08"))
    topic = app.get(Topic, UUID(done.extra["topic"]))
    assert (topic.title, topic.origin) == ("河道垃圾", "lead")
    models = ReadModels(app)
    models.start()
    item = models.models.leads.lead(str(lead))
    assert item is not None and (item["state"], item["topic"]) == ("topic", done.extra["topic"])
