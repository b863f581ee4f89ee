"""Products over HTTP on both stores: 三审 on the exact content, 409 naming the product."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import pytest

from events.product import product_id
from events.roles import SYSTEM_ACTOR
from hub.commands.people import RegisterUser
from hub.newsroom import Request
from tests.conftest import Staff, capture_of
from tests.web.test_api_commands import Desk


@pytest.fixture
def admin(staff: Staff) -> str:
    """An admin, registered before the hub starts (ask for it before `client`)."""
    done = staff.newsroom.handle(
        Request(SYSTEM_ACTOR, staff.clock.tick(1)), RegisterUser(name="ada", roles=["admin"])
    )
    staff.tokens["ada"] = done.extra["token"]
    return "ada"


def capture(staff: Staff, name: str, content_type: str, sha: str, **details: Any) -> str:
    details = {"path": f"uploads/{name}", **details}
    upload = capture_of(name, content_type, size=10, sha256=sha * 64, details=details)
    return str(staff.newsroom.handle(staff.req("rui"), upload).id)


def story(desk: Desk) -> str:
    made = desk.post("eddie", "/api/stories", {"title": "Harvest festival", "body": "Crowds."})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def approve_all(desk: Desk, pid: str) -> None:
    for reviewer in ("erin", "dora", "chen"):
        answer = desk.post(reviewer, f"/api/products/{pid}/reviews", {"decision": "approve"})
        assert answer.status_code == 200, answer.text


def test_an_edit_after_approval_blocks_publication(client: httpx.Client, staff: Staff) -> None:
    desk = Desk(client, staff)
    photo = capture(staff, "crowd.jpg", "image/jpeg", "a")
    sid = story(desk)
    body = {"title": "Harvest", "body": "Crowds came.", "cover": photo}
    made = desk.post("eddie", f"/api/stories/{sid}/products", {"channel": "wechat", **body})
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    assert pid == str(product_id(UUID(sid), "wechat"))
    assert made.headers["location"] == f"/api/products/{pid}"
    again = desk.post("erin", f"/api/stories/{sid}/products", {"channel": "wechat", **body})
    assert again.status_code == 409, again.text
    weibo = desk.post("eddie", f"/api/stories/{sid}/products", {"channel": "weibo", "title": "H"})
    assert weibo.status_code == 201, weibo.text
    for product in (pid, weibo.json()["id"]):
        assert desk.post("eddie", f"/api/products/{product}/submit").status_code == 200
        approve_all(desk, product)

    detail = desk.get("eddie", f"/api/products/{pid}")
    assert detail.status_code == 200, detail.text
    version = detail.headers["etag"].strip('"')
    digest = detail.json()["digest"]
    assert [a["digest"] for a in detail.json()["approvals"]] == [digest] * 3
    edited = desk.put(
        "eddie", f"/api/products/{pid}", {**body, "body": "Crowds came early."}, If_Match=version
    )
    assert edited.status_code == 200, edited.text
    stale = desk.put("erin", f"/api/products/{pid}", body, If_Match=version)
    assert stale.status_code == 412, stale.text

    refused = desk.post("chen", f"/api/products/{pid}/publish")
    assert refused.status_code == 409, refused.text
    message = refused.json()["error"]["message"]
    assert f"product {pid} (WeChat, 'Harvest') may not go out" in message
    assert desk.post("chen", f"/api/products/{weibo.json()['id']}/publish").status_code == 200

    approve_all(desk, pid)
    published = desk.post("chen", f"/api/products/{pid}/publish")
    assert published.status_code == 200, published.text
    matrix = desk.get("eddie", "/api/matrix").json()
    cells = next(s for s in matrix["stories"] if s["id"] == sid)["products"]
    assert cells["wechat"]["state"] == "published" and cells["weibo"]["state"] == "published"


def test_the_fast_track_and_a_schedule(client: httpx.Client, staff: Staff) -> None:
    desk = Desk(client, staff)
    clip = capture(staff, "clip.mp4", "video/mp4", "b", lineage={"crop": "9:16"})
    sid = story(desk)
    body = {"channel": "douyin", "title": "Harvest", "media": [clip]}
    pid = desk.post("eddie", f"/api/stories/{sid}/products", body).json()["id"]
    refused = desk.post("dora", f"/api/products/{pid}/fast-track", {"reason": "breaking"})
    assert refused.status_code == 403, refused.text
    fast = desk.post("chen", f"/api/products/{pid}/fast-track", {"reason": "breaking news"})
    assert fast.status_code == 200, fast.text
    when = "2030-01-01T08:00:00+08:00"
    scheduled = desk.post("eddie", f"/api/products/{pid}/schedule", {"publish_at": when})
    assert scheduled.status_code == 200, scheduled.text
    detail = desk.get("eddie", f"/api/products/{pid}").json()
    assert detail["state"] == "scheduled" and detail["publish_at"] == "2030-01-01T00:00:00Z"
    assert detail["fast_track"]["reason"] == "breaking news"
    cancel = desk.post("eddie", f"/api/products/{pid}/unschedule", {"reason": "held back"})
    assert cancel.status_code == 200, cancel.text


def test_an_admin_sets_a_channels_limits(admin: str, client: httpx.Client, staff: Staff) -> None:
    desk = Desk(client, staff)
    answer = desk.get("eddie", "/api/channels")
    assert answer.status_code == 200, answer.text
    weibo = next(c for c in answer.json()["channels"] if c["id"] == "weibo")
    assert weibo["title_max"] == 60 and weibo["body_max"] == 2000
    sid = story(desk)
    assert (
        desk.post(
            "eddie", f"/api/stories/{sid}/products", {"channel": "weibo", "title": "x" * 21}
        ).status_code
        == 201
    )
    assert (
        desk.put("eddie", "/api/channels/radio", {"title_max": 20, "body_max": 10}).status_code
        == 403
    )
    ok = desk.put("ada", "/api/channels/radio", {"title_max": 20, "body_max": 100})
    assert ok.status_code == 200, ok.text
    long = desk.post(
        "eddie", f"/api/stories/{sid}/products", {"channel": "radio", "title": "x" * 21}
    )
    assert long.status_code == 422, long.text
    unknown = desk.put("ada", "/api/channels/fax", {"title_max": 20, "body_max": 100})
    assert unknown.status_code == 404, unknown.text
