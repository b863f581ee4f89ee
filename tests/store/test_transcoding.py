"""Every kind of event survives the trip to the store and back, and old versions are upcast."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from events.assignment import Assignment
from events.base import Location, NewsroomAggregate
from events.capture import Capture
from events.dispatch import DispatchCommand
from events.media import LiveSource, Output
from events.product import Product
from events.story import Story
from events.user import User
from hub.newsroom import Newsroom
from tests.events.helpers import CHIEF, DESK_HEAD, DISPATCHER, EDITOR, REPORTER, person

TECH = person("tess", "technician")


def one_of_each() -> list[Any]:
    t = datetime(2026, 11, 23, 8, tzinfo=UTC)
    user = User.register(
        id=uuid4(), at=t, actor="hub", name="rui", display_name="瑞", roles=["reporter"]
    )
    user.set_password(at=t, actor="hub", password_hash="$argon2id$...")
    user.issue_token(at=t, actor="hub", token_id="ab12", token_hash="f" * 64, label="phone")
    user.change_roles(at=t, actor="hub", roles=["reporter", "editor"], reason="promotion")
    user.revoke_token(at=t, actor="hub", token_id="ab12", reason="lost phone")
    user.deactivate(at=t, actor="hub", reason="left")
    a = Assignment.plan(
        id=uuid4(), at=t, actor=DISPATCHER, title="洪水", brief="东桥", priority="urgent",
        location=Location("东桥", 29.87, 121.54), due=t + timedelta(hours=2), channels=["tv"],
    )  # fmt: skip
    a.assign(at=t, actor=DISPATCHER, reporter="rui")
    a.decline(at=t, actor=REPORTER, reason="busy")
    a.assign(at=t, actor=DISPATCHER, reporter="rui")
    a.accept(at=t, actor=REPORTER)
    a.check_in(at=t, actor=REPORTER, lat=29.871, lon=121.541)
    a.file(at=t, actor=REPORTER)
    a.close(at=t, actor=DISPATCHER)
    b = Assignment.plan(
        id=uuid4(), at=t, actor=DISPATCHER, title="x", brief="", priority="low",
        location=Location("x", 0, 0), due=None, channels=[],
    )  # fmt: skip
    b.cancel(at=t, actor=DISPATCHER, reason="postponed")
    cmd = DispatchCommand.issue(
        id=uuid4(), at=t, actor=DISPATCHER, to="rui", assignment=a.id, text="go"
    )
    cmd.deliver(at=t, actor=DISPATCHER, via="ws")
    cmd.acknowledge(at=t, actor=REPORTER)
    cap = Capture.register(
        id=uuid4(), at=t, actor=REPORTER, assignment=a.id, kind="upload", filename="a.jpg",
        content_type="image/jpeg", size=10, sha256="a" * 64, duration=1.5,
        location={"lat": 1.0, "lon": 2.0}, details={"camera": "phone"},
    )  # fmt: skip
    s = Story.draft(
        id=uuid4(), at=t, actor=REPORTER, assignment=a.id, title="t", body="b", captures=[cap.id]
    )
    s.submit(at=t, actor=REPORTER)
    s.review(at=t, actor=EDITOR, decision="reject", reason="more")
    s.revise(at=t, actor=REPORTER, title="t2", body="b2", captures=[cap.id])
    s.submit(at=t, actor=REPORTER)
    for reviewer in (EDITOR, DESK_HEAD, CHIEF):
        s.review(at=t, actor=reviewer, decision="approve", reason="ok")
    s.publish(at=t, actor=CHIEF, channels=["tv", "weibo"])
    s.retract(at=t, actor=CHIEF, channel="weibo", reason="fix")
    src = LiveSource.register(
        id=uuid4(), at=t, actor=TECH, name="truck-1", kind="truck", owner=None, token_id="x",
        token_hash="0" * 64,
    )  # fmt: skip
    src.rotate_token(at=t, actor=TECH, token_id="y", token_hash="1" * 64)
    src.went_live(
        at=t,
        actor=TECH,
        session="s1",
        publisher=None,
        assignment=a.id,
        codec="H264",
        width=1280,
        height=720,
    )
    src.picture_froze(at=t, actor=TECH, session="s1", frozen=True)
    src.picture_froze(at=t, actor=TECH, session="s1", frozen=False)
    src.uplink_narrow(at=t, actor=TECH, session="s1", estimate=300_000, bitrate=1_200_000)
    src.uplink_wide(at=t, actor=TECH, session="s1")
    src.interrupted(at=t, actor=TECH, session="s1", reason="ice failed")
    src.resumed(at=t, actor=TECH, session="s1")
    src.ended(at=t, actor=TECH, session="s1", reason="done", stats={"frames": 10, "bytes": 1.5e6})
    out = Output.configure(
        id=uuid4(), at=t, actor=TECH, name="main", source="truck-1", backup=None,
        slate_text="请稍候", rtmp_url="rtmp://example/live",
    )  # fmt: skip
    out.start(at=t, actor=TECH)
    out.set_backup(at=t, actor=TECH, backup="cam")
    out.failed_over(at=t, actor=TECH, to="cam", reason="stalled")
    out.recovered(at=t, actor=TECH, to="truck-1")
    out.switch(at=t, actor=TECH, source="cam")
    out.destination_failed(at=t, actor=TECH, destination="rtmp", error="connection refused")
    out.destination_recovered(at=t, actor=TECH, destination="rtmp")
    out.stop(at=t, actor=TECH, reason="end of day")
    return [e for agg in (user, a, b, cmd, cap, s, src, out) for e in agg.collect_events()]


def test_every_event_type_round_trips_through_the_mapper(newsroom: Newsroom) -> None:
    events = one_of_each()
    kinds = {type(e) for e in events}
    declared = {
        value
        for agg in (User, Assignment, DispatchCommand, Capture, Story, LiveSource, Output)
        for name, value in vars(agg).items()
        if isinstance(value, type)
        and issubclass(value, NewsroomAggregate.Event)
        and name not in ("Event", "Created")  # the library's own bases
    }
    assert declared <= kinds, sorted(k.__qualname__ for k in declared - kinds)
    for event in events:
        back = newsroom.mapper.to_domain_event(newsroom.mapper.to_stored_event(event))
        assert back == event, type(event).__qualname__


def test_stored_aggregates_come_back_equal(newsroom: Newsroom) -> None:
    events = one_of_each()
    newsroom.store.insert_events([newsroom.mapper.to_stored_event(e) for e in events])
    for originator in {e.originator_id for e in events}:
        mine = [e for e in events if e.originator_id == originator]
        stored = newsroom.repository.get(originator)
        assert stored.version == len(mine)


class Note(NewsroomAggregate):
    """An aggregate of this test only, whose event gained a field in version 2."""

    class Written(NewsroomAggregate.Created):
        text: str
        language: str

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["language"] = "zh"

    def __init__(self, text: str, language: str, actor: str) -> None:
        self.text, self.language = text, language


def test_old_event_versions_are_upcast_on_read(newsroom: Newsroom) -> None:
    note_id = uuid4()
    version_1_state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2026-11-23T08:00:00+00:00"},
        "originator_topic": f"{__name__}:Note",
        "actor": "rui",
        "text": "写于旧版本",
    }
    newsroom.store.insert_events(
        [
            StoredEvent(
                originator_id=note_id,
                originator_version=1,
                topic=f"{__name__}:Note.Written",
                state=json.dumps(version_1_state).encode(),
            )
        ]
    )
    note = newsroom.repository.get(note_id)
    assert (note.text, note.language) == ("写于旧版本", "zh")


def test_an_edit_stored_in_its_earlier_field_order_reads_back_the_same(newsroom: Newsroom) -> None:
    """A product's `Edited` names its content through a Kept class now, which moved `revision`
    after the content among its fields; events stored before read back by name, unchanged."""
    stored_earlier = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2026-11-23T08:00:00+00:00"},
        "actor": "eddie",
        "revision": 2,
        "title": "东桥",
        "body": "水位回落",
        "media": [],
        "cover": None,
        "script": [],
        "facts": {},
        "digest": "d" * 64,
        "voided_approvals": 1,
        "unscheduled": False,
    }
    event = newsroom.mapper.to_domain_event(
        StoredEvent(
            originator_id=uuid4(),
            originator_version=2,
            topic="events.product:Product.Edited",
            state=json.dumps(stored_earlier).encode(),
        )
    )
    assert isinstance(event, Product.Edited)
    assert (event.revision, event.title, event.digest) == (2, "东桥", "d" * 64)
    assert event.kept == ("title", "body", "media", "cover", "script", "facts", "digest")
    again = newsroom.mapper.to_domain_event(newsroom.mapper.to_stored_event(event))
    assert again == event
