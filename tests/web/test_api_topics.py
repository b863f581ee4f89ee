"""The topic meeting and the evaluation over HTTP (SQLite and PostgreSQL): propose, decide and
make assignments; the minutes as Markdown and CSV; the evaluation, its CSV, and `at`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import httpx

from tests.conftest import Staff
from tests.web.conftest import bearer

DAY = "2026-12-07"
PLACE = {"name": "levee", "lat": 30.0, "lon": 120.0}


def test_a_meeting_over_http_with_its_minutes_to_download(
    client: httpx.Client, staff: Staff
) -> None:
    rui, chen = bearer(staff, "rui"), bearer(staff, "chen")
    made = client.post(
        "/api/topics",
        json={"title": '=HYPERLINK("x")', "channels": ["tv"], "day": DAY, "angle": "*who* pays"},
        headers=rui,
    )
    assert made.status_code == 201, made.text
    topic = made.json()["id"]
    assert made.headers["location"] == f"/api/topics/{topic}"
    assert (
        client.post(
            f"/api/topics/{topic}/decision", json={"decision": "approve"}, headers=chen
        ).status_code
        == 422
    )
    decided = client.post(
        f"/api/topics/{topic}/decision",
        json={"decision": "approve", "reason": "a *strong* angle"},
        headers=chen,
    )
    assert decided.status_code == 200, decided.text
    again = client.post(
        f"/api/topics/{topic}/decision", json={"decision": "drop", "reason": "no"}, headers=chen
    )
    assert again.status_code == 409 and "decided already" in again.json()["error"]["message"]
    key = {"Idempotency-Key": "meeting-7", **chen}
    body = {"assignments": [{"location": PLACE, "reporter": "rui"}]}
    first = client.post(f"/api/topics/{topic}/assignments", json=body, headers=key)
    second = client.post(f"/api/topics/{topic}/assignments", json=body, headers=key)
    assert first.status_code == second.status_code == 200, first.text
    assert first.json()["assignments"] == second.json()["assignments"]
    mine = client.get("/api/assignments", headers=rui).json()["assignments"]
    assert [a["id"] for a in mine] == first.json()["assignments"]

    held = client.get(f"/api/topics?day={DAY}", headers=chen).json()
    assert held["minutes"][0]["reason"] == "a *strong* angle"
    assert held["minutes"][0]["assignments"][0]["reporter"] == "rui"
    md = client.get(f"/api/topics/minutes?day={DAY}&format=md", headers=chen)
    assert md.headers["content-type"].startswith("text/markdown")
    assert "a \\*strong\\* angle" in md.text
    sheet = client.get(f"/api/topics/minutes?day={DAY}&format=csv", headers=chen)
    rows = list(csv.reader(io.StringIO(sheet.text)))
    assert rows[1][2] == '\'=HYPERLINK("x")'  # a cell is never a formula
    assert client.get("/api/topics/mine", headers=rui).json()["topics"][0]["state"] == "approved"
    assert client.get("/api/topics?day=7-12-2026", headers=chen).status_code == 400


def test_the_evaluation_of_a_period_now_and_as_it_was(client: httpx.Client, staff: Staff) -> None:
    chen = bearer(staff, "chen")
    today = datetime.now(UTC).date().isoformat()
    before = client.get("/api/evaluation", headers=chen).json()
    rule = {"channels": {"tv": 7}, "capture": 2, "desks": {"新闻部": ["rui"]}, "reason": "ours"}
    assert client.put("/api/evaluation/rule", json=rule, headers=chen).status_code == 200
    now = client.get(f"/api/evaluation?start=2000-01-01&end={today}", headers=chen).json()
    assert now["rule"]["channels"]["tv"] == 7 and now["rule"]["capture"] == 2
    assert [d["name"] for d in now["desks"]] == ["新闻部"]
    then = client.get(
        f"/api/evaluation?start=2000-01-01&end={today}&at={before['position']}", headers=chen
    ).json()
    assert then["rule"]["channels"]["tv"] == 10 and then["desks"] == []
    sheet = client.get(f"/api/evaluation/export?start=2000-01-01&end={today}", headers=chen)
    assert sheet.headers["content-type"].startswith("text/csv")
    assert next(csv.reader(io.StringIO(sheet.text)))[:3] == ["kind", "name", "assignments_done"]
    assert (
        client.get("/api/evaluation?start=2026-12-08&end=2026-12-01", headers=chen).status_code
        == 400
    )
    assert client.get("/api/evaluation?at=yesterday", headers=chen).status_code == 400
    bad = {"channels": {"tv": -1}, "reason": "x"}
    assert client.put("/api/evaluation/rule", json=bad, headers=chen).status_code == 422
