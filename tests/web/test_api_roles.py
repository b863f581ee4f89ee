"""Every endpoint × every role: who may, and who is refused with 403.

Each call gets a fresh target in the state where the command makes sense (made directly through
the application), so an allowed caller succeeds and a refused one is refused for who they are,
never for the state of things.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import pytest

from events.base import Location
from events.roles import SYSTEM_ACTOR
from hub.newsroom import Request
from tests.conftest import Staff

CALLERS = ("dana", "rui", "lin", "eddie", "dora", "chen", "tess", "audrey", "wally", "ada", "cam")
EVERYONE = frozenset(CALLERS) - {"cam"}  # cam is a camera's publish token, not a person
Target = tuple[str, Any, dict[str, str]]  # path, JSON body, extra headers


class World:
    """Makes things in a given state, directly through the application."""

    def __init__(self, staff: Staff) -> None:
        self.staff = staff
        self.app = staff.newsroom

    def assignment(self, state: str = "planned") -> str:
        req = self.staff.req
        aid = self.app.plan_assignment(
            req("dana"), title="Levee", brief="", location=Location("hall", 30.0, 120.0)
        ).id
        steps: list[Callable[[], object]] = [
            lambda: self.app.assign_reporter(req("dana"), aid, reporter="rui"),
            lambda: self.app.accept_assignment(req("rui"), aid),
            lambda: self.app.file_assignment(req("rui"), aid),
        ]
        for step in steps[: ("planned", "assigned", "accepted", "filed").index(state)]:
            step()
        return str(aid)

    def story(self, state: str = "draft") -> tuple[str, int]:
        req = self.staff.req
        done = self.app.draft_story(req("rui"), assignment=None, title="Harvest", body="v1")
        sid = done.id
        steps: list[Callable[[], Any]] = [
            lambda: self.app.submit_story(req("rui"), sid),
            lambda: self.app.review_story(req("eddie"), sid, decision="approve", reason=""),
            lambda: self.app.review_story(req("dora"), sid, decision="approve", reason=""),
            lambda: self.app.review_story(req("chen"), sid, decision="approve", reason=""),
            lambda: self.app.publish_story(req("chen"), sid, channels=["tv"]),
        ]
        states = ("draft", "submitted", "", "", "approved", "published")
        for step in steps[: states.index(state)]:
            done = step()
        return str(sid), done.version

    def command(self) -> str:
        return str(self.app.issue_command(self.staff.req("dana"), to="rui", text="Go live").id)

    def source(self) -> str:
        name = f"s-{uuid.uuid4().hex[:8]}"
        self.app.register_source(self.staff.req("tess"), name=name, kind="phone")
        return name

    def output(self, running: bool = False) -> str:
        name = f"o-{uuid.uuid4().hex[:8]}"
        self.app.configure_output(
            self.staff.req("tess"), name=name, source=None, backup=None, slate_text="slate"
        )
        if running:
            self.app.start_output(self.staff.req("tess"), name)
        return name

    def capture(self) -> str:
        """Rui's upload on their assignment, with its file where the hub keeps uploads."""
        done = self.app.register_capture(
            self.staff.req("rui"),
            assignment=UUID(self.assignment("assigned")),
            kind="upload",
            filename="levee.jpg",
            content_type="image/jpeg",
            size=4,
            sha256="0" * 64,
            details={"path": "uploads/role-test.data"},
        )
        stored = self.app.settings.data_dir / "uploads" / "role-test.data"
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_bytes(b"jpeg")
        return str(done.id)

    def token_of_rui(self) -> str:
        done = self.app.issue_token(self.staff.req("rui"), name="rui", label="spare")
        return str(done.extra["token_id"])


@dataclass(frozen=True)
class Case:
    method: str
    template: str
    allowed: frozenset[str]
    target: Callable[[World], Target]

    @property
    def id(self) -> str:
        return f"{self.method} {self.template}"


def _case(method: str, template: str, allowed: set[str] | frozenset[str], target: Any) -> Case:
    return Case(method, template, frozenset(allowed), target)


def _on_assignment(state: str, action: str, body: Any = None) -> Callable[[World], Target]:
    return lambda w: (f"/api/assignments/{w.assignment(state)}/{action}", body, {})


def _on_story(state: str, action: str, body: Any = None) -> Callable[[World], Target]:
    return lambda w: (f"/api/stories/{w.story(state)[0]}/{action}", body, {})


def _revise(w: World) -> Target:
    sid, version = w.story()
    return f"/api/stories/{sid}", {"title": "Harvest", "body": "v2"}, {"If-Match": str(version)}


