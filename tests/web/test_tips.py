"""The public tip form and tracking page, photos over tus, the signed webhook, Open311 and the
CSV import, against a real hub on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from events.roles import SYSTEM_ACTOR
from hub.cli import main as hub_cli
from hub.commands.leads import AddDepartment
from hub.config import Settings
from hub.intake import IntakeSources
from hub.newsroom import Request
from tests.conftest import Staff
from tests.web.conftest import bearer
from tests.web.server import serving
from web.app import create_app
from web.tip_uploads import KEEP_UNSENT, sweep
from web.upload_files import UploadFiles

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200
TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture
def site(settings: Settings, staff: Staff) -> Iterator[httpx.Client]:
    """A hub with a department and a sending system ("hotline"), read in English."""
    staff.newsroom.handle(
        Request(SYSTEM_ACTOR, staff.clock.tick()), AddDepartment(name="县住建局", contacts="王")
    )
    with (
        serving(create_app(settings)) as url,
        httpx.Client(base_url=url, headers={"Accept-Language": "en"}) as client,
    ):
        yield client


def form_token(client: httpx.Client) -> str:
    page = client.get("/tip")
    assert page.status_code == 200
    found = re.search(r'name="form" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def send_tip(client: httpx.Client, **fields: str) -> httpx.Response:
    data = {"form": form_token(client), "kind": "complaint", "text": "路灯坏了", **fields}
    return client.post("/tip", data=data)


def lead_count(client: httpx.Client, staff: Staff) -> int:
    found = client.get("/api/leads?state=received", headers=bearer(staff, "dana"))
    assert found.status_code == 200, found.text
    return len(found.json()["leads"])


def test_a_tip_answers_a_tracking_code_whose_page_shows_it_as_text(
    site: httpx.Client, staff: Staff
) -> None:
    sent = send_tip(site, text=HOSTILE, contact="13800000000", place="<b>东街</b>")
    assert sent.status_code == 303
    tracking = sent.headers["location"]
    assert re.fullmatch(r"/tip/[2-9A-Z]{4}(-[2-9A-Z]{4}){3}\?sent=1", tracking)
    page = site.get(tracking)
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert "13800000000" not in page.text
    assert page.headers["cache-control"] == "no-store"
    code = tracking.split("/")[2].split("?")[0]
    assert site.get(f"/tip/{code.lower().replace('-', '')}").status_code == 200
    assert site.get("/tip/2222-2222-2222-2222").status_code == 404
    assert site.get("/tip/<script>").status_code == 404
    [lead] = site.get("/api/leads", headers=bearer(staff, "dana")).json()["leads"]
    assert lead["text"] == HOSTILE and lead["contact"] == "13800000000"


@pytest.mark.parametrize(
    "fields",
    [
        {"text": ""},
        {"text": "x" * 5001},
        {"kind": "spam"},
        {"lat": "91", "lon": "0"},
        {"text": "a\x00b"},
        {"attachments": "0123456789abcdef0123456789abcdef"},
        {"form": "forged"},
        {"form": ""},
    ],
)
def test_bad_input_is_refused_and_stores_nothing(
    site: httpx.Client, staff: Staff, fields: dict[str, str]
) -> None:
    refused = send_tip(site, **fields)
    assert 400 <= refused.status_code < 500
    assert lead_count(site, staff) == 0


def test_one_form_sent_twice_makes_one_lead_and_an_address_is_limited(
    site: httpx.Client, staff: Staff
) -> None:
    token = form_token(site)
    data = {"form": token, "kind": "tip", "text": "桥面裂缝"}
    first, again = site.post("/tip", data=data), site.post("/tip", data=data)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    for _ in range(3):
        assert send_tip(site).status_code == 303
    limited = send_tip(site)
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert lead_count(site, staff) == 4


def upload(client: httpx.Client, content: bytes, filetype: str = "image/jpeg") -> httpx.Response:
    meta = f"filetype {base64.b64encode(filetype.encode()).decode()}"
    created = client.post(
        "/tip/uploads",
        headers={**TUS, "Upload-Length": str(len(content)), "Upload-Metadata": meta},
    )
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    headers = {**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
    sent = client.patch(url, content=content, headers=headers)
    sent.headers["x-upload-url"] = url
    return sent


def test_a_photo_goes_with_the_tip_and_is_served_inert_to_the_desk(
    site: httpx.Client, staff: Staff
) -> None:
    done = upload(site, JPEG)
    assert done.status_code == 204
    photo = done.headers["x-upload-url"].rsplit("/", 1)[1]
    page = upload(site, b"<html><script>alert(1)</script></html>", "image/png")
    assert page.status_code == 422
    assert site.head(page.headers["x-upload-url"], headers=TUS).status_code == 410
    too_big = site.post("/tip/uploads", headers={**TUS, "Upload-Length": str(51 * 1024**2)})
    assert too_big.status_code == 413
    assert send_tip(site, attachments=photo).status_code == 303
    [lead] = site.get("/api/leads", headers=bearer(staff, "dana")).json()["leads"]
    [attached] = lead["attachments"]
    assert attached["content_type"] == "image/jpeg" and attached["size"] == len(JPEG)
    served = site.get(f"/api/leads/{lead['id']}/files/{photo}", headers=bearer(staff, "eddie"))
    assert served.status_code == 200 and served.content == JPEG
    assert served.headers["content-security-policy"].startswith("sandbox")
    assert served.headers["x-content-type-options"] == "nosniff"
    assert site.get(f"/api/leads/{lead['id']}/files/{photo}").status_code == 401


def test_the_desk_routes_a_tip_and_the_answer_reaches_the_tracking_page(
    site: httpx.Client, staff: Staff
) -> None:
    code = send_tip(site).headers["location"].split("/")[2].split("?")[0]
    [lead] = site.get("/api/leads", headers=bearer(staff, "dana")).json()["leads"]
    routed = site.post(
        f"/api/leads/{lead['id']}/route",
        json={"department": "县住建局", "due": "2099-01-01T00:00:00+08:00", "note": "内部备注"},
        headers=bearer(staff, "dana"),
    )
    assert routed.status_code == 200, routed.text
    answer = site.post(
        f"/api/leads/{lead['id']}/answer",
        json={"answer": "已修复 <b>谢谢</b>"},
        headers=bearer(staff, "eddie"),
    )
    assert answer.status_code == 200, answer.text
    page = site.get(f"/tip/{code}?lang=zh")
    assert "县住建局" in page.text and "已修复 &lt;b&gt;谢谢&lt;/b&gt;" in page.text
    assert "内部备注" not in page.text and "dana" not in page.text and "eddie" not in page.text
    [row] = site.get("/api/leads/rates", headers=bearer(staff, "chen")).json()["rates"]
    assert row["department"] == "县住建局" and row["reply_rate"] == 1.0
    assert site.get("/api/leads/rates", headers=bearer(staff, "rui")).status_code == 403


def signed(secret: str, body: bytes, msg_id: str) -> dict[str, str]:
    stamp = int(time.time())
    from datetime import UTC, datetime

    signature = Webhook(secret).sign(msg_id, datetime.fromtimestamp(stamp, UTC), body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def test_the_webhook_takes_signed_deliveries_once_each(
    site: httpx.Client, staff: Staff, clock: object
) -> None:
    secret = IntakeSources(staff.newsroom.store).add("hotline", staff.clock.now)
    body = json.dumps(
        {"type": "lead.created", "data": {"id": "12345-001", "kind": "complaint", "text": "噪音"}},
        ensure_ascii=False,
    ).encode()
    first = site.post("/api/intake/hotline", content=body, headers=signed(secret, body, "m1"))
    assert first.status_code == 201, first.text
    again = site.post("/api/intake/hotline", content=body, headers=signed(secret, body, "m2"))
    assert again.status_code == 200 and again.json() == {
        "id": first.json()["id"],
        "duplicate": True,
    }
    tampered = body.replace("噪音".encode(), "改过".encode())
    assert tampered != body
    bad = site.post("/api/intake/hotline", content=tampered, headers=signed(secret, body, "m3"))
    assert bad.status_code == 401
    other = site.post("/api/intake/nobody", content=body, headers=signed(secret, body, "m4"))
    assert other.status_code == 401
    old = signed(secret, body, "m5") | {"webhook-timestamp": str(int(time.time()) - 3600)}
    assert site.post("/api/intake/hotline", content=body, headers=old).status_code == 401
    unfit = json.dumps({"data": {"id": "x", "text": ""}}).encode()
    refused = site.post("/api/intake/hotline", content=unfit, headers=signed(secret, unfit, "m6"))
    assert refused.status_code == 422
    assert lead_count(site, staff) == 1


def test_open311_round_trip(site: httpx.Client, staff: Staff) -> None:
    services = site.get("/open311/v2/services.json").json()
    assert [s["service_code"] for s in services] == ["tip", "complaint", "question"]
    made = site.post(
        "/open311/v2/requests.json",
        data={
            "service_code": "complaint",
            "lat": "30.25",
            "long": "120.17",
            "description": HOSTILE,
            "email": "a@example.org",
        },
    )
    assert made.status_code == 200, made.text
    [answer] = made.json()
    code = answer["service_request_id"]
    [status] = site.get(f"/open311/v2/requests/{code}.json").json()
    assert status["status"] == "open" and status["description"] == HOSTILE
    assert "a@example.org" not in json.dumps(status)
    [lead] = site.get("/api/leads", headers=bearer(staff, "dana")).json()["leads"]
    assert lead["channel"] == "open311" and lead["contact"] == "a@example.org"
    site.post(
        f"/api/leads/{lead['id']}/answer", json={"answer": "已处理"}, headers=bearer(staff, "dana")
    )
    [status] = site.get(f"/open311/v2/requests/{code}.json").json()
    assert status["status"] == "closed" and status["status_notes"] == "已处理"
    missing = site.get("/open311/v2/requests/2222-2222-2222-2222.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    nowhere = site.post(
        "/open311/v2/requests.json", data={"service_code": "tip", "description": "x"}
    )
    assert nowhere.status_code == 400 and "description" in nowhere.json()[0]
    unknown = site.post(
        "/open311/v2/requests.json",
        data={"service_code": "tip", "description": "x", "lat": "1", "long": "2", "api_key": "k"},
    )
    assert unknown.status_code == 403
    assert lead_count(site, staff) == 0  # the one made is answered by now
    key = IntakeSources(staff.newsroom.store).add("fixmystreet", staff.clock.now)
    keyed = site.post(
        "/open311/v2/requests.json",
        data={
            "service_code": "tip",
            "description": "井盖缺失",
            "address_string": "西街",
            "api_key": key,
        },
    )
    assert keyed.status_code == 200, keyed.text
    [lead] = site.get("/api/leads?state=received", headers=bearer(staff, "dana")).json()["leads"]
    assert (lead["source"], lead["location"]["name"]) == ("fixmystreet", "西街")


def test_importing_a_csv_twice_makes_one_lead_each(
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    staff: Staff,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HUB_DATA_DIR", str(settings.data_dir))
    export = tmp_path / "hotline.csv"
    export.write_text(
        "id,kind,text,contact,place,lat,lon\n"
        "A-1,投诉,噪音扰民,139,东街,30.1,120.1\n"
        "A-2,咨询,<b>医保</b>怎么办,,,,\n"
        "A-3,tip,,,,,\n",
        encoding="utf-8",
    )
    assert hub_cli(["leads", "import", str(export), "--source", "hotline"]) == 1  # A-3 refused
    assert hub_cli(["leads", "import", str(export), "--source", "hotline"]) == 1
    from hub.readmodels import ReadModels

    models = ReadModels(staff.newsroom)
    models.start()
    leads = models.models.leads.leads()
    assert sorted(lead["source_ref"] for lead in leads) == ["A-1", "A-2"]
    assert {lead["channel"] for lead in leads} == {"csv"}
    out = capsys.readouterr()
    assert "2 new, 0 known already, 1 refused" in out.out
    assert "0 new, 2 known already, 1 refused" in out.out and "line 4" in out.err
    assert hub_cli(["leads", "source", "hotline"]) == 0
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert IntakeSources(staff.newsroom.store).secret_of("hotline") == secret
    assert secret.startswith("whsec_")


def test_uploads_no_lead_names_are_swept_after_a_day(tmp_path: Path) -> None:
    files = UploadFiles(tmp_path / "tips")
    made = [
        files.create(
            owner="public", length=4, filename="tip", filetype="", assignment=None, metadata=""
        )
        for _ in range(3)
    ]
    for upload in made:
        files.data_path(upload.id).write_bytes(JPEG[:4])
    kept, sent, fresh = made
    day_ago = time.time() - KEEP_UNSENT - 60
    for upload in (kept, sent):
        for path in (files.data_path(upload.id), tmp_path / "tips" / f"{upload.id}.json"):
            os.utime(path, (day_ago, day_ago))
    assert sweep(files, {sent.id}, time.time()) == 1
    assert files.find(kept.id) is None and not files.data_path(kept.id).exists()
    assert files.find(sent.id) is not None and files.find(fresh.id) is not None
