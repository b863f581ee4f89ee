"""The 舆情 webhook (Standard Webhooks) and the warning's way through the API, on both stores:
signed Chinese items taken once, a red one on the wall, acknowledged by the person on duty and
turned into an assignment in one step; a bad signature or body stores nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from standardwebhooks import Webhook

from tests.conftest import Staff
from tests.web.conftest import bearer

ITEMS = {
    "items": [
        {"url": "https://weibo.example/1", "title": "城关镇化工厂爆炸", "text": "浓烟滚滚"},
        {"url": "https://weibo.example/2", "title": "<script>alert(1)</script>县里丰收节"},
    ]
}


def signed(secret: str, body: bytes) -> dict[str, str]:
    msg_id = f"msg_{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, now, body),
        "Content-Type": "application/json",
    }


def setup(client: httpx.Client, staff: Staff) -> str:
    dora = bearer(staff, "dora")
    added = client.post(
        "/api/opinion/feeds", json={"name": "monitor", "kind": "webhook"}, headers=dora
    )
    assert added.status_code == 201, added.text
    rule = {"name": "安全事故", "level": "red", "terms": ["爆炸"]}
    assert client.post("/api/opinion/rules", json=rule, headers=dora).status_code == 201
    start = datetime.now(UTC) - timedelta(minutes=1)
    shift = {
        "start": start.isoformat(),
        "end": (start + timedelta(hours=8)).isoformat(),
        "on_duty": ["eddie"],
        "leader": "chen",
    }
    assert client.post("/api/duty/shifts", json=shift, headers=dora).status_code == 201
    secret = client.get("/api/opinion/feeds/monitor/secret", headers=dora)
    assert secret.status_code == 200, secret.text
    return str(secret.json()["secret"])


def test_signed_items_are_taken_once_graded_acknowledged_and_assigned(
    client: httpx.Client, staff: Staff
) -> None:
    secret = setup(client, staff)
    body = json.dumps(ITEMS, ensure_ascii=False).encode()
    # The first item loads jieba's dictionary and snownlp's model (seconds on a busy machine).
    taken = client.post(
        "/api/opinion/webhook/monitor", content=body, headers=signed(secret, body), timeout=300
    )
    assert taken.status_code == 200, taken.text
    results = taken.json()["items"]
    assert [(r["result"], r["level"]) for r in results] == [
        ("collected", "red"),
        ("collected", None),
    ]
    again = client.post("/api/opinion/webhook/monitor", content=body, headers=signed(secret, body))
    assert [r["result"] for r in again.json()["items"]] == ["seen", "seen"]
    red = results[0]["item"]

    desk = client.get("/api/opinion", headers=bearer(staff, "eddie")).json()
    assert [w["id"] for w in desk["warnings"]] == [red]
    assert desk["items"][0]["title"] == "<script>alert(1)</script>县里丰收节"  # text, kept as sent
    wall = client.get("/api/wall", headers=bearer(staff, "wally")).json()
    assert wall["warnings"][red]["level"] == "red"
    assert any(a["msg"] == "{level} opinion warning: {title}" for a in wall["alerts"])

    refused = client.post(f"/api/opinion/warnings/{red}/ack", headers=bearer(staff, "dana"))
    assert refused.status_code == 403
    assert "dana is not on duty" in refused.json()["error"]["message"]
    acked = client.post(f"/api/opinion/warnings/{red}/ack", headers=bearer(staff, "eddie"))
    assert acked.status_code == 200, acked.text

    place = {"name": "城关镇化工厂", "lat": 30.1, "lon": 120.2}
    headers = {**bearer(staff, "dana"), "Idempotency-Key": "warn-1"}
    made = client.post(
        f"/api/opinion/warnings/{red}/assignment", json={"location": place}, headers=headers
    )
    assert made.status_code == 200, made.text
    retried = client.post(
        f"/api/opinion/warnings/{red}/assignment", json={"location": place}, headers=headers
    )
    assert retried.json()["assignment"] == made.json()["assignment"]
    assignment = client.get(
        f"/api/assignments/{made.json()['assignment']}", headers=bearer(staff, "dana")
    ).json()
    assert (assignment["title"], assignment["priority"]) == ("城关镇化工厂爆炸", "urgent")
    topic = client.post(
        f"/api/opinion/warnings/{red}/topic",
        json={"day": "2026-12-08"},
        headers=bearer(staff, "rui"),
    )
    assert topic.status_code == 200, topic.text
    proposed = client.get("/api/topics?day=2026-12-08", headers=bearer(staff, "dora")).json()
    assert [t["title"] for t in proposed["topics"]] == ["城关镇化工厂爆炸"]
    once = client.post(
        f"/api/opinion/warnings/{red}/assignment",
        json={"location": place},
        headers=bearer(staff, "dana"),
    )
    assert once.status_code == 409


def test_a_bad_signature_or_body_stores_nothing(client: httpx.Client, staff: Staff) -> None:
    secret = setup(client, staff)
    body = json.dumps(ITEMS).encode()
    forged = signed("whsec_" + "A" * 44, body)
    refused = client.post("/api/opinion/webhook/monitor", content=body, headers=forged)
    assert refused.status_code == 401
    tampered = signed(secret, body)
    refused = client.post("/api/opinion/webhook/monitor", content=body + b" ", headers=tampered)
    assert refused.status_code == 401
    junk = b'{"items": [{"title": "no url"}]}'
    assert (
        client.post(
            "/api/opinion/webhook/monitor", content=junk, headers=signed(secret, junk)
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/opinion/webhook/nobody", content=body, headers=signed(secret, body)
        ).status_code
        == 404
    )
    desk = client.get("/api/opinion", headers=bearer(staff, "eddie")).json()
    assert desk["items"] == []
