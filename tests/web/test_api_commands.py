"""The command API over HTTP: the newsroom loop, idempotent retries, versions, refusals."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.conftest import Staff
from tests.web.conftest import bearer

PLACE = {"name": "County hall", "lat": 30.1, "lon": 120.2}


class Desk:
    """Calls the API as the named staff member."""

    def __init__(self, client: httpx.Client, staff: Staff) -> None:
        self.client = client
        self.staff = staff

    def post(self, who: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
        return self.client.post(
            path, json=body, headers={**bearer(self.staff, who), **_headers(headers)}
        )

    def put(self, who: str, path: str, body: Any, **headers: str) -> httpx.Response:
        return self.client.put(
            path, json=body, headers={**bearer(self.staff, who), **_headers(headers)}
        )

    def get(self, who: str, path: str) -> httpx.Response:
        return self.client.get(path, headers=bearer(self.staff, who))

    def plan(self, title: str = "Flood defences", **extra: Any) -> str:
        body = {"title": title, "brief": "", "location": PLACE, "channels": ["tv"], **extra}
        response = self.post("dana", "/api/assignments", body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def draft(self, who: str, title: str, body: str) -> str:
        """A story `who` drafts, by its path."""
        response = self.post(who, "/api/stories", {"title": title, "body": body})
        assert response.status_code == 201, response.text
        return f"/api/stories/{response.json()['id']}"

    def head(self) -> int:
        return int(self.get("audrey", "/api/events?limit=1").json()["head"])


def _headers(given: dict[str, str]) -> dict[str, str]:
    return {k.replace("_", "-"): v for k, v in given.items()}


def test_an_assignment_from_plan_to_close(client: httpx.Client, staff: Staff) -> None:
    desk = Desk(client, staff)
    body = {
        "title": "Flood defences",
        "brief": "Walk the new levee",
        "location": PLACE,
        "priority": "urgent",
        "due": "2026-11-23T16:00:00+08:00",
        "channels": ["tv", "wechat"],
    }
    created = desk.post("dana", "/api/assignments", body)
    assert created.status_code == 201
    assignment = created.json()["id"]
    assert created.json() == {"id": assignment, "version": 1}
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"/api/assignments/{assignment}"
    a = f"/api/assignments/{assignment}"
    assert desk.post("dana", f"{a}/assign", {"reporter": "rui"}).json()["version"] == 2
    assert desk.post("rui", f"{a}/accept").status_code == 200
    checked = desk.post("rui", f"{a}/check-in", {"lat": 30.2, "lon": 120.3})
    assert checked.status_code == 200 and checked.headers["etag"] == '"4"'
    mine = desk.get("rui", "/api/assignments").json()["assignments"]
    assert [(x["id"], x["state"]) for x in mine] == [(assignment, "on_scene")]
    assert desk.get("lin", "/api/assignments").json()["assignments"] == []
    assert desk.post("rui", f"{a}/file").status_code == 200
    assert desk.post("dana", f"{a}/close").json()["version"] == 6
    detail = desk.get("rui", a)
    assert detail.status_code == 200 and detail.headers["etag"] == '"6"'
    read = detail.json()
    assert read["state"] == "closed" and read["priority"] == "urgent"
    assert read["due"] == "2026-11-23T08:00:00Z" and read["position"] == {"lat": 30.2, "lon": 120.3}
    actions = [(h["action"], h["actor"]) for h in read["history"]]
    assert actions == [
        ("planned", "dana"),
        ("reporter_assigned", "dana"),
        ("accepted", "rui"),
        ("checked_in", "rui"),
        ("filed", "rui"),
        ("closed", "dana"),
    ]
    board = desk.get("eddie", "/api/board").json()
    assert board["counts"]["closed"] == 1 and board["columns"]["closed"][0]["id"] == assignment


def test_a_reporter_cannot_see_or_act_on_anothers_assignment(
    client: httpx.Client, staff: Staff
) -> None:
    desk = Desk(client, staff)
    a = f"/api/assignments/{desk.plan()}"
    desk.post("dana", f"{a}/assign", {"reporter": "rui"})
    seen = desk.get("lin", a)
    assert seen.status_code == 403 and seen.json()["error"]["code"] == "forbidden"
    for action, body in (("accept", None), ("decline", {"reason": "busy"}), ("file", None)):
        refused = desk.post("lin", f"{a}/{action}", body)
        assert refused.status_code == 403, action
        assert refused.json()["error"]["code"] == "not_permitted"
    declined = desk.post("rui", f"{a}/decline", {"reason": "off sick"})
    assert declined.status_code == 200
    assert desk.get("rui", a).json()["history"][-1]["reason"] == "off sick"


def test_a_story_through_three_reviews_to_publication(client: httpx.Client, staff: Staff) -> None:
    desk = Desk(client, staff)
    assignment = desk.plan()
    desk.post("dana", f"/api/assignments/{assignment}/assign", {"reporter": "rui"})
    draft = {"assignment": assignment, "title": "Levee holds", "body": "v1", "captures": []}
    created = desk.post("rui", "/api/stories", draft)
    assert created.status_code == 201
    s = f"/api/stories/{created.json()['id']}"
    revised = desk.put("rui", s, {"title": "Levee holds", "body": "v2"}, If_Match='"1"')
    assert revised.status_code == 200 and revised.json()["version"] == 2
    assert desk.post("rui", f"{s}/submit").status_code == 200
    queue = desk.get("eddie", "/api/stories?review=first").json()["stories"]
    assert [q["id"] for q in queue] == [created.json()["id"]]
    early = desk.post("dora", f"{s}/reviews", {"decision": "approve"})
    assert early.status_code == 403
    for who in ("eddie", "dora", "chen"):
        approved = desk.post(who, f"{s}/reviews", {"decision": "approve", "reason": "ok"})
        assert approved.status_code == 200, approved.text
    published = desk.post("eddie", f"{s}/publish", {"channels": ["tv", "website"]})
    assert published.status_code == 200
    retracted = desk.post("dora", f"{s}/retract", {"channel": "tv", "reason": "wrong figure"})
    assert retracted.status_code == 200
    story = desk.get("rui", s).json()
    assert [(v["revision"], v["body"], v["by"]) for v in story["versions"]] == [
        (1, "v1", "rui"),
        (2, "v2", "rui"),
    ]
    assert [
        (r["level"], r["level_name"], r["reviewer"], r["decision"]) for r in story["reviews"]
    ] == [
        (1, "first", "eddie", "approve"),
        (2, "second", "dora", "approve"),
        (3, "final", "chen", "approve"),
    ]
    assert [(p["channel"], p["action"]) for p in story["publications"]] == [
        ("tv", "published"),
        ("website", "published"),
        ("tv", "retracted"),
    ]
    assert story["live"] == {"website": 2} and story["state"] == "approved"
    matrix = desk.get("chen", "/api/matrix").json()
    cells = matrix["stories"][0]["channels"]
    assert cells["website"]["state"] == "live" and cells["tv"]["state"] == "retracted"
    assert desk.get("lin", s).status_code == 403
    assert desk.get("lin", "/api/stories").json()["stories"] == []
    figures = desk.get("audrey", "/api/metrics").json()
    assert figures["per_channel_per_day"]


def test_a_rejection_needs_a_reason_and_returns_the_story(
    client: httpx.Client, staff: Staff
) -> None:
    desk = Desk(client, staff)
    s = desk.draft("eddie", "Market day", "...")
    desk.post("eddie", f"{s}/submit")
    bare = desk.post("erin", f"{s}/reviews", {"decision": "reject"})
    assert bare.status_code == 422 and bare.json()["error"]["code"] == "invalid_value"
    assert desk.post("erin", f"{s}/reviews", {"decision": "reject", "reason": "thin"}).is_success
    review = desk.get("erin", s).json()["reviews"][0]
    assert review["decision"] == "reject" and review["reason"] == "thin"
    too_soon = desk.post("eddie", f"{s}/publish", {"channels": ["tv"]})
    assert too_soon.status_code == 409 and too_soon.json()["error"]["code"] == "review_rule_broken"


def test_a_retried_request_returns_the_first_answer(client: httpx.Client, staff: Staff) -> None:
    desk = Desk(client, staff)
    body = {"title": "Bridge", "location": PLACE}
    first = desk.post("dana", "/api/assignments", body, Idempotency_Key="plan-bridge-1")
    before = desk.head()
    again = desk.post("dana", "/api/assignments", body, Idempotency_Key="plan-bridge-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert desk.head() == before
    reused = desk.post(
        "dana", f"/api/assignments/{first.json()['id']}/close", Idempotency_Key="plan-bridge-1"
    )
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    bad = desk.post("dana", "/api/assignments", body, Idempotency_Key="x" * 200)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_header"


def test_a_stale_version_is_refused_naming_the_current_one(
    client: httpx.Client, staff: Staff
) -> None:
    desk = Desk(client, staff)
    s = desk.draft("rui", "Harvest", "v1")
    text = {"title": "Harvest", "body": "v2"}
    assert desk.put("rui", s, text, If_Match='W/"1"').status_code == 200
    stale = desk.put("rui", s, {"title": "Harvest", "body": "v3"}, If_Match="1")
    assert stale.status_code == 412
    error = stale.json()["error"]
    assert error["code"] == "version_conflict" and error["current_version"] == 2
    assert "version 2" in error["message"]
    missing = desk.put("rui", s, text)
    assert missing.status_code == 428 and missing.json()["error"]["code"] == "if_match_required"
    assert desk.put("rui", s, text, If_Match="yesterday").status_code == 400
    assignment = desk.plan()
    late = desk.post(
        "dana", f"/api/assignments/{assignment}/cancel", {"reason": "x"}, If_Match='"7"'
    )
    assert late.status_code == 412 and late.json()["error"]["current_version"] == 1
    assert desk.get("rui", s).headers["etag"] == '"2"'


def test_unknown_and_malformed_ids_are_not_found(client: httpx.Client, staff: Staff) -> None:
    desk = Desk(client, staff)
    unknown = "/api/assignments/0b4f9c0e-27a9-4c59-9a2e-6f1bfa7d3a11"
    for path in (unknown, "/api/assignments/not-an-id", "/api/stories/42"):
        response = desk.get("dana", path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert desk.post("dana", f"{unknown}/close").status_code == 404
    assert desk.post("rui", "/api/stories/nope/submit").status_code == 404
    assert desk.post("tess", "/api/outputs/nope/start").status_code == 404
    nobody = desk.post("dana", f"/api/assignments/{desk.plan()}/assign", {"reporter": "ghost"})
    assert nobody.status_code == 404 and "ghost" in nobody.json()["error"]["message"]


def test_the_wall_token_cannot_write(client: httpx.Client, staff: Staff) -> None:
    desk = Desk(client, staff)
    a = f"/api/assignments/{desk.plan()}"
    for path, body in (
        ("/api/assignments", {"title": "x", "location": PLACE}),
        (f"{a}/cancel", {"reason": "x"}),
        ("/api/commands", {"to": "rui", "text": "x"}),
        ("/api/users/wally/tokens", {}),
    ):
        refused = desk.post("wally", path, body)
        assert refused.status_code == 403, path
        assert refused.json()["error"]["code"] == "read_only"
    assert desk.get("wally", "/api/wall").status_code == 200


def test_bodies_are_json_of_the_right_shape(client: httpx.Client, staff: Staff) -> None:
    token = bearer(staff, "dana")
    json_type = {**token, "Content-Type": "application/json"}
    broken = client.post("/api/assignments", content=b"{oops", headers=json_type)
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "bad_json"
    form = client.post("/api/assignments", data={"title": "x"}, headers=token)
    assert form.status_code == 415
    big = client.post("/api/assignments", content=b"[" + b"1," * 600_000 + b"1]", headers=json_type)
    assert big.status_code == 413
    wrong = client.post(
        "/api/assignments",
        json={"title": "", "location": {"name": "x", "lat": 95, "lon": 0}, "priority": "now"},
        headers=token,
    )
    assert wrong.status_code == 422
    fields = {f["field"] for f in wrong.json()["error"]["fields"]}
    assert fields == {"title", "location.lat", "priority"}
    extra = client.post(
        "/api/assignments", json={"title": "x", "location": PLACE, "colour": "red"}, headers=token
    )
    assert extra.status_code == 422 and extra.json()["error"]["fields"][0]["field"] == "colour"
    naive = client.post(
        "/api/assignments",
        json={"title": "x", "location": PLACE, "due": "2026-11-23T16:00:00"},
        headers=token,
    )
    assert naive.status_code == 422


def test_a_signed_in_page_writes_with_the_csrf_token(client: httpx.Client, staff: Staff) -> None:
    login = client.post("/api/login", json={"name": "dana", "password": "dana-password"})
    body = {"title": "From the console", "location": PLACE}
    refused = client.post("/api/assignments", json=body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    assert client.post("/api/assignments", json=body, headers=csrf).status_code == 201


def test_commands_to_people_and_their_acknowledgement(client: httpx.Client, staff: Staff) -> None:
    desk = Desk(client, staff)
    sent = desk.post("dana", "/api/commands", {"to": "rui", "text": "Go live at 14:00"})
    assert sent.status_code == 201
    command = sent.json()["id"]
    assert [c["id"] for c in desk.get("rui", "/api/commands").json()["commands"]] == [command]
    assert desk.get("lin", "/api/commands").json()["commands"] == []
    assert len(desk.get("dana", "/api/commands").json()["commands"]) == 1
    assert desk.post("lin", f"/api/commands/{command}/ack").status_code == 403
    assert desk.post("rui", f"/api/commands/{command}/ack").status_code == 200
    assert desk.get("rui", "/api/commands").json()["commands"] == []
    again = desk.post("rui", f"/api/commands/{command}/ack")
    assert again.status_code == 409 and again.json()["error"]["code"] == "rule_broken"


def test_sources_and_outputs(client: httpx.Client, staff: Staff) -> None:
    desk = Desk(client, staff)
    phone = desk.post(
        "tess", "/api/sources", {"name": "rui-phone", "kind": "phone", "owner": "rui"}
    )
    assert phone.status_code == 201 and phone.json()["token"].startswith("hub_")
    truck = desk.post("dana", "/api/sources", {"name": "truck-1", "kind": "truck"})
    assert truck.status_code == 201
    taken = desk.post("tess", "/api/sources", {"name": "truck-1", "kind": "truck"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "already_exists"
    output = {"name": "main", "source": "truck-1", "backup": "rui-phone", "slate_text": "稍后"}
    assert desk.post("tess", "/api/outputs", output).status_code == 201
    assert desk.post("dana", "/api/outputs", output).status_code == 403
    assert desk.post("dana", "/api/outputs/main/start").status_code == 200
    switched = desk.post("dana", "/api/outputs/main/switch", {"source": "rui-phone"})
    assert switched.status_code == 200
    assert desk.post("tess", "/api/outputs/main/backup", {"backup": None}).status_code == 200
    outputs = desk.get("wally", "/api/outputs").json()["outputs"]
    assert outputs[0]["source"] == "rui-phone" and outputs[0]["backup"] is None
    assert outputs[0]["hls"] == "/hls/main/index.m3u8" and outputs[0]["state"] == "running"
    # Nothing is live: the running output says so and shows the slate rather than go dark.
    for _ in range(100):
        outputs = desk.get("wally", "/api/outputs").json()["outputs"]
        if outputs[0]["on_air"] == "slate":
            break
        time.sleep(0.1)
    assert outputs[0]["on_air"] == "slate" and outputs[0]["failed_over"] is True
    sources = {s["id"]: s for s in desk.get("wally", "/api/sources").json()["sources"]}
    assert sources["rui-phone"]["who"] == "rui" and sources["truck-1"]["state"] == "idle"
    assert desk.post("tess", "/api/outputs/main/stop", {}).status_code == 200


def test_control_characters_never_reach_the_store(client: httpx.Client, staff: Staff) -> None:
    """A NUL cannot be kept in PostgreSQL text (the audit timeline): it is refused at the door."""
    desk = Desk(client, staff)
    for title in ("a\u0000b", "line\nbreak", "bell\u0007"):
        refused = desk.post("dana", "/api/assignments", {"title": title, "location": PLACE})
        assert refused.status_code == 422, repr(title)
        assert refused.json()["error"]["fields"][0]["field"] == "title"
    brief = {"title": "ok", "brief": "two\nlines\tfine", "location": PLACE}
    assert desk.post("dana", "/api/assignments", brief).status_code == 201
    audit = client.get("/api/audit?actor=%00", headers=bearer(staff, "audrey"))
    assert audit.status_code == 400
    assert client.get("/api/health").json()["status"] == "ok"
