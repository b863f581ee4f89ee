"""Emergency alerts: two people, a valid CAP 1.2 document, the public feed, Update and Cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
import xmlschema

from events.alert import EmergencyAlert
from events.errors import InvalidValue, NotPermitted, RuleBroken
from hub.commands.alerts import ApproveAlert, DraftAlert, RejectAlert
from hub.emergency.cap import cap_document
from projections.alerts import on_air
from tests.conftest import Staff
from tests.web.conftest import bearer

CAP = xmlschema.XMLSchema(Path(__file__).parent.parent / "data" / "CAP-v1.2.xsd")
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2", "atom": "http://www.w3.org/2005/Atom"}
HOSTILE = '<script>alert(1)</script> & "暴雨"'


def fields(expires: datetime, **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "category": "Met",
        "event": "暴雨",
        "urgency": "Immediate",
        "severity": "Severe",
        "certainty": "Observed",
        "headline": "暴雨红色预警",
        "description": "城关镇、河口乡三小时内降雨将达100毫米以上。",
        "instruction": "请远离河道，转移至高处。",
        "area": "城关镇、河口乡",
        "expires": expires,
        "reason": "县气象台12时发布暴雨红色预警",
    }
    return base | over


def test_two_different_people_put_an_alert_on_air(staff: Staff) -> None:
    app, req = staff.newsroom, staff.req
    expires = staff.clock.now + timedelta(hours=2)
    alert = app.handle(req("eddie"), DraftAlert(**fields(expires))).id
    with pytest.raises(NotPermitted):  # an editor may draft, not approve
        app.handle(req("eddie"), ApproveAlert(id=alert, reason="ok"))
    own = app.handle(req("chen"), DraftAlert(**fields(expires))).id
    with pytest.raises(NotPermitted, match="another person must approve"):
        app.handle(req("chen"), ApproveAlert(id=own, reason="mine"))
    with pytest.raises(NotPermitted):  # a reporter may not draft at all
        app.handle(req("rui"), DraftAlert(**fields(expires)))
    app.handle(req("chen"), ApproveAlert(id=alert, reason="核实无误"))
    with pytest.raises(RuleBroken):
        app.handle(req("chen"), RejectAlert(id=alert, reason="too late"))
    got = app.get(EmergencyAlert, alert)
    assert (got.state, got.author, got.approver) == ("approved", "eddie", "chen")


def test_an_alert_must_expire_after_it_takes_effect_and_updates_name_an_approved_one(
    staff: Staff,
) -> None:
    app, req = staff.newsroom, staff.req
    with pytest.raises(InvalidValue, match="expire after"):
        app.handle(req("eddie"), DraftAlert(**fields(staff.clock.now - timedelta(minutes=1))))
    draft = app.handle(req("eddie"), DraftAlert(**fields(staff.clock.now + timedelta(hours=1)))).id
    with pytest.raises(RuleBroken, match="approved alert"):
        app.handle(
            req("eddie"),
            DraftAlert(
                **fields(staff.clock.now + timedelta(hours=1), msg_type="Cancel"),
                references=[draft],
            ),
        )
    with pytest.raises(InvalidValue, match="names the alert"):
        app.handle(
            req("eddie"),
            DraftAlert(**fields(staff.clock.now + timedelta(hours=1), msg_type="Update")),
        )


def alerts_state(**alerts: dict[str, Any]) -> dict[str, Any]:
    return {"alerts": {a["id"]: a for a in alerts.values()}}


def a_state(alert_id: str, **over: Any) -> dict[str, Any]:
    return {
        "id": alert_id,
        "msg_type": "Alert",
        "references": [],
        "category": "Met",
        "event": "暴雨",
        "urgency": "Immediate",
        "severity": "Severe",
        "certainty": "Observed",
        "headline": HOSTILE,
        "description": "河水上涨",
        "instruction": "",
        "area": "城关镇",
        "effective": "2026-12-07T01:00:00.250000Z",
        "expires": "2026-12-07T03:00:00Z",
        "approved_at": "2026-12-07T01:00:00.250000Z",
        "state": "approved",
        "superseded_by": None,
    } | over


def test_the_cap_documents_validate_against_the_cap_1_2_schema() -> None:
    first = a_state("7d0a3f2e-0000-4000-8000-000000000001")
    cancel = a_state(
        "7d0a3f2e-0000-4000-8000-000000000002",
        msg_type="Cancel",
        references=[first["id"]],
        approved_at="2026-12-07T02:00:00Z",
    )
    alerts = {first["id"]: first, cancel["id"]: cancel}
    for alert in (first, cancel):
        document = cap_document(alert, alerts, sender="alerts@county.example", name="县融媒体中心")
        CAP.validate(document.decode())
        root = ET.fromstring(document)
        assert root.findtext("cap:info/cap:headline", namespaces=NS) == HOSTILE  # text, not markup
    refs = ET.fromstring(cap_document(cancel, alerts, sender="s", name="n")).findtext(
        "cap:references", namespaces=NS
    )
    assert refs == f"s,{first['id']},2026-12-07T09:00:00+08:00"


def test_which_alerts_are_on_air_depends_on_the_time_and_on_later_messages() -> None:
    first = a_state("a1")
    state = alerts_state(first=first)
    assert on_air(state, datetime(2026, 12, 7, 1, 0, 0, tzinfo=UTC)) == []  # .25 s early
    assert on_air(state, datetime(2026, 12, 7, 2, 0, tzinfo=UTC)) == [first]
    assert on_air(state, datetime(2026, 12, 7, 3, 0, tzinfo=UTC)) == []  # expired
    state["alerts"]["a1"]["superseded_by"] = "a2"
    assert on_air(state, datetime(2026, 12, 7, 2, 0, tzinfo=UTC)) == []


def test_the_desk_drafts_the_chief_approves_and_the_feed_carries_it(
    client: httpx.Client, staff: Staff
) -> None:
    expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    body = fields(expires, headline=HOSTILE)  # type: ignore[arg-type]
    drafted = client.post("/api/alerts", json=body, headers=bearer(staff, "eddie"))
    assert drafted.status_code == 201, drafted.text
    alert = drafted.json()["id"]
    assert client.get(f"/cap/{alert}.xml").status_code == 404  # a draft is not public
    assert client.post(f"/api/alerts/{alert}/approve", json={"reason": "ok"},
                       headers=bearer(staff, "eddie")).status_code == 403  # fmt: skip
    approved = client.post(
        f"/api/alerts/{alert}/approve", json={"reason": "核实"}, headers=bearer(staff, "chen")
    )
    assert approved.status_code == 200, approved.text
    listed = client.get("/api/alerts", headers=bearer(staff, "wally")).json()["alerts"]
    assert [(a["id"], a["on_air"], a["approver"]) for a in listed] == [(alert, True, "chen")]

    document = client.get(f"/cap/{alert}.xml")  # public: no sign-in
    assert document.status_code == 200
    assert document.headers["content-type"].startswith("application/cap+xml")
    CAP.validate(document.text)
    feed = ET.fromstring(client.get("/cap/feed.atom").content)
    links = [e.get("href") for e in feed.findall("atom:entry/atom:link", NS)]
    assert links == [f"{client.base_url}/cap/{alert}.xml".replace("//cap", "/cap")]
    assert feed.findtext("atom:entry/atom:title", namespaces=NS) == HOSTILE

    cancel = client.post(
        "/api/alerts",
        json=fields(expires, msg_type="Cancel", references=[alert], headline="解除暴雨预警"),  # type: ignore[arg-type]
        headers=bearer(staff, "eddie"),
    ).json()["id"]
    client.post(
        f"/api/alerts/{cancel}/approve", json={"reason": "雨停"}, headers=bearer(staff, "chen")
    ).raise_for_status()
    listed = client.get("/api/alerts", headers=bearer(staff, "chen")).json()["alerts"]
    assert {a["id"]: (a["on_air"], a["superseded_by"]) for a in listed} == {
        alert: (False, cancel),
        cancel: (False, None),
    }
    CAP.validate(client.get(f"/cap/{cancel}.xml").text)
    assert client.get("/cap/not-a-uuid.xml").status_code == 404


def test_the_leader_of_the_duty_shift_may_approve_a_chief_editor_not_their_own(
    staff: Staff,
) -> None:
    """A desk head decides only while leading the shift (the roster, docs/duty.md)."""
    app, req = staff.newsroom, staff.req
    expires = staff.clock.now + timedelta(hours=2)
    alert = app.handle(req("eddie"), DraftAlert(**fields(expires))).id
    with pytest.raises(NotPermitted):  # dora leads no shift: the roster is not even running
        app.handle(req("dora"), ApproveAlert(id=alert, reason="ok"))
    assert app.get(EmergencyAlert, alert).state == "drafted"


def test_a_desk_head_leading_the_shift_approves_over_the_api(
    client: httpx.Client, staff: Staff
) -> None:
    now = datetime.now(UTC)
    expires = (now + timedelta(hours=1)).isoformat()
    alert = client.post("/api/alerts", json=fields(expires), headers=bearer(staff, "eddie")).json()[
        "id"
    ]  # type: ignore[arg-type]
    approve = f"/api/alerts/{alert}/approve"
    refused = client.post(approve, json={"reason": "ok"}, headers=bearer(staff, "dora"))
    assert refused.status_code == 403, refused.text  # not leading any shift
    shift = {
        "start": (now - timedelta(minutes=5)).isoformat(),
        "end": (now + timedelta(hours=8)).isoformat(),
        "on_duty": ["eddie", "dora"],
        "leader": "dora",
    }
    client.post("/api/duty/shifts", json=shift, headers=bearer(staff, "dora")).raise_for_status()
    approved = client.post(approve, json={"reason": "值班领导核实"}, headers=bearer(staff, "dora"))
    assert approved.status_code == 200, approved.text
    got = client.get(f"/api/alerts/{alert}", headers=bearer(staff, "dora")).json()
    assert (got["state"], got["approver"]) == ("approved", "dora")
