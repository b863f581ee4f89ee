"""The assignment state machine: given events, when a command, then events or a refusal."""

from __future__ import annotations

import pytest

from events.assignment import Assignment
from events.base import Location
from events.errors import InvalidValue, NotPermitted, RuleBroken
from tests.events.helpers import (
    ADMIN,
    CHIEF,
    DESK_HEAD,
    DISPATCHER,
    EDITOR,
    OTHER_REPORTER,
    REPORTER,
    at,
    new,
)


def planned(**changes: object) -> Assignment:
    fields = {
        "actor": DISPATCHER,
        "title": "Flood at the east bridge",
        "brief": "Water level and evacuation",
        "location": Location("East bridge", 30.25, 120.17),
        "priority": "urgent",
        "due": None,
        "channels": ["wechat", "tv", "tv"],
    }
    return new(Assignment.plan, fields, **changes)


def test_planning_records_the_planner_and_orders_channels() -> None:
    a = planned()
    [event] = a.collect_events()
    assert isinstance(event, Assignment.Planned)
    assert event.actor == "dana"
    assert event.channels == ["tv", "wechat"]
    assert a.state == "planned"


def test_only_dispatchers_plan() -> None:
    with pytest.raises(NotPermitted, match="rui may not plan assignments"):
        planned(actor=REPORTER)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "   ", "title must not be empty"),
        ("priority", "asap", "priority 'asap' is not one of"),
        ("channels", ["tiktok"], "unknown channel 'tiktok'"),
    ],
)
def test_planning_refuses_bad_values(field: str, value: object, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        planned(**{field: value})


def test_a_location_must_be_on_earth() -> None:
    with pytest.raises(InvalidValue, match="not on Earth"):
        Location("nowhere", 91, 0)


def test_the_whole_way_from_plan_to_close() -> None:
    a = planned()
    a.assign(at=at(), actor=DISPATCHER, reporter="rui")
    a.accept(at=at(), actor=REPORTER)
    a.check_in(at=at(), actor=REPORTER, lat=30.2, lon=120.1)
    a.check_in(at=at(), actor=REPORTER, lat=30.3, lon=120.2)
    a.file(at=at(), actor=REPORTER)
    a.close(at=at(), actor=DISPATCHER)
    kinds = [type(e).__name__ for e in a.collect_events()]
    assert kinds == [
        "Planned",
        "ReporterAssigned",
        "Accepted",
        "CheckedIn",
        "CheckedIn",
        "Filed",
        "Closed",
    ]
    assert a.state == "closed"
    assert a.position == (30.3, 120.2)


def test_only_the_assigned_reporter_answers() -> None:
    a = planned()
    a.assign(at=at(), actor=DISPATCHER, reporter="rui")
    with pytest.raises(NotPermitted, match="lin may not accept .* it is rui's"):
        a.accept(at=at(), actor=OTHER_REPORTER)


def test_a_story_on_an_assignment_is_written_by_its_reporter_or_the_desk() -> None:
    a = planned()
    with pytest.raises(NotPermitted, match="rui may not write a story on .* nobody's yet"):
        a.require_story_writer(REPORTER)
    a.assign(at=at(), actor=DISPATCHER, reporter="rui")
    a.require_story_writer(REPORTER)
    for desk in (EDITOR, DESK_HEAD, CHIEF, ADMIN):
        a.require_story_writer(desk)
    for stranger in (OTHER_REPORTER, DISPATCHER):
        refusal = f"{stranger.name} may not write a story on .* rui's"
        with pytest.raises(NotPermitted, match=refusal):
            a.require_story_writer(stranger)


def test_declining_needs_a_reason_and_allows_reassigning() -> None:
    a = planned()
    a.assign(at=at(), actor=DISPATCHER, reporter="rui")
    with pytest.raises(InvalidValue, match="a reason for declining"):
        a.decline(at=at(), actor=REPORTER, reason=" ")
    a.decline(at=at(), actor=REPORTER, reason="already on the fire story")
    a.assign(at=at(), actor=DISPATCHER, reporter="lin")
    a.accept(at=at(), actor=OTHER_REPORTER)
    assert (a.state, a.reporter) == ("accepted", "lin")


@pytest.mark.parametrize("command", ["accept", "file", "close"])
def test_commands_out_of_order_are_refused(command: str) -> None:
    a = planned()
    actor = DISPATCHER if command == "close" else REPORTER
    if command != "close":
        a.assign(at=at(), actor=DISPATCHER, reporter="rui")
        a.decline(at=at(), actor=REPORTER, reason="sick")
    with pytest.raises(RuleBroken, match="cannot"):
        getattr(a, command)(at=at(), actor=actor)


def test_cancelling_needs_a_reason_and_ends_it() -> None:
    a = planned()
    a.cancel(at=at(), actor=DISPATCHER, reason="event postponed")
    with pytest.raises(RuleBroken, match="while it is cancelled"):
        a.assign(at=at(), actor=DISPATCHER, reporter="rui")


def test_check_in_validates_the_position() -> None:
    a = planned()
    a.assign(at=at(), actor=DISPATCHER, reporter="rui")
    a.accept(at=at(), actor=REPORTER)
    with pytest.raises(InvalidValue):
        a.check_in(at=at(), actor=REPORTER, lat=0, lon=200)
