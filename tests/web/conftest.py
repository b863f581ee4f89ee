"""A running hub (real uvicorn on an ephemeral port) with a registered staff."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from events.base import Location
from events.roles import SYSTEM_ACTOR, Actor
from hub.commands.assignments import AssignReporter, PlanAssignment
from hub.commands.dispatch import IssueCommand
from hub.commands.duty import ScheduleShift
from hub.commands.leads import AddDepartment, SendTip, Spot
from hub.commands.live import ConfigureOutput, RegisterSource
from hub.commands.opinion import WriteRule
from hub.commands.outlets import AddOutlet
from hub.commands.people import IssueToken, RegisterUser
from hub.commands.products import MakeProduct
from hub.commands.stories import DraftStory
from hub.commands.submissions import RegisterOrigin
from hub.commands.topics import ProposeTopic
from hub.config import Settings
from hub.newsroom import Request
from tests.conftest import Staff
from tests.support.samples import harvest_submission, storm_alert
from tests.web.server import serving
from web.app import create_app


@pytest.fixture
def hub_url(settings: Settings, staff: Staff) -> Iterator[str]:
    """The base URL of a hub serving a fresh store where `staff` are registered."""
    with serving(create_app(settings)) as base:
        yield base


@pytest.fixture
def client(hub_url: str) -> Iterator[httpx.Client]:
    """Reads the API in English, the language its messages are asserted in here (the default,
    Chinese, is tested in tests/web/test_i18n.py)."""
    with httpx.Client(base_url=hub_url, headers={"Accept-Language": "en"}) as client:
        yield client


def bearer(staff: Staff, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff.tokens[name]}"}


@dataclass
class Hub:
    """A running hub, an admin's token, and real things to name in paths."""

    url: str
    token: str
    ids: dict[str, dict[str, str]]  # path prefix -> the path's parameters

    def ids_for(self, path: str) -> dict[str, str]:
        """The parameters of a path template, from the first prefix it starts with."""
        for prefix, params in self.ids.items():
            if path.startswith(prefix):
                return {name: value for name, value in params.items() if f"{{{name}}}" in path}
        return {}


def path_ids(staff: Staff) -> dict[str, dict[str, str]]:
    """Real things for every kind of path parameter of a command, made before the hub starts."""
    app, req = staff.newsroom, staff.req
    assignment = app.handle(
        req("dana"), PlanAssignment(title="Flood", brief="", location=Location("x", 1, 2))
    ).id
    app.handle(req("dana"), AssignReporter(id=assignment, reporter="rui"))
    story = app.handle(
        req("eddie"), DraftStory(assignment=None, title="Levee", body="", captures=[])
    ).id
    product = app.handle(req("eddie"), MakeProduct(story=story, channel="weibo", title="Levee")).id
    command = app.handle(req("dana"), IssueCommand(to="rui", text="Go", assignment=None)).id
    topic = app.handle(req("rui"), ProposeTopic(title="Levee", day="2026-12-07")).id
    app.handle(
        req("tess"), ConfigureOutput(name="main", source=None, backup=None, slate_text="Back")
    )
    token_id = app.handle(req("rui"), IssueToken(name="rui", label="spare")).extra["token_id"]
    app.handle(req("tess"), RegisterSource(name="cam", kind="encoder"))
    lead = app.handle(
        Request(Actor("public"), staff.clock.tick()),
        SendTip(kind="tip", text="东街积水", location=Spot(name="东街", lat=30.0, lon=120.0)),
    ).id
    app.handle(Request(SYSTEM_ACTOR, staff.clock.tick()), AddDepartment(name="县住建局"))
    system = Request(SYSTEM_ACTOR, staff.clock.tick())
    app.handle(
        system, AddOutlet(name="gw", kind="webhook", channel="wechat", url="https://gw.test/in")
    )
    secret = "whsec_" + "A" * 43 + "="
    app.handle(system, RegisterOrigin(name="county", url="https://county.test", secret=secret))
    submission = app.handle(system, harvest_submission("county")).id
    alert = app.handle(req("eddie"), storm_alert(datetime(2099, 1, 1, tzinfo=UTC))).id
    shift = app.handle(
        req("dora"),
        ScheduleShift(
            start=staff.clock.now,
            end=staff.clock.now + timedelta(hours=8),
            on_duty=["eddie", "dora"],
            leader="chen",
        ),
    ).id
    rule = app.handle(req("dora"), WriteRule(name="事故", level="red", terms=["爆炸"])).id
    warning = staff.collected("化工厂爆炸", "red", hits=["爆炸"])
    nothing = "00000000-0000-4000-8000-000000000000"  # written only by whoever is on duty
    return {
        "/api/duty/shifts/": {"id": str(shift)},
        "/api/duty/handovers/": {"id": nothing},
        "/api/duty/inspections/": {"id": nothing},
        "/api/opinion/rules/": {"id": str(rule)},
        "/api/opinion/warnings/": {"id": str(warning)},
        "/api/alerts/": {"id": str(alert)},
        "/api/leads/": {"id": str(lead)},
        "/api/departments/": {"name": "县住建局"},
        "/api/sources/": {"name": "cam"},
        "/api/assignments/": {"id": str(assignment)},
        "/api/stories/": {"id": str(story), "story": str(story)},
        "/api/products/": {"id": str(product)},
        "/api/channels/": {"channel": "radio"},
        "/api/commands/": {"id": str(command)},
        "/api/topics/": {"id": str(topic)},
        "/api/outputs/": {"id": "main"},
        "/api/users/": {"name": "rui", "token_id": str(token_id)},
        "/api/outlets/": {"name": "gw"},
        "/api/origins/": {"name": "county"},
        "/api/submissions/": {"id": str(submission)},
    }


@pytest.fixture
def hub(settings: Settings, staff: Staff) -> Iterator[Hub]:
    """A hub where an admin (every role) finds an assignment, a story, a command, an output and
    a token to name in paths."""
    at = staff.clock.tick(1)
    admin = staff.newsroom.handle(
        Request(SYSTEM_ACTOR, at), RegisterUser(name="ada", roles=["admin"])
    )
    ids = path_ids(staff)
    with serving(create_app(settings)) as url:
        yield Hub(url, str(admin.extra["token"]), ids)
