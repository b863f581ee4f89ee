"""Every endpoint × every kind of caller: who may, and who is refused (401, 403, or 303).

The rows are keyed by the application's own routes (method and path template), so an endpoint
added without a row fails `test_every_route_has_a_row`. The callers: nobody; every role by bearer
token and by session cookie (with its CSRF token); the wall display; a source's publish token;
unusable Authorization headers; and a signed-in admin's cookie beside an unusable header (judged
by the header alone, so refused). One hub per backend serves every case.

A refused caller is tried on a target in the state where the request makes sense (made directly
through the application), so it is refused for who it is, never for the state of things; refusals
change nothing, so they share one target per row, and each allowed caller gets a fresh one.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import httpx
import pytest
from standardwebhooks.webhooks import Webhook
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from events.base import Location
from events.roles import SYSTEM_ACTOR
from hub.commands.alerts import ApproveAlert, DraftAlert
from hub.commands.assignments import (
    AcceptAssignment,
    AssignReporter,
    FileAssignment,
    PlanAssignment,
)
from hub.commands.clips import RequestClip
from hub.commands.dispatch import IssueCommand
from hub.commands.leads import AddDepartment
from hub.commands.live import ConfigureOutput, RegisterSource, StartOutput, StopOutput
from hub.commands.opinion import CollectItem
from hub.commands.outlets import AddOutlet
from hub.commands.people import IssueToken, RegisterUser
from hub.commands.products import (
    MakeProduct,
    PublishProduct,
    ReviewProduct,
    ScheduleProduct,
    SubmitProduct,
)
from hub.commands.stories import DraftStory, PublishStory, RegisterCapture, ReviewStory, SubmitStory
from hub.commands.submissions import RegisterOrigin
from hub.commands.topics import DecideTopic, ProposeTopic
from hub.config import Settings
from hub.intake import IntakeSources
from hub.newsroom import Request
from tests.clip_media import make_video
from tests.conftest import Staff
from tests.support.samples import STORM, harvest_submission
from web.app import create_app

Body = dict[str, Any] | bytes | None
Target = tuple[str, Body, dict[str, str]]  # path, body (JSON or bytes), extra headers
TUS = {"Tus-Resumable": "1.0.0"}

# -- the callers ---------------------------------------------------------------------------------

PEOPLE = ("rui", "lin", "dana", "eddie", "dora", "chen", "tess", "audrey", "wally", "ada")
UNUSABLE: dict[str, bytes] = {
    "bare scheme": b"Bearer",
    "nbsp": b"Bearer \xa0",
    "unknown token": b"Bearer hub_00000000_nope",
    "basic": b"Basic ZGFuYTpkYW5hLXB3",
}
MIXED = "ada/session+nbsp"  # an admin's cookie beside an unusable header
CALLERS = (
    "nobody",
    *(f"{p}/token" for p in PEOPLE),
    *(f"{p}/session" for p in PEOPLE),
    "cam",
    *UNUSABLE,
    MIXED,
)
Kind = Literal["nobody", "unusable", "source", "token", "session"]


def kind_of(caller: str) -> Kind:
    if caller == "nobody":
        return "nobody"
    if caller in UNUSABLE or caller == MIXED:
        return "unusable"
    if caller == "cam":
        return "source"
    return "token" if caller.endswith("/token") else "session"


def person_of(caller: str) -> str | None:
    return caller.split("/")[0] if kind_of(caller) in ("token", "session") else None


# -- the rows ------------------------------------------------------------------------------------

ANYONE = frozenset({"*"})
LIVE = frozenset({"dana", "tess", "eddie", "dora", "chen", "audrey", "wally", "ada"})
NEWSROOM = LIVE - {"wally"}
DESK = NEWSROOM - {"tess"}
EVERYONE = frozenset(PEOPLE)
REPORTERS = frozenset({"rui", "lin"})
LOG = frozenset({"audrey", "ada"})
DISPATCH = frozenset({"dana", "ada"})
CONTROL = frozenset({"dana", "tess", "ada"})
EDITORS_UP = frozenset({"eddie", "dora", "chen", "ada"})
SELF_OR_ADMIN = frozenset({"rui", "ada"})
TRIAGE = frozenset({"dana", "eddie", "dora", "chen", "ada"})
UNKNOWN_CODE = frozenset({404, 429})  # unknown for everyone; misses are limited per address
ROSTER = frozenset({"dora", "chen", "ada"})
ON_DUTY = frozenset({"dana", "tess", "eddie", "dora", "chen", "ada"})
PROPOSERS = frozenset({"rui", "lin", "dana", "eddie", "dora", "chen", "ada"})
CHAIRS = frozenset({"dora", "chen", "ada"})


@dataclass(frozen=True)
class Row:
    """Who may call one route; `ok` is what they get (2xx when empty); `page` rows send the
    refused to sign in (303) or show them 403; `by_session` is what a session gets instead."""

    allowed: frozenset[str]
    target: Callable[[World], Target]
    ok: frozenset[int] = frozenset()
    page: bool = False
    by_session: int | None = None
    after: Callable[[World, Target], None] | None = None  # undoes what an allowed call started

    def allows(self, caller: str) -> bool:
        if self.allowed == ANYONE:
            return True
        return (person_of(caller) or caller) in self.allowed

    def expected(self, caller: str) -> frozenset[int]:
        kind = kind_of(caller)
        if self.allows(caller):
            if kind == "session" and self.by_session is not None:
                return frozenset({self.by_session})
            return self.ok or frozenset(range(200, 300))
        if self.page:
            return frozenset({403 if kind in ("token", "session") else 303})
        return frozenset({401 if kind in ("nobody", "unusable") else 403})


class World:
    """Makes things in a given state, directly through the application."""

    def __init__(self, staff: Staff, client: httpx.Client, tokens: dict[str, str]) -> None:
        self.staff = staff
        self.app = staff.newsroom
        self.client = client
        self.tokens = tokens
        self.intake_secret: str | None = None

    def assignment(self, state: str = "planned") -> str:
        req = self.staff.req
        aid = self.app.handle(
            req("dana"),
            PlanAssignment(title="Levee", brief="", location=Location("hall", 30.0, 120.0)),
        ).id
        steps: list[Callable[[], object]] = [
            lambda: self.app.handle(req("dana"), AssignReporter(id=aid, reporter="rui")),
            lambda: self.app.handle(req("rui"), AcceptAssignment(id=aid)),
            lambda: self.app.handle(req("rui"), FileAssignment(id=aid)),
        ]
        for step in steps[: ("planned", "assigned", "accepted", "filed").index(state)]:
            step()
        return str(aid)

    def story(self, state: str = "draft") -> tuple[str, int]:
        req = self.staff.req
        done = self.app.handle(req("rui"), DraftStory(assignment=None, title="Harvest", body="v1"))
        sid = done.id
        steps: list[Callable[[], Any]] = [
            lambda: self.app.handle(req("rui"), SubmitStory(id=sid)),
            lambda: self.app.handle(
                req("eddie"), ReviewStory(id=sid, decision="approve", reason="")
            ),
            lambda: self.app.handle(
                req("dora"), ReviewStory(id=sid, decision="approve", reason="")
            ),
            lambda: self.app.handle(
                req("chen"), ReviewStory(id=sid, decision="approve", reason="")
            ),
            lambda: self.app.handle(req("chen"), PublishStory(id=sid, channels=["tv"])),
        ]
        states = ("draft", "submitted", "", "", "approved", "published")
        for step in steps[: states.index(state)]:
            done = step()
        return str(sid), done.version

    def topic(self, state: str = "proposed") -> str:
        req = self.staff.req
        tid = self.app.handle(req("rui"), ProposeTopic(title="Levee", day="2026-12-07")).id
        if state == "approved":
            self.app.handle(req("chen"), DecideTopic(id=tid, decision="approve", reason="go"))
        return str(tid)

    def product(self, state: str = "draft") -> tuple[str, int]:
        """Eddie's Weibo product of a fresh story, taken to `state`."""
        req, app = self.staff.req, self.app
        story = UUID(self.story()[0])
        done = app.handle(req("eddie"), MakeProduct(story=story, channel="weibo", title="Harvest"))
        pid = done.id
        steps: list[Callable[[], Any]] = [
            lambda: app.handle(req("eddie"), SubmitProduct(id=pid)),
            *(
                lambda who=who: app.handle(req(who), ReviewProduct(id=pid, decision="approve"))
                for who in ("eddie", "dora", "chen")
            ),
            lambda: app.handle(req("eddie"), ScheduleProduct(id=pid, publish_at=LATER)),
            lambda: app.handle(req("chen"), PublishProduct(id=pid)),
        ]
        states = ("draft", "submitted", "", "", "approved", "scheduled", "published")
        for step in steps[: states.index(state)]:
            done = step()
        return str(pid), done.version

    def command(self) -> str:
        return str(
            self.app.handle(self.staff.req("dana"), IssueCommand(to="rui", text="Go live")).id
        )

    def source(self) -> str:
        name = f"s-{uuid.uuid4().hex[:8]}"
        self.app.handle(self.staff.req("tess"), RegisterSource(name=name, kind="phone"))
        return name

    def person(self) -> str:
        """A reporter of one's own to change (roles, deactivation) without touching the others."""
        name = f"u-{uuid.uuid4().hex[:8]}"
        self.app.handle(
            Request(SYSTEM_ACTOR, self.staff.clock.tick()),
            RegisterUser(name=name, roles=["reporter"]),
        )
        return name

    def output(self, running: bool = False) -> str:
        name = f"o-{uuid.uuid4().hex[:8]}"
        self.app.handle(
            self.staff.req("tess"),
            ConfigureOutput(name=name, source=None, backup=None, slate_text="slate"),
        )
        if running:
            self.app.handle(self.staff.req("tess"), StartOutput(id=name))
        return name

    def capture(self) -> str:
        """Rui's upload on their assignment, with its file where the hub keeps uploads."""
        done = self.app.handle(
            self.staff.req("rui"),
            RegisterCapture(
                assignment=UUID(self.assignment("assigned")),
                kind="upload",
                filename="levee.jpg",
                content_type="image/jpeg",
                size=4,
                sha256="0" * 64,
                details={"path": "uploads/role-test.data"},
            ),
        )
        stored = self.app.settings.data_dir / "uploads" / "role-test.data"
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_bytes(b"jpeg")
        return str(done.id)

    def lead(self) -> str:
        """A hotline's lead, sent over the signed webhook (so the hub's read models hold it)."""
        if self.intake_secret is None:
            self.intake_secret = IntakeSources(self.app.store).add(
                "role-test", self.staff.clock.now
            )
        body = json.dumps(
            {"data": {"id": uuid.uuid4().hex, "text": "东街积水", "lat": 30.0, "lon": 120.0}}
        )
        stamp = datetime.now(UTC)
        msg_id = uuid.uuid4().hex
        headers = {
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(stamp.timestamp())),
            "webhook-signature": Webhook(self.intake_secret).sign(msg_id, stamp, body),
        }
        sent = self.client.post("/api/intake/role-test", content=body, headers=headers)
        assert sent.status_code == 201, sent.text
        return str(sent.json()["id"])

    def tip_form(self) -> bytes:
        page = self.client.get("/tip")
        found = re.search(r'name="form" value="([^"]+)"', page.text)
        assert found is not None
        return f"form={found.group(1)}&kind=tip&text=x".encode()

    def department(self) -> str:
        name = f"局-{uuid.uuid4().hex[:8]}"
        self.app.handle(Request(SYSTEM_ACTOR, self.staff.clock.tick()), AddDepartment(name=name))
        return name

    def outlet(self) -> str:
        name = f"o-{uuid.uuid4().hex[:8]}"
        self.app.handle(
            Request(SYSTEM_ACTOR, self.staff.clock.tick()),
            AddOutlet(name=name, kind="webhook", channel="wechat", url="https://gw.test/in"),
        )
        return name

    def origin(self) -> str:
        """An origin hub this hub takes submissions from: its name."""
        origin = f"c-{uuid.uuid4().hex[:8]}"
        system = Request(SYSTEM_ACTOR, self.staff.clock.tick())
        self.app.handle(
            system, RegisterOrigin(name=origin, url="https://county.test", secret=SECRET)
        )
        return origin

    def submission(self) -> str:
        """A submission from an origin hub, as its signed endpoint takes it."""
        system = Request(SYSTEM_ACTOR, self.staff.clock.tick())
        return str(self.app.handle(system, harvest_submission(self.origin())).id)

    def write(self, who: str, path: str, body: dict[str, Any]) -> str:
        """Something made over HTTP (its answer waits for the hub's read models): its id."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        done = self.client.post(path, json=body, headers=headers)
        assert done.status_code == 201, done.text
        return str(done.json()["id"])

    def shift(self, start_in: timedelta = timedelta(minutes=-1)) -> str:
        """A shift (everyone who takes duty is on it) holding the hub's real clock."""
        start = datetime.now(UTC) + start_in
        body = {
            "start": start.isoformat(),
            "end": (start + timedelta(hours=8)).isoformat(),
            "on_duty": ["dana", "tess", "eddie", "dora", "chen", "ada"],
            "leader": "chen",
        }
        return self.write("dora", "/api/duty/shifts", body)

    def handover_to_rui(self) -> str:
        self.shift()
        return self.write("dana", "/api/duty/handovers", {"arriving": "rui", "note": "交接"})

    def inspection_of_tess(self) -> str:
        return self.write("tess", "/api/duty/inspections", {})

    def webhook_feed(self) -> str:
        name = f"hook-{uuid.uuid4().hex[:8]}"
        self.write("dora", "/api/opinion/feeds", {"name": name, "kind": "webhook"})
        return name

    def rule(self) -> str:
        body = {"name": "事故", "level": "red", "terms": ["爆炸"]}
        return self.write("dora", "/api/opinion/rules", body)

    def warning(self) -> str:
        """A red warning, with a shift holding the hub's clock (who is on duty acknowledges)."""
        self.shift()
        url = f"https://news.example/{uuid.uuid4().hex}"
        done = self.app.handle(
            Request(SYSTEM_ACTOR, datetime.now(UTC)),
            CollectItem(
                feed="f",
                url=url,
                title="化工厂爆炸",
                text="",
                published=None,
                fingerprint="s1",
                negative=0.5,
                hits=["爆炸"],
                level="red",
                reasons=[],
            ),
        )
        return str(done.id)

    def video(self) -> str:
        """Rui's video upload (a real two-second file), made once."""
        if not hasattr(self, "_video"):
            path = make_video(
                self.app.settings.data_dir / "uploads" / "role-video.mp4", seconds=2, audio=False
            )
            done = self.app.handle(
                self.staff.req("rui"),
                RegisterCapture(
                    assignment=None,
                    kind="upload",
                    filename="levee.mp4",
                    content_type="video/mp4",
                    size=path.stat().st_size,
                    sha256="0" * 64,
                    details={"path": "uploads/role-video.mp4"},
                ),
            )
            self._video = str(done.id)
        return self._video

    def clip(self) -> str:
        """A clip of rui's video, asked for by an editor."""
        done = self.app.handle(
            self.staff.req("eddie"), RequestClip(capture=UUID(self.video()), start=0, end=1)
        )
        return str(done.id)

    def alert(self, approved: bool = False) -> str:
        """An emergency alert eddie drafted (and chen approved)."""
        aid = self.app.handle(self.staff.req("eddie"), DraftAlert(**ALERT)).id
        if approved:
            self.app.handle(self.staff.req("chen"), ApproveAlert(id=aid, reason="checked"))
        return str(aid)

    def token_of_rui(self) -> str:
        done = self.app.handle(self.staff.req("rui"), IssueToken(name="rui", label="spare"))
        return str(done.extra["token_id"])

    def upload_of_rui(self) -> str:
        """A tus upload rui started (4 bytes long, none sent yet): its path."""
        headers = {**TUS, "Upload-Length": "4", "Authorization": f"Bearer {self.tokens['rui']}"}
        started = self.client.post("/api/uploads", headers=headers)
        assert started.status_code == 201, started.text
        return started.headers["location"]


