"""A scripted newsroom day through the application; the read models show exactly what happened,
now and when replayed to moments in between."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from events.messages import from_json
from hub.commands.assignments import (
    AcceptAssignment,
    AssignReporter,
    CheckIn,
    CloseAssignment,
    FileAssignment,
)
from hub.commands.dispatch import AcknowledgeCommand, IssueCommand
from hub.commands.stories import (
    DraftStory,
    PublishStory,
    RetractStory,
    ReviewStory,
    ReviseStory,
    SubmitStory,
)
from hub.newsroom import Newsroom
from hub.readmodels import ReadModels
from tests.conftest import Staff, capture_of, flood_planned


def newsroom_day(newsroom: Newsroom, staff: Staff) -> dict[str, Any]:
    """Runs the day and returns the ids and the positions of its milestones."""
    marks: dict[str, Any] = {}

    def mark(name: str) -> None:
        marks[name] = newsroom.store.max_notification_id()

    a = flood_planned(staff, "Water level, evacuation, interviews", ["tv", "wechat", "weibo"])
    marks["assignment"] = a
    mark("planned")
    newsroom.handle(staff.req("dana"), AssignReporter(id=a, reporter="rui"))
    mark("assigned")
    newsroom.handle(staff.req("rui"), AcceptAssignment(id=a))
    cmd = newsroom.handle(
        staff.req("dana"), IssueCommand(to="rui", assignment=a, text="go live at 14:00")
    )
    mark("command_issued")
    newsroom.handle(staff.req("rui"), CheckIn(id=a, lat=30.2512, lon=120.1713))
    mark("on_scene")
    newsroom.handle(staff.req("rui"), AcknowledgeCommand(id=cmd.id))
    photo = capture_of(
        "bridge.jpg",
        "image/jpeg",
        assignment=a,
        size=123_456,
        sha256="ab" * 32,
        location={"lat": 30.2512, "lon": 120.1713},
    )
    capture = newsroom.handle(staff.req("rui"), photo).id
    marks["capture"] = capture
    newsroom.handle(staff.req("rui"), FileAssignment(id=a))
    story = newsroom.handle(
        staff.req("rui"),
        DraftStory(assignment=a, title="River tops the east bridge", body="v1", captures=[capture]),
    ).id
    marks["story"] = story
    newsroom.handle(staff.req("rui"), SubmitStory(id=story))
    mark("submitted")
    newsroom.handle(
        staff.req("eddie"), ReviewStory(id=story, decision="approve", reason="clean copy")
    )
    mark("first_approved")
    newsroom.handle(
        staff.req("dora"),
        ReviewStory(id=story, decision="reject", reason="name the source of the water level"),
    )
    mark("rejected")
    newsroom.handle(
        staff.req("rui"),
        ReviseStory(
            id=story,
            title="River tops the east bridge",
            body="v2 per the hydrology bureau",
            captures=[capture],
        ),
    )
    newsroom.handle(staff.req("rui"), SubmitStory(id=story))
    newsroom.handle(staff.req("eddie"), ReviewStory(id=story, decision="approve", reason="ok"))
    newsroom.handle(
        staff.req("dora"), ReviewStory(id=story, decision="approve", reason="source named")
    )
    mark("second_approved")
    newsroom.handle(staff.req("chen"), ReviewStory(id=story, decision="approve", reason="publish"))
    newsroom.handle(staff.req("chen"), PublishStory(id=story, channels=["tv", "wechat", "weibo"]))
    mark("published")
    newsroom.handle(
        staff.req("chen"), RetractStory(id=story, channel="weibo", reason="photo caption wrong")
    )
    mark("retracted")
    newsroom.handle(staff.req("dana"), CloseAssignment(id=a))
    mark("closed")
    return marks


def test_the_day_as_it_ends(newsroom: Newsroom, staff: Staff) -> None:
    marks = newsroom_day(newsroom, staff)
    models = ReadModels(newsroom, checkpoint_every=7)
    models.start()
    wall = models.models.wall.state()
    a, story = str(marks["assignment"]), str(marks["story"])
    assert a not in wall["assignments"] and wall["finished"][a]["state"] == "closed"
    assert wall["commands"] == {}
    assert wall["reviews"] == {}
    assert wall["people"]["rui"]["state"] == "idle"
    assert [(p["action"], p["channels"]) for p in wall["publications"]] == [
        ("published", ["tv", "wechat", "weibo"]),
        ("retracted", ["weibo"]),
    ]
    said = [str(from_json(alert)) for alert in wall["alerts"]]
    assert any("rejected at the second review" in text for text in said), said

    matrix = models.models.matrix.state()["stories"][story]
    assert matrix["revision"] == 2 and matrix["state"] == "approved"
    assert {c: cell["state"] for c, cell in matrix["channels"].items()} == {
        "tv": "live",
        "wechat": "live",
        "weibo": "retracted",
    }
    assert matrix["channels"]["weibo"]["reason"] == "photo caption wrong"

    summary = models.models.metrics.summary()
    assert summary["assignments_published"] == 1
    assert summary["products_per_capture"] == 3.0
    assert list(summary["per_channel_per_day"].values()) == [{"tv": 1, "wechat": 1, "weibo": 1}]

    timeline = models.audit_entries(subject=story)
    actions = [(e["actor"], e["action"]) for e in timeline]
    assert actions == [
        ("rui", "Story.Drafted"),
        ("rui", "Story.Submitted"),
        ("eddie", "Story.Approved"),
        ("dora", "Story.Rejected"),
        ("rui", "Story.Revised"),
        ("rui", "Story.Submitted"),
        ("eddie", "Story.Approved"),
        ("dora", "Story.Approved"),
        ("chen", "Story.Approved"),
        ("chen", "Story.Published"),
        ("chen", "Story.Retracted"),
    ]
    assert timeline[3]["reason"] == "name the source of the water level"
    assignment_timeline = models.audit_entries(subject=a)
    assert {e["subject_type"] for e in assignment_timeline} == {
        "assignment",
        "dispatchcommand",
        "capture",
        "story",
    }
    assert [e["action"] for e in models.audit_entries(actor="dora")] == [
        "Story.Rejected",
        "Story.Approved",
    ]


def test_the_day_replayed_to_moments_in_between(newsroom: Newsroom, staff: Staff) -> None:
    marks = newsroom_day(newsroom, staff)
    models = ReadModels(newsroom, checkpoint_every=5)
    models.start()
    a, story = str(marks["assignment"]), str(marks["story"])

    def wall_at(mark: str) -> dict[str, Any]:
        return models.replay(marks[mark]).wall.state()

    assert wall_at("planned")["assignments"][a]["state"] == "planned"
    assert wall_at("assigned")["people"]["rui"]["state"] == "assigned"
    issued = wall_at("command_issued")
    assert [c["text"] for c in issued["commands"].values()] == ["go live at 14:00"]
    on_scene = wall_at("on_scene")
    assert on_scene["people"]["rui"] | {"lat": 30.2512} == on_scene["people"]["rui"]
    assert on_scene["assignments"][a]["state"] == "on_scene"
    assert on_scene["commands"] != {}
    assert wall_at("submitted")["reviews"][story]["level_name"] == "first"
    assert wall_at("first_approved")["reviews"][story]["level_name"] == "second"
    assert story not in wall_at("rejected")["reviews"]
    assert wall_at("second_approved")["reviews"][story]["level_name"] == "final"
    assert [p["action"] for p in wall_at("published")["publications"]] == ["published"]
    matrix = models.replay(marks["published"]).matrix.state()["stories"][story]
    assert {cell["state"] for cell in matrix["channels"].values()} == {"live"}
    assert wall_at("closed") == models.models.wall.state()


def test_replay_by_time_matches_replay_by_position(newsroom: Newsroom, staff: Staff) -> None:
    marks = newsroom_day(newsroom, staff)
    models = ReadModels(newsroom, checkpoint_every=4)
    models.start()
    log = {n.id: n for n in newsroom.store.read_log(after=0, limit=10_000)}
    from hub.store.times import from_micros

    for mark in ("assigned", "rejected", "published"):
        position = marks[mark]
        moment = from_micros(log[position].recorded_at)
        by_time = models.position_at(moment)
        assert by_time >= position
        assert log[by_time].recorded_at == log[position].recorded_at
    assert models.position_at(from_micros(log[1].recorded_at) - timedelta(seconds=1)) == 0
    assert models.replay(0).wall.state()["assignments"] == {}
