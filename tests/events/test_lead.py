"""Leads: given events, when a triage command, then events or a refusal; and the overdue rule."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from events.errors import InvalidValue, NotPermitted, RuleBroken
from events.lead import ESCALATION_STEP, Department, Lead, overdue_level
from events.roles import Actor
from tests.events.helpers import ADMIN, DISPATCHER, EDITOR, REPORTER, at

CITIZEN = Actor("public")


def received(text: str = "路灯坏了") -> Lead:
    return Lead.receive(
        id=uuid4(),
        at=at(),
        actor=CITIZEN,
        kind="complaint",
        text=text,
        contact="138",
        location={"name": "东街", "lat": None, "lon": None},
        channel="web",
        source="public",
        source_ref="",
        code_hash="h",
    )


def test_a_lead_keeps_what_the_sender_wrote_as_it_is() -> None:
    lead = received("  <script>alert(1)</script>  ")
    [event] = lead.collect_events()
    assert isinstance(event, Lead.Received)
    assert event.text == "<script>alert(1)</script>"
    assert event.actor == "public"


def test_empty_text_and_unknown_kinds_are_refused() -> None:
    with pytest.raises(InvalidValue):
        received("   ")
    with pytest.raises(InvalidValue):
        Lead.receive(
            id=uuid4(), at=at(), actor=CITIZEN, kind="spam", text="x", contact="",
            location={}, channel="web", source="public", source_ref="", code_hash="h",
        )  # fmt: skip


def test_routing_needs_the_desk_and_a_future_due_date() -> None:
    lead = received()
    now = at()
    with pytest.raises(NotPermitted):
        lead.route(at=now, actor=REPORTER, department=uuid4(), department_name="住建局",
                   due=now + timedelta(days=3), note="")  # fmt: skip
    with pytest.raises(InvalidValue):
        lead.route(at=now, actor=DISPATCHER, department=uuid4(), department_name="住建局",
                   due=now - timedelta(days=1), note="")  # fmt: skip
    lead.route(at=now, actor=DISPATCHER, department=uuid4(), department_name="住建局",
               due=now + timedelta(days=3), note="")  # fmt: skip
    assert lead.state == "routed"


def test_escalation_records_each_new_level_once_and_the_answer_says_if_it_was_late() -> None:
    lead = received()
    now = at()
    due = now + timedelta(days=1)
    lead.route(at=now, actor=EDITOR, department=uuid4(), department_name="住建局", due=due,
               note="")  # fmt: skip
    assert not lead.escalate(at=due, actor=ADMIN)
    assert lead.escalate(at=due + timedelta(minutes=1), actor=ADMIN)
    assert not lead.escalate(at=due + timedelta(minutes=2), actor=ADMIN)
    assert lead.escalate(at=due + ESCALATION_STEP + timedelta(minutes=1), actor=ADMIN)
    assert lead.level == 2
    lead.answer(at=due + timedelta(days=2), actor=EDITOR, answer="已修复")
    events = lead.collect_events()
    assert [type(e).__name__ for e in events][-4:] == [
        "Routed",
        "Escalated",
        "Escalated",
        "Answered",
    ]
    assert events[-1].on_time is False
    assert not lead.escalate(at=due + timedelta(days=9), actor=ADMIN)


def test_a_closed_lead_takes_no_more_triage() -> None:
    lead = received()
    lead.mark_duplicate(at=at(), actor=DISPATCHER, of=uuid4(), reason="same lamp")
    with pytest.raises(RuleBroken):
        lead.answer(at=at(), actor=DISPATCHER, answer="x")
    other = received()
    with pytest.raises(InvalidValue):
        other.mark_duplicate(at=at(), actor=DISPATCHER, of=other.id, reason="")


def test_the_overdue_level_climbs_a_step_a_day_up_to_the_top() -> None:
    now = at()
    assert overdue_level(None, now) == 0
    assert overdue_level(now, now) == 0
    assert overdue_level(now, now + timedelta(seconds=1)) == 1
    assert overdue_level(now, now + ESCALATION_STEP) == 2
    assert overdue_level(now, now + 30 * ESCALATION_STEP) == 3


def test_only_admins_manage_departments() -> None:
    with pytest.raises(NotPermitted):
        Department.add(id=uuid4(), at=at(), actor=DISPATCHER, name="住建局", contacts="")
    d = Department.add(id=uuid4(), at=at(), actor=ADMIN, name=" 住建局 ", contacts="王科长 0571")
    assert d.name == "住建局"
