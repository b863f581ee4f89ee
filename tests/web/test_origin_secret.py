"""An origin rotates its outlet's signing secret; the receiving hub takes the new one: from then
on a submission signed with the old secret is refused and one signed with the new is taken, and
neither secret is ever in the log or the audit trail."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from events.roles import SYSTEM_ACTOR
from hub.commands.people import RegisterUser
from hub.newsroom import Request
from tests.conftest import Staff
from tests.web.conftest import bearer


@pytest.fixture
def admin(staff: Staff) -> dict[str, str]:
    """An administrator's Authorization header, registered before the hub starts serving."""
    done = staff.newsroom.handle(
        Request(SYSTEM_ACTOR, staff.clock.tick(1)), RegisterUser(name="ada", roles=["admin"])
    )
    return {"Authorization": f"Bearer {done.extra['token']}"}


def a_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def submit(client: httpx.Client, secret: str, publication: int) -> httpx.Response:
    item = {"uri": "https://township.test/p/1", "headlines": [{"value": "城南新桥通车"}]}
    body = json.dumps(
        {
            "origin": "township",
            "action": "publish",
            "publication": publication,
            "reply_to": "https://township.test/hooks/decisions",
            "item": item,
        }
    )
    message_id = f"msg_{uuid.uuid4().hex}"
    signature = Webhook(secret).sign(message_id, datetime.now(UTC), body)
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(datetime.now(UTC).timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }
    return client.post("/hooks/origins/township/submissions", content=body, headers=headers)


def test_an_origin_secret_is_replaced_and_only_the_new_one_verifies(
    admin: dict[str, str], client: httpx.Client, staff: Staff
) -> None:
    old, new = a_secret(), a_secret()
    registered = {"name": "township", "url": "https://township.test", "secret": old}
    assert client.post("/api/origins", json=registered, headers=admin).status_code == 201
    assert submit(client, old, 1).is_success

    url = "/api/origins/township/secret"
    refused = client.post(url, json={"secret": new}, headers=bearer(staff, "dana"))
    assert refused.status_code == 403
    malformed = client.post(url, json={"secret": "not-a-secret"}, headers=admin)
    assert malformed.status_code == 422
    unknown = client.post("/api/origins/nobody/secret", json={"secret": new}, headers=admin)
    assert unknown.status_code == 404
    assert submit(client, old, 2).is_success  # none of those changed anything

    assert client.post(url, json={"secret": new}, headers=admin).is_success
    assert submit(client, old, 3).status_code == 401
    assert submit(client, new, 4).is_success

    audit = client.get("/api/audit", headers=bearer(staff, "audrey")).json()["entries"]
    said = [e["summary"] for e in audit if e["action"].startswith("Origin.")]
    assert said == [
        "registered origin township (https://township.test)",
        "replaced the signing secret of origin township",
    ]
    log = client.get("/api/events?after=0", headers=bearer(staff, "audrey")).text
    for secret in (old, new):
        assert secret.removeprefix("whsec_") not in log and secret not in str(audit)