PLACE = {"name": "hall", "lat": 30.0, "lon": 120.0}
DISPATCH = {"dana", "ada"}
CONTROL = {"dana", "tess", "ada"}
SELF_OR_ADMIN = {"rui", "ada"}
ALL_BUT_LIN = EVERYONE - {"lin"}

CASES = [
    _case(
        "POST",
        "/api/assignments",
        DISPATCH,
        lambda w: ("/api/assignments", {"title": "x", "location": PLACE}, {}),
    ),
    _case(
        "POST",
        "/api/assignments/{id}/assign",
        DISPATCH,
        _on_assignment("planned", "assign", {"reporter": "rui"}),
    ),
    _case("POST", "/api/assignments/{id}/accept", {"rui"}, _on_assignment("assigned", "accept")),
    _case(
        "POST",
        "/api/assignments/{id}/decline",
        {"rui"},
        _on_assignment("assigned", "decline", {"reason": "ill"}),
    ),
    _case(
        "POST",
        "/api/assignments/{id}/check-in",
        {"rui"},
        _on_assignment("accepted", "check-in", {"lat": 30.0, "lon": 120.0}),
    ),
    _case("POST", "/api/assignments/{id}/file", {"rui"}, _on_assignment("accepted", "file")),
    _case("POST", "/api/assignments/{id}/close", DISPATCH, _on_assignment("filed", "close")),
    _case(
        "POST",
        "/api/assignments/{id}/cancel",
        DISPATCH,
        _on_assignment("planned", "cancel", {"reason": "rain"}),
    ),
    _case(
        "POST",
        "/api/commands",
        CONTROL,
        lambda w: ("/api/commands", {"to": "rui", "text": "Go"}, {}),
    ),
    _case(
        "POST",
        "/api/commands/{id}/ack",
        {"rui"},
        lambda w: (f"/api/commands/{w.command()}/ack", None, {}),
    ),
    _case(
        "POST",
        "/api/stories",
        {"rui", "lin", "eddie", "dora", "chen", "ada"},
        lambda w: ("/api/stories", {"title": "x", "body": ""}, {}),
    ),
    _case("PUT", "/api/stories/{id}", {"rui", "eddie", "dora", "chen", "ada"}, _revise),
    _case(
        "POST",
        "/api/stories/{id}/submit",
        {"rui", "eddie", "dora", "chen", "ada"},
        _on_story("draft", "submit"),
    ),
    _case(
        "POST",
        "/api/stories/{id}/reviews",
        {"eddie"},
        _on_story("submitted", "reviews", {"decision": "approve"}),
    ),
    _case(
        "POST",
        "/api/stories/{id}/publish",
        {"eddie", "dora", "chen", "ada"},
        _on_story("approved", "publish", {"channels": ["website"]}),
    ),
    _case(
        "POST",
        "/api/stories/{id}/retract",
        {"dora", "chen", "ada"},
        _on_story("published", "retract", {"reason": "error"}),
    ),
    _case(
        "POST",
        "/api/sources",
        CONTROL,
        lambda w: ("/api/sources", {"name": f"p-{uuid.uuid4().hex[:8]}", "kind": "phone"}, {}),
    ),
    _case(
        "POST",
        "/api/outputs",
        {"tess", "ada"},
        lambda w: ("/api/outputs", {"name": f"o-{uuid.uuid4().hex[:8]}"}, {}),
    ),
    _case(
        "POST",
        "/api/outputs/{id}/start",
        CONTROL,
        lambda w: (f"/api/outputs/{w.output()}/start", None, {}),
    ),
    _case(
        "POST",
        "/api/outputs/{id}/stop",
        CONTROL,
        lambda w: (f"/api/outputs/{w.output(running=True)}/stop", {"reason": "end"}, {}),
    ),
    _case(
        "POST",
        "/api/outputs/{id}/backup",
        CONTROL,
        lambda w: (f"/api/outputs/{w.output()}/backup", {"backup": w.source()}, {}),
    ),
    _case(
        "POST",
        "/api/outputs/{id}/switch",
        CONTROL,
        lambda w: (f"/api/outputs/{w.output(running=True)}/switch", {"source": w.source()}, {}),
    ),
    _case(
        "POST",
        "/api/users",
        {"ada"},
        lambda w: ("/api/users", {"name": f"u-{uuid.uuid4().hex[:8]}", "roles": ["editor"]}, {}),
    ),
    _case(
        "POST",
        "/api/users/{name}/tokens",
        SELF_OR_ADMIN,
        lambda w: ("/api/users/rui/tokens", {"label": "phone"}, {}),
    ),
    _case(
        "DELETE",
        "/api/users/{name}/tokens/{token_id}",
        SELF_OR_ADMIN,
        lambda w: (f"/api/users/rui/tokens/{w.token_of_rui()}", None, {}),
    ),
    _case(
        "PUT",
        "/api/users/{name}/password",
        SELF_OR_ADMIN,
        lambda w: ("/api/users/rui/password", {"password": "a-new-secret"}, {}),
    ),
    _case("GET", "/api/assignments", EVERYONE, lambda w: ("/api/assignments", None, {})),
    _case(
        "GET",
        "/api/assignments/{id}",
        ALL_BUT_LIN,
        lambda w: (f"/api/assignments/{w.assignment('assigned')}", None, {}),
    ),
    _case("GET", "/api/board", EVERYONE, lambda w: ("/api/board", None, {})),
    _case("GET", "/api/commands", EVERYONE, lambda w: ("/api/commands", None, {})),
    _case("GET", "/api/stories", EVERYONE, lambda w: ("/api/stories", None, {})),
    _case(
        "GET",
        "/api/stories/{id}",
        ALL_BUT_LIN,
        lambda w: (f"/api/stories/{w.story()[0]}", None, {}),
    ),
    _case("GET", "/api/captures", EVERYONE, lambda w: ("/api/captures", None, {})),
    _case("GET", "/api/captures/refused", EVERYONE, lambda w: ("/api/captures/refused", None, {})),
    _case(
        "GET",
        "/api/captures/{id}",
        ALL_BUT_LIN,
        lambda w: (f"/api/captures/{w.capture()}", None, {}),
    ),
    _case(
        "GET",
        "/api/captures/{id}/file",
        ALL_BUT_LIN - {"wally"},
        lambda w: (f"/api/captures/{w.capture()}/file", None, {}),
    ),
    _case("GET", "/api/matrix", EVERYONE, lambda w: ("/api/matrix", None, {})),
    _case("GET", "/api/metrics", EVERYONE, lambda w: ("/api/metrics", None, {})),
    _case("GET", "/api/sources", EVERYONE, lambda w: ("/api/sources", None, {})),
    _case("GET", "/api/outputs", EVERYONE, lambda w: ("/api/outputs", None, {})),
    _case("GET", "/api/audit", {"audrey", "ada"}, lambda w: ("/api/audit", None, {})),
    _case(
        "GET",
        "/api/audit/export",
        {"audrey", "ada"},
        lambda w: ("/api/audit/export?format=csv", None, {}),
    ),
    _case("GET", "/api/users", {"ada"}, lambda w: ("/api/users", None, {})),
    _case("GET", "/api/me", EVERYONE, lambda w: ("/api/me", None, {})),
    _case("POST", "/api/session", EVERYONE, lambda w: ("/api/session", None, {})),
]


