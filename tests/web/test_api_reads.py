"""GET /api/wall (now and replayed) and GET /api/events, through the real application."""

from __future__ import annotations

import httpx

from tests.conftest import Staff


def auth(staff: Staff, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff.tokens[name]}"}


def test_the_wall_needs_a_token(client: httpx.Client, staff: Staff) -> None:
    response = client.get("/api/wall")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    wrong = client.get("/api/wall", headers={"Authorization": "Bearer hub_nope"})
    assert wrong.status_code == 401


def test_the_wall_now_and_as_it_was(client: httpx.Client, staff: Staff) -> None:
    now = client.get("/api/wall", headers=auth(staff, "wally"))
    assert now.status_code == 200
    body = now.json()
    assert body["replay"] is False and set(body["people"]) == {"rui", "lin"}
    earlier = client.get("/api/wall?at=3", headers=auth(staff, "wally")).json()
    assert earlier["replay"] is True and earlier["position"] == 3 and earlier["people"] == {}
    before_all = client.get("/api/wall?at=2001-01-01T00:00:00Z", headers=auth(staff, "wally"))
    assert before_all.json()["position"] == 0
    bad = client.get("/api/wall?at=soon", headers=auth(staff, "wally"))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_parameter"


def test_the_event_log_pages(client: httpx.Client, staff: Staff) -> None:
    first = client.get("/api/events?limit=5", headers=auth(staff, "audrey")).json()
    assert [e["position"] for e in first["events"]] == [1, 2, 3, 4, 5]
    event = first["events"][0]
    assert event["type"] == "User.Registered" and event["actor"] == "hub"
    assert len(event["hash"]) == 64 and event["version"] == 1
    assert first["events"][1]["payload"]["password_hash"] == "(hidden)"
    second = client.get(
        f"/api/events?after={first['next_after']}&limit=5", headers=auth(staff, "audrey")
    ).json()
    assert second["events"][0]["position"] == 6
    for bad in ("limit=0", "limit=5000", "after=-1", "after=x"):
        response = client.get(f"/api/events?{bad}", headers=auth(staff, "audrey"))
        assert response.status_code == 400, bad


def test_health_needs_no_token(client: httpx.Client, staff: Staff) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["log_position"] >= 30