def fixed(path: str, body: Body = None, **headers: str) -> Callable[[World], Target]:
    return lambda w: (path, body, headers)


def on(made: Callable[[World], object], path: str, body: Body) -> Callable[[World], Target]:
    """A call on something made in the world: what `made` returns (its id) fills the path's {}."""
    return lambda w: (path.format(made(w)), body, {})


def on_assignment(state: str, action: str, body: Body = None) -> Callable[[World], Target]:
    return lambda w: (f"/api/assignments/{w.assignment(state)}/{action}", body or {}, {})


def on_story(state: str, action: str, body: Body = None) -> Callable[[World], Target]:
    return lambda w: (f"/api/stories/{w.story(state)[0]}/{action}", body or {}, {})


def on_product(state: str, action: str, body: Body = None) -> Callable[[World], Target]:
    return lambda w: (f"/api/products/{w.product(state)[0]}/{action}", body or {}, {})


def edit_product(w: World) -> Target:
    pid, version = w.product()
    return f"/api/products/{pid}", {"title": "Harvest", "body": "v2"}, {"If-Match": str(version)}


def revise(w: World) -> Target:
    sid, version = w.story()
    return f"/api/stories/{sid}", {"title": "Harvest", "body": "v2"}, {"If-Match": str(version)}


def draft_on_ruis_assignment(w: World) -> Target:
    body = {"title": "Levee", "body": "", "assignment": w.assignment("assigned")}
    return "/api/stories", body, {}