@pytest.fixture
def tokens(staff: Staff) -> dict[str, str]:
    """The staff's tokens, an admin's and a camera's, registered before the hub starts."""
    at = staff.clock.tick(1)
    admin = staff.newsroom.register_user(Request(SYSTEM_ACTOR, at), name="ada", roles=["admin"])
    camera = staff.newsroom.register_source(staff.req("tess"), name="cam", kind="encoder")
    return {**staff.tokens, "ada": admin.extra["token"], "cam": camera.extra["token"]}


def test_every_endpoint_is_listed(tokens: dict[str, str], client: httpx.Client) -> None:
    """The table covers every operation the OpenAPI document names, and nothing else."""
    document = client.get("/api/openapi.json").json()
    named = {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
        if path.startswith("/api/") and not path.startswith(("/api/uploads", "/api/openapi"))
    }
    outside = {"POST /api/login", "GET /api/wall", "GET /api/events", "GET /api/health"}
    assert named - outside == {case.id for case in CASES}


def test_every_endpoint_for_every_role(
    tokens: dict[str, str], staff: Staff, client: httpx.Client
) -> None:
    world = World(staff)
    wrong: list[str] = []
    for case in CASES:
        for caller in CALLERS:
            path, body, headers = case.target(world)
            response = client.request(
                case.method,
                path,
                json=body,
                headers={"Authorization": f"Bearer {tokens[caller]}", **headers},
            )
            allowed = caller in case.allowed
            if allowed and not response.is_success:
                wrong.append(f"{case.id} by {caller}: {response.status_code} {response.text}")
            if not allowed and response.status_code != 403:
                wrong.append(f"{case.id} by {caller}: {response.status_code}, not 403")
            if not response.is_success:
                assert set(response.json()) == {"error"}
                assert {"code", "message"} <= set(response.json()["error"])
    assert wrong == []