def stop_output(w: World, target: Target) -> None:
    """An output a row started encodes until stopped: stopped again, so that outputs do not pile
    up and take the machine from the rows after."""
    name = target[0].split("/")[3]
    if w.app.output(name).state == "running":
        w.app.handle(w.staff.req("tess"), StopOutput(id=name, reason="role test"))


def on_upload(body: Body = None, **headers: str) -> Callable[[World], Target]:
    return lambda w: (w.upload_of_rui(), body, {**TUS, **headers})


PLACE = {"name": "hall", "lat": 30.0, "lon": 120.0}
LATER = datetime(2030, 1, 1, tzinfo=UTC)
PROFILE = {"title_max": 30, "body_max": 2000}
ALERT: dict[str, Any] = STORM | {"expires": "2099-01-01T00:00:00+08:00"}
SECRET = "whsec_" + "A" * 43 + "="
ADMIN = frozenset({"ada"})
FEED = "http://127.0.0.1:9/feed.xml"  # nothing answers there: the poller reports it failing
FORM = "application/x-www-form-urlencoded"
SDP = {"Content-Type": "text/plain"}  # not an offer: an admitted caller gets 415
UNREAD = frozenset({415})  # admitted, then the offer is looked at
NO_SESSION = frozenset({404})  # admitted, then the session is looked for
CHANGES = ("POST", "PUT", "PATCH", "DELETE")
NOT_SERVED = frozenset({405})  # what WHIP/WHEP do not serve, refused before anything else
PREFLIGHT = frozenset({204})
LENGTH = {"Upload-Length": "4"}
APPEND = {"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}

ROWS: dict[str, Row] = {
    # -- signing in, and what anyone may read -----------------------------------------------
    "GET /api/health": Row(ANYONE, fixed("/api/health")),
    "GET /api/openapi.json": Row(ANYONE, fixed("/api/openapi.json")),
    "POST /api/login": Row(
        ANYONE, fixed("/api/login", {"name": "dana", "password": "dana-password"})
    ),
    "POST /login": Row(
        ANYONE,
        fixed("/login", b"name=dana&password=dana-password", **{"Content-Type": FORM}),
        ok=frozenset({303}),
    ),
    "POST /logout": Row(ANYONE, fixed("/logout")),
    "POST /api/session": Row(EVERYONE, fixed("/api/session"), by_session=400),
    "GET /api/me": Row(EVERYONE, fixed("/api/me")),
    "GET /": Row(ANYONE, fixed("/"), ok=frozenset({303})),
    "GET /login": Row(ANYONE, fixed("/login")),
    "GET /static/{path}": Row(ANYONE, fixed("/static/js/common.js")),
    "GET /hls/{output}/{name}": Row(ANYONE, fixed("/hls/main/index.m3u8"), ok=frozenset({404})),
    # -- pages -------------------------------------------------------------------------------
    "GET /wall": Row(LIVE, fixed("/wall"), page=True),
    "GET /console": Row(CONTROL | {"dora", "chen"}, fixed("/console"), page=True),
    "GET /reporter": Row(REPORTERS | {"ada"}, fixed("/reporter"), page=True),
    "GET /desk": Row(EDITORS_UP, fixed("/desk"), page=True),
    "GET /review": Row(EDITORS_UP, fixed("/review"), page=True),
    "GET /audit": Row(LOG, fixed("/audit"), page=True),
    "GET /submissions": Row(EDITORS_UP, fixed("/submissions"), page=True),
    "GET /duty": Row(NEWSROOM, fixed("/duty"), page=True),
    "GET /opinion": Row(NEWSROOM, fixed("/opinion"), page=True),
    "GET /meeting": Row(DESK, fixed("/meeting"), page=True),
    "GET /evaluation": Row(DESK, fixed("/evaluation"), page=True),
    "GET /emergency": Row(EDITORS_UP, fixed("/emergency"), page=True),
    # -- reads -------------------------------------------------------------------------------
    "GET /api/wall": Row(LIVE, fixed("/api/wall")),
    "WS /ws/wall": Row(LIVE, fixed("/ws/wall"), ok=frozenset({101})),
    "WS /ws/wall?scope=mine": Row(EVERYONE, fixed("/ws/wall?scope=mine"), ok=frozenset({101})),
    "GET /api/events": Row(LOG, fixed("/api/events?limit=1000")),
    "GET /api/audit": Row(LOG, fixed("/api/audit")),
    "GET /api/audit/export": Row(LOG, fixed("/api/audit/export?format=csv")),
    "GET /api/assignments": Row(NEWSROOM | REPORTERS, fixed("/api/assignments")),
    "GET /api/assignments/{id}": Row(
        NEWSROOM | {"rui"}, lambda w: (f"/api/assignments/{w.assignment('assigned')}", None, {})
    ),
    "GET /api/board": Row(NEWSROOM | REPORTERS, fixed("/api/board")),
    "GET /api/commands": Row(EVERYONE - {"wally"}, fixed("/api/commands")),
    "GET /api/stories": Row(DESK | REPORTERS, fixed("/api/stories")),
    "GET /api/stories/{id}": Row(
        DESK | {"rui"}, lambda w: (f"/api/stories/{w.story()[0]}", None, {})
    ),
    "GET /api/matrix": Row(LIVE | REPORTERS, fixed("/api/matrix")),
    "GET /api/metrics": Row(DESK, fixed("/api/metrics")),
    "GET /api/sources": Row(LIVE | REPORTERS, fixed("/api/sources")),
    "GET /api/outputs": Row(LIVE, fixed("/api/outputs")),
    "GET /api/captures": Row(NEWSROOM | REPORTERS, fixed("/api/captures")),
    "GET /api/captures/refused": Row(NEWSROOM | REPORTERS, fixed("/api/captures/refused")),
    "GET /api/captures/{id}": Row(NEWSROOM | {"rui"}, on(World.capture, "/api/captures/{}", None)),
    "GET /api/captures/{id}/file": Row(
        NEWSROOM | {"rui"}, on(World.capture, "/api/captures/{}/file", None)
    ),
    "GET /api/clips": Row(NEWSROOM | REPORTERS, fixed("/api/clips")),
    "GET /api/clips/{id}": Row(NEWSROOM | {"rui"}, on(World.clip, "/api/clips/{}", None)),
    "GET /api/users": Row(frozenset({"ada"}), fixed("/api/users")),
    "GET /api/duty": Row(EVERYONE, fixed("/api/duty")),
    "GET /api/opinion": Row(LIVE, fixed("/api/opinion")),
    "GET /api/opinion/feeds/{name}/secret": Row(
        ROSTER, on(World.webhook_feed, "/api/opinion/feeds/{}/secret", None)
    ),
    "GET /api/topics": Row(DESK, fixed("/api/topics?day=2026-12-07")),
    "GET /api/topics/mine": Row(PROPOSERS, fixed("/api/topics/mine")),
    "GET /api/topics/minutes": Row(DESK, fixed("/api/topics/minutes?day=2026-12-07&format=csv")),
    "GET /api/evaluation": Row(DESK, fixed("/api/evaluation")),
    "GET /api/evaluation/export": Row(DESK, fixed("/api/evaluation/export?start=2026-11-01")),
    "GET /api/alerts": Row(LIVE, fixed("/api/alerts")),
    "GET /api/alerts/{id}": Row(LIVE, on(World.alert, "/api/alerts/{}", None)),
    "GET /cap/feed.atom": Row(ANYONE, fixed("/cap/feed.atom")),
    "GET /cap/{id}.xml": Row(ANYONE, lambda w: (f"/cap/{w.alert(approved=True)}.xml", None, {})),
    "GET /metrics": Row(frozenset({"tess", "ada"}), fixed("/metrics")),
    # -- live media: cam is rui's phone; its own token, rui, technicians publish to it -------
    "POST /whip/{source}": Row(
        frozenset({"cam", "rui", "tess", "ada"}), fixed("/whip/cam", b"v=0", **SDP), ok=UNREAD
    ),
    "DELETE /whip/{source}/{session}": Row(
        frozenset({"cam", "rui", "tess", "ada"}), fixed("/whip/cam/nope"), ok=NO_SESSION
    ),
    "POST /whep/{source}": Row(LIVE | {"rui"}, fixed("/whep/cam", b"v=0", **SDP), ok=UNREAD),
    "DELETE /whep/{source}/{session}": Row(LIVE | {"rui"}, fixed("/whep/cam/x"), ok=NO_SESSION),
    **{
        f"{methods} /{role}/{{source}}{tail}": Row(ANYONE, fixed(f"/{role}/cam{end}"), ok=ok)
        for role in ("whip", "whep")
        for methods, tail, end, ok in (
            ("GET,PUT,PATCH,DELETE", "", "", NOT_SERVED),
            ("OPTIONS", "", "", PREFLIGHT),
            ("GET,POST,PUT,PATCH", "/{session}", "/x", NOT_SERVED),
            ("OPTIONS", "/{session}", "/x", PREFLIGHT),
        )
    },
    # -- assignments -------------------------------------------------------------------------
    "POST /api/assignments": Row(
        DISPATCH, fixed("/api/assignments", {"title": "x", "location": PLACE})
    ),
    "POST /api/assignments/{id}/assign": Row(
        DISPATCH, on_assignment("planned", "assign", {"reporter": "rui"})
    ),
    "POST /api/assignments/{id}/accept": Row(
        frozenset({"rui"}), on_assignment("assigned", "accept")
    ),
    "POST /api/assignments/{id}/decline": Row(
        frozenset({"rui"}), on_assignment("assigned", "decline", {"reason": "ill"})
    ),
    "POST /api/assignments/{id}/check-in": Row(
        frozenset({"rui"}), on_assignment("accepted", "check-in", {"lat": 30.0, "lon": 120.0})
    ),
    "POST /api/assignments/{id}/file": Row(frozenset({"rui"}), on_assignment("accepted", "file")),
    "POST /api/assignments/{id}/close": Row(DISPATCH, on_assignment("filed", "close")),
    "POST /api/assignments/{id}/cancel": Row(
        DISPATCH, on_assignment("planned", "cancel", {"reason": "rain"})
    ),
    # -- dispatch commands -------------------------------------------------------------------
    "POST /api/commands": Row(CONTROL, fixed("/api/commands", {"to": "rui", "text": "Go"})),
    "POST /api/commands/{id}/ack": Row(
        frozenset({"rui"}), on(World.command, "/api/commands/{}/ack", {})
    ),
    # -- stories: on rui's assignment, only rui and the desk write --------------------------
    "POST /api/stories": Row(EDITORS_UP | {"rui"}, draft_on_ruis_assignment),
    "POST /api/clips": Row(
        EDITORS_UP, lambda w: ("/api/clips", {"capture": w.video(), "start": 0, "end": 1}, {})
    ),
    "PUT /api/stories/{id}": Row(EDITORS_UP | {"rui"}, revise),
    "POST /api/stories/{id}/submit": Row(EDITORS_UP | {"rui"}, on_story("draft", "submit")),
    "POST /api/stories/{id}/reviews": Row(
        frozenset({"eddie"}), on_story("submitted", "reviews", {"decision": "approve"})
    ),
    "POST /api/stories/{id}/publish": Row(
        EDITORS_UP, on_story("approved", "publish", {"channels": ["website"]})
    ),
    "POST /api/stories/{id}/retract": Row(
        EDITORS_UP - {"eddie"}, on_story("published", "retract", {"reason": "error"})
    ),
    # -- the topic meeting and the scoring rule ----------------------------------------------
    "POST /api/topics": Row(
        PROPOSERS, fixed("/api/topics", {"title": "Levee", "day": "2026-12-07"})
    ),
    "POST /api/topics/{id}/decision": Row(
        CHAIRS,
        on(World.topic, "/api/topics/{}/decision", {"decision": "drop", "reason": "old"}),
    ),
    "POST /api/topics/{id}/assignments": Row(
        CHAIRS | {"dana"},
        lambda w: (
            f"/api/topics/{w.topic('approved')}/assignments",
            {"assignments": [{"location": PLACE, "reporter": "rui"}]},
            {},
        ),
    ),
    "PUT /api/evaluation/rule": Row(
        frozenset({"chen", "ada"}),
        fixed("/api/evaluation/rule", {"channels": {"tv": 5}, "reason": "start"}),
    ),
    # -- products: the desk makes them, each level reviews, the chief editor fast-tracks ----
    "POST /api/stories/{story}/products": Row(
        EDITORS_UP,
        lambda w: (f"/api/stories/{w.story()[0]}/products", {"channel": "weibo", "title": "H"}, {}),
    ),
    "PUT /api/products/{id}": Row(EDITORS_UP, edit_product),
    "POST /api/products/{id}/submit": Row(EDITORS_UP, on_product("draft", "submit")),
    "POST /api/products/{id}/reviews": Row(
        frozenset({"eddie"}), on_product("submitted", "reviews", {"decision": "approve"})
    ),
    "POST /api/products/{id}/fast-track": Row(
        frozenset({"chen"}), on_product("draft", "fast-track", {"reason": "breaking"})
    ),
    "POST /api/products/{id}/schedule": Row(
        EDITORS_UP, on_product("approved", "schedule", {"publish_at": "2030-01-01T08:00:00Z"})
    ),
    "POST /api/products/{id}/unschedule": Row(
        EDITORS_UP, on_product("scheduled", "unschedule", {"reason": "held"})
    ),
    "POST /api/products/{id}/publish": Row(EDITORS_UP, on_product("approved", "publish")),
    "POST /api/products/{id}/retract": Row(
        EDITORS_UP - {"eddie"}, on_product("published", "retract", {"reason": "error"})
    ),
    "GET /api/products": Row(DESK, fixed("/api/products")),
    "GET /api/products/{id}": Row(DESK, lambda w: (f"/api/products/{w.product()[0]}", None, {})),
    "GET /api/channels": Row(DESK, fixed("/api/channels")),
    "PUT /api/channels/{channel}": Row(frozenset({"ada"}), fixed("/api/channels/radio", PROFILE)),
    # -- emergency alerts: eddie drafts, a chief editor (never the author) decides ------------
    "POST /api/alerts": Row(EDITORS_UP, fixed("/api/alerts", ALERT)),
    "POST /api/alerts/{id}/approve": Row(
        frozenset({"chen", "ada"}),
        on(World.alert, "/api/alerts/{}/approve", {"reason": "ok"}),
    ),
    "POST /api/alerts/{id}/reject": Row(
        frozenset({"chen", "ada"}),
        on(World.alert, "/api/alerts/{}/reject", {"reason": "no"}),
    ),
    # -- sources and outputs -----------------------------------------------------------------
    "POST /api/sources": Row(
        CONTROL,
        lambda w: ("/api/sources", {"name": f"p-{uuid.uuid4().hex[:8]}", "kind": "phone"}, {}),
    ),
    "POST /api/sources/{name}/token": Row(
        frozenset({"tess", "ada"}), on(World.source, "/api/sources/{}/token", {})
    ),
    "POST /api/outputs": Row(
        frozenset({"tess", "ada"}),
        lambda w: ("/api/outputs", {"name": f"o-{uuid.uuid4().hex[:8]}"}, {}),
    ),
    "POST /api/outputs/{id}/start": Row(
        CONTROL, on(World.output, "/api/outputs/{}/start", {}), after=stop_output
    ),
    "POST /api/outputs/{id}/stop": Row(
        CONTROL,
        lambda w: (f"/api/outputs/{w.output(running=True)}/stop", {"reason": "end"}, {}),
        after=stop_output,
    ),
    "POST /api/outputs/{id}/backup": Row(
        CONTROL, lambda w: (f"/api/outputs/{w.output()}/backup", {"backup": w.source()}, {})
    ),
    "POST /api/outputs/{id}/switch": Row(
        CONTROL,
        lambda w: (f"/api/outputs/{w.output(running=True)}/switch", {"source": w.source()}, {}),
        after=stop_output,
    ),
    # -- leads: anyone sends a tip and reads its progress; the desk triages ------------------
    "GET /tip": Row(ANYONE, fixed("/tip")),
    "POST /tip": Row(
        ANYONE,
        lambda w: ("/tip", w.tip_form(), {"Content-Type": FORM}),
        ok=frozenset({303, 429}),  # one address sends a few tips an hour
    ),
    "GET /tip/{code}": Row(ANYONE, fixed("/tip/2222-2222-2222-2222"), ok=UNKNOWN_CODE),
    "OPTIONS /tip/uploads": Row(ANYONE, fixed("/tip/uploads"), ok=PREFLIGHT),
    "POST /tip/uploads": Row(
        ANYONE, fixed("/tip/uploads", None, **TUS, **LENGTH), ok=frozenset({201, 429})
    ),
    "HEAD,PATCH,OPTIONS /tip/uploads/{upload_id}": Row(
        ANYONE,
        fixed("/tip/uploads/0123456789abcdef0123456789abcdef", b"j", **TUS, **APPEND),
        ok=frozenset({404, 204}),  # an unknown upload, for everyone alike
    ),
    "POST /api/intake/{source}": Row(
        ANYONE, fixed("/api/intake/role-test", {"data": {}}), ok=frozenset({401})
    ),
    "GET /open311/v2/services.json": Row(ANYONE, fixed("/open311/v2/services.json")),
    "POST /open311/v2/requests.json": Row(
        ANYONE,
        fixed(
            "/open311/v2/requests.json",
            b"service_code=tip&description=x&lat=1&long=2",
            **{"Content-Type": FORM},
        ),
        ok=frozenset({200, 429}),
    ),
    "GET /open311/v2/requests/{code}.json": Row(
        ANYONE, fixed("/open311/v2/requests/2222-2222-2222-2222.json"), ok=UNKNOWN_CODE
    ),
    "GET /leads": Row(TRIAGE | {"audrey"}, fixed("/leads"), page=True),
    "GET /api/leads": Row(TRIAGE | {"audrey"}, fixed("/api/leads")),
    "GET /api/leads/rates": Row(TRIAGE | {"audrey"}, fixed("/api/leads/rates")),
    "GET /api/leads/{id}": Row(TRIAGE | {"audrey"}, on(World.lead, "/api/leads/{}", None)),
    "GET /api/leads/{id}/files/{file}": Row(
        TRIAGE | {"audrey"},
        on(World.lead, "/api/leads/{}/files/nope", None),
        ok=frozenset({404}),  # a lead without files
    ),
    "GET /api/departments": Row(TRIAGE | {"audrey"}, fixed("/api/departments")),
    "POST /api/leads/{id}/duplicate": Row(
        TRIAGE, lambda w: (f"/api/leads/{w.lead()}/duplicate", {"of": w.lead()}, {})
    ),
    "POST /api/leads/{id}/assignment": Row(
        DISPATCH, on(World.lead, "/api/leads/{}/assignment", {"title": "积水"})
    ),
    "POST /api/leads/{id}/topic": Row(
        TRIAGE, on(World.lead, "/api/leads/{}/topic", {"title": "积水"})
    ),
    "POST /api/leads/{id}/route": Row(
        TRIAGE,
        lambda w: (
            f"/api/leads/{w.lead()}/route",
            {"department": w.department(), "due": "2099-01-01T00:00:00+08:00"},
            {},
        ),
    ),
    "POST /api/leads/{id}/answer": Row(
        TRIAGE, on(World.lead, "/api/leads/{}/answer", {"answer": "已处理"})
    ),
    "POST /api/departments": Row(
        frozenset({"ada"}), lambda w: ("/api/departments", {"name": f"局-{uuid.uuid4().hex}"}, {})
    ),
    "PUT /api/departments/{name}": Row(
        frozenset({"ada"}), on(World.department, "/api/departments/{}", {"contacts": "x"})
    ),
    # -- people ------------------------------------------------------------------------------
    "POST /api/users": Row(
        frozenset({"ada"}),
        lambda w: ("/api/users", {"name": f"u-{uuid.uuid4().hex[:8]}", "roles": ["editor"]}, {}),
    ),
    "POST /api/users/{name}/tokens": Row(
        SELF_OR_ADMIN, fixed("/api/users/rui/tokens", {"label": "phone"})
    ),
    "DELETE /api/users/{name}/tokens/{token_id}": Row(
        SELF_OR_ADMIN, on(World.token_of_rui, "/api/users/rui/tokens/{}", None)
    ),
    "PUT /api/users/{name}/roles": Row(
        frozenset({"ada"}),
        on(World.person, "/api/users/{}/roles", {"roles": ["editor"], "reason": "moved"}),
    ),
    "POST /api/users/{name}/deactivate": Row(
        frozenset({"ada"}),
        on(World.person, "/api/users/{}/deactivate", {"reason": "left the centre"}),
    ),
    "PUT /api/users/{name}/password": Row(
        SELF_OR_ADMIN, fixed("/api/users/rui/password", {"password": "a-new-secret"})
    ),
    # -- the public site, and the signed endpoints other hubs call -------------------------
    "GET /p/": Row(ANYONE, fixed("/p/")),
    "GET /p/feed.atom": Row(ANYONE, fixed("/p/feed.atom")),
    "GET /p/{product}": Row(ANYONE, fixed("/p/nope"), ok=frozenset({404})),
    "GET /p/{product}/media/{capture}": Row(
        ANYONE, fixed("/p/nope/media/nope"), ok=frozenset({404})
    ),
    "POST /hooks/origins/{name}/submissions": Row(
        ANYONE, fixed("/hooks/origins/nope/submissions", {}), ok=frozenset({401})
    ),
    "POST /hooks/outlets/{name}/decisions": Row(
        ANYONE, fixed("/hooks/outlets/nope/decisions", {}), ok=frozenset({401})
    ),
    # -- outlets and submissions from other hubs -------------------------------------------
    "GET /api/outlets": Row(ADMIN, fixed("/api/outlets")),
    "POST /api/outlets": Row(
        ADMIN,
        lambda w: (
            "/api/outlets",
            {"name": f"o-{uuid.uuid4().hex[:8]}", "kind": "site", "channel": "website"},
            {},
        ),
    ),
    "PUT /api/outlets/{name}": Row(
        ADMIN,
        on(World.outlet, "/api/outlets/{}", {"channel": "weibo", "url": "https://gw.test"}),
    ),
    "POST /api/outlets/{name}/deactivate": Row(
        ADMIN, on(World.outlet, "/api/outlets/{}/deactivate", {"reason": "ended"})
    ),
    "POST /api/outlets/{name}/secret": Row(ADMIN, on(World.outlet, "/api/outlets/{}/secret", {})),
    "POST /api/origins": Row(
        ADMIN,
        lambda w: (
            "/api/origins",
            {"name": f"c-{uuid.uuid4().hex[:8]}", "url": "https://c.test", "secret": SECRET},
            {},
        ),
    ),
    "POST /api/origins/{name}/secret": Row(
        ADMIN, on(World.origin, "/api/origins/{}/secret", {"secret": SECRET})
    ),
    "GET /api/submissions": Row(DESK, fixed("/api/submissions")),
    "POST /api/submissions/{id}/decision": Row(
        EDITORS_UP,
        on(World.submission, "/api/submissions/{}/decision", {"adopted": True}),
    ),
    # -- the duty roster: the desk sets it; who is on duty hands over and inspects ----------
    "POST /api/duty/shifts": Row(
        ROSTER,
        lambda w: (
            "/api/duty/shifts",
            {
                "start": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
                "end": (datetime.now(UTC) + timedelta(days=1, hours=8)).isoformat(),
                "on_duty": ["dana"],
                "leader": "chen",
            },
            {},
        ),
    ),
    "POST /api/duty/shifts/{id}/cancel": Row(
        ROSTER,
        lambda w: (f"/api/duty/shifts/{w.shift(timedelta(hours=2))}/cancel", {"reason": "x"}, {}),
    ),
    "POST /api/duty/handovers": Row(
        ON_DUTY,
        lambda w: (w.shift() and "/api/duty/handovers", {"arriving": "lin", "note": ""}, {}),
    ),
    "POST /api/duty/handovers/{id}/countersign": Row(
        frozenset({"rui"}),
        on(World.handover_to_rui, "/api/duty/handovers/{}/countersign", {}),
    ),
    "POST /api/duty/inspections": Row(ON_DUTY, fixed("/api/duty/inspections", {})),
    "POST /api/duty/inspections/{id}/items": Row(
        frozenset({"tess"}),
        on(
            World.inspection_of_tess,
            "/api/duty/inspections/{}/items",
            {"item": "signal", "ok": True},
        ),
    ),
    "POST /api/duty/inspections/{id}/complete": Row(
        frozenset({"tess"}),
        on(World.inspection_of_tess, "/api/duty/inspections/{}/complete", {}),
        ok=frozenset({409}),
    ),
    # -- 舆情: the desk adds feeds and rules; whoever is on duty acknowledges -------------------
    "POST /api/opinion/feeds": Row(
        ROSTER,
        lambda w: ("/api/opinion/feeds", {"name": f"f-{uuid.uuid4().hex[:8]}", "url": FEED}, {}),
    ),
    "POST /api/opinion/rules": Row(
        ROSTER, fixed("/api/opinion/rules", {"name": "事故", "level": "red", "terms": ["爆炸"]})
    ),
    "POST /api/opinion/rules/{id}/retire": Row(
        ROSTER, on(World.rule, "/api/opinion/rules/{}/retire", {"reason": "old"})
    ),
    "POST /api/opinion/warnings/{id}/ack": Row(
        ON_DUTY, on(World.warning, "/api/opinion/warnings/{}/ack", {})
    ),
    "POST /api/opinion/warnings/{id}/assignment": Row(
        DISPATCH,
        on(World.warning, "/api/opinion/warnings/{}/assignment", {"location": PLACE}),
    ),
    "POST /api/opinion/warnings/{id}/topic": Row(
        PROPOSERS,
        on(World.warning, "/api/opinion/warnings/{}/topic", {"day": "2026-12-08"}),
    ),
    # Signed by the feed's secret, not by a person: everyone unsigned is refused alike.
    "POST /api/opinion/webhook/{name}": Row(
        ANYONE,
        on(World.webhook_feed, "/api/opinion/webhook/{}", {"items": []}),
        ok=frozenset({401}),
    ),
    # -- uploads (tus): reporters, editors and technicians; an upload is its uploader's -----
    "OPTIONS /api/uploads": Row(ANYONE, fixed("/api/uploads")),
    "POST /api/uploads": Row(
        REPORTERS | {"eddie", "tess", "ada"}, fixed("/api/uploads", None, **TUS, **LENGTH)
    ),
    "OPTIONS /api/uploads/{upload_id}": Row(ANYONE, fixed("/api/uploads/nope")),
    "HEAD /api/uploads/{upload_id}": Row(frozenset({"rui", "tess", "ada"}), on_upload()),
    "PATCH /api/uploads/{upload_id}": Row(
        frozenset({"rui", "tess", "ada"}), on_upload(b"j", **APPEND)
    ),
    "DELETE /api/uploads/{upload_id}": Row(frozenset({"rui", "tess", "ada"}), on_upload()),
}


def route_keys(routes: list[BaseRoute], prefix: str = "") -> set[str]:
    """`METHOD /path` of every route the application serves (HEAD beside GET is GET's)."""
    keys: set[str] = set()
    for route in routes:
        if isinstance(route, WebSocketRoute):
            keys.add(f"WS {prefix}{route.path}")
        elif isinstance(route, Route):
            methods = set(route.methods or ())
            if "GET" in methods:
                methods.discard("HEAD")
            keys |= {f"{method} {prefix}{route.path}" for method in methods}
        elif isinstance(route, Mount):
            if route.routes:
                keys |= route_keys(list(route.routes), prefix + route.path)
            else:
                keys.add(f"GET {prefix}{route.path}/{{path}}")
    return keys


def row_keys() -> set[str]:
    keys: set[str] = set()
    for key in ROWS:
        methods, path = key.split(" ", 1)
        keys |= {f"{method} {path.split('?')[0]}" for method in methods.split(",")}
    return keys


def test_every_route_has_a_row(tmp_path: Path) -> None:
    """An endpoint added without saying who may call it fails here."""
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    routes = route_keys(create_app(settings).routes)
    assert sorted(routes - row_keys()) == [], "routes without a row"
    assert sorted(row_keys() - routes) == [], "rows without a route"


# -- running the matrix --------------------------------------------------------------------------


@pytest.fixture
def tokens(staff: Staff) -> dict[str, str]:
    """The staff's tokens, an admin's and the publish token of rui's phone (cam), registered
    before the hub starts."""
    at = staff.clock.tick(1)
    admin = staff.newsroom.handle(
        Request(SYSTEM_ACTOR, at), RegisterUser(name="ada", roles=["admin"])
    )
    camera = staff.newsroom.handle(
        staff.req("tess"), RegisterSource(name="cam", kind="phone", owner="rui")
    )
    return {**staff.tokens, "ada": admin.extra["token"], "cam": camera.extra["token"]}


@dataclass
class Credentials:
    """What each caller sends: a bearer token, a session cookie and its CSRF token, or junk."""

    tokens: dict[str, str]
    sessions: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> cookie, csrf

    def sign_in(self, client: httpx.Client) -> None:
        """Every person trades their token for a session (as a wall display does)."""
        for name in PEOPLE:
            traded = client.post("/api/session", headers=self.bearer(name))
            assert traded.status_code == 200, traded.text
            self.sessions[name] = (traded.cookies["hub_session"], traded.json()["csrf_token"])
            client.cookies.clear()

    def bearer(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def session(self, name: str) -> dict[str, str | bytes]:
        cookie, csrf = self.sessions[name]
        return {"Cookie": f"hub_session={cookie}", "X-CSRF-Token": csrf}

    def of(self, caller: str) -> dict[str, str | bytes]:
        kind, person = kind_of(caller), person_of(caller)
        if caller == MIXED:
            return {**self.session("ada"), "Authorization": UNUSABLE["nbsp"]}
        if kind == "unusable":
            return {"Authorization": UNUSABLE[caller]}
        if kind == "source":
            return dict(self.bearer("cam"))
        if person is None:
            return {}
        return dict(self.bearer(person)) if kind == "token" else self.session(person)


def call(
    client: httpx.Client, method: str, target: Target, headers: dict[str, str | bytes]
) -> tuple[int, Any]:
    """The status (101 for an accepted WebSocket) and, for a JSON answer, the body."""
    path, body, extra = target
    if method == "WS":
        url = str(client.base_url).replace("http://", "ws://") + path
        socket_headers = {
            k: v.decode("latin-1") if isinstance(v, bytes) else v for k, v in headers.items()
        }
        try:
            with connect(url, additional_headers=socket_headers, open_timeout=10):
                return 101, None
        except InvalidStatus as refused:
            return refused.response.status_code, None
    sent = [
        (k.encode(), v if isinstance(v, bytes) else v.encode())
        for k, v in (extra | headers).items()
    ]
    if isinstance(body, dict):
        response = client.request(method, path, headers=sent, json=body)
    else:
        response = client.request(method, path, headers=sent, content=body)
    client.cookies.clear()
    is_json = response.headers.get("content-type", "").startswith("application/json")
    return response.status_code, response.json() if is_json and response.content else None


def test_every_endpoint_for_every_caller(
    tokens: dict[str, str], staff: Staff, client: httpx.Client, database_url: str
) -> None:
    """On PostgreSQL the session callers are left out: who a cookie names is decided before the
    store is asked (the SQLite run covers them), and each allowed write costs a fresh target."""
    credentials = Credentials(tokens)
    credentials.sign_in(client)
    world = World(staff, client, tokens)
    callers = CALLERS
    if not database_url.startswith("sqlite"):
        callers = tuple(c for c in CALLERS if kind_of(c) != "session")
    wrong: list[str] = []
    for key, row in ROWS.items():
        methods, path = key.split(" ", 1)
        for method in methods.split(","):
            shared: Target | None = None
            for caller in callers:
                if method in CHANGES and row.allows(caller):
                    target = row.target(world)  # a fresh one: this call changes it
                else:
                    shared = shared or row.target(world)
                    target = shared
                status, answer = call(client, method, target, credentials.of(caller))
                if row.after is not None and target is not shared:
                    row.after(world, target)
                wrong += judged(row, f"{method} {path} by {caller}", caller, status, answer)
            if row.after is not None and shared is not None:
                row.after(world, shared)
    assert wrong == []


def judged(row: Row, case: str, caller: str, status: int, answer: Any) -> list[str]:
    """What is wrong with one answer: its status, or (for an API refusal) its shape."""
    expected = row.expected(caller)
    if status not in expected:
        return [f"{case}: {status}, not {sorted(expected)}: {answer}"]
    if status in (401, 403) and not row.page and not case.startswith(("HEAD", "WS")):
        error = answer.get("error") if isinstance(answer, dict) else None
        if set(answer or {}) != {"error"} or not {"code", "message"} <= set(error or {}):
            return [f"{case}: not the error shape: {answer}"]
    return []


def test_refusals_say_why(tokens: dict[str, str], staff: Staff, client: httpx.Client) -> None:
    def bearer(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[name]}"}

    assignment = World(staff, client, tokens).assignment("assigned")
    draft = {"title": "Levee", "body": "", "assignment": assignment}
    refused = client.post("/api/stories", json=draft, headers=bearer("lin"))
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "not_permitted",
        "message": "lin may not write a story on assignment 'Levee': it is rui's, and only its "
        "reporter or an editor, desk head or chief editor may",
    }
    for caller, path, message in (
        ("wally", "/api/events", "wally may not read the event log: it needs the role auditor"),
        ("rui", "/api/wall", "rui may not read the wall: it needs the role wall, dispatcher"),
        ("wally", "/api/captures", "wally may not read these records: it needs the role reporter"),
        ("cam", "/api/wall", "cam may not read the wall"),
        ("cam", "/api/events", "cam may not read the event log"),
    ):
        answer = client.get(path, headers=bearer(caller))
        assert answer.status_code == 403, (caller, path)
        assert answer.json()["error"]["message"].startswith(message), answer.text
