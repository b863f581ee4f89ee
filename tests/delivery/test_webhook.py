"""The webhook adapter against a real receiver on 127.0.0.1 that verifies each signature."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from hub.commands.outlets import new_signing_secret
from hub.delivery.adapters import WebhookAdapter
from hub.delivery.ports import Parcel
from tests.delivery.receiver import receiving


def parcel(url: str, secret: str | None, body: dict[str, object]) -> Parcel:
    did = uuid4()
    return Parcel(did, f"msg_{did.hex}", "webhook", url, secret, body, datetime.now(UTC))


async def test_a_signed_post_is_verified_and_kept_once_per_message_id() -> None:
    _, secret = new_signing_secret()
    with receiving(secret) as receiver:
        sent = parcel(receiver.url, secret, {"uri": "https://hub.test/p/1", "headline": "洪水"})
        first = await WebhookAdapter().send(sent)
        again = await WebhookAdapter().send(sent)
        assert first.ok and again.ok and first.detail == "HTTP 204"
        assert receiver.requests == 2 and receiver.refused == 0
        assert receiver.messages == {sent.message_id: sent.body}


async def test_a_wrong_secret_an_error_answer_or_nobody_listening_fails_with_the_reason() -> None:
    _, secret = new_signing_secret()
    _, other = new_signing_secret()
    with receiving(secret) as receiver:
        refused = await WebhookAdapter().send(parcel(receiver.url, other, {"uri": "x"}))
        assert not refused.ok and refused.detail.startswith("HTTP 401")
        receiver.fail_next = 1
        busy = await WebhookAdapter().send(parcel(receiver.url, secret, {"uri": "x"}))
        assert not busy.ok and busy.detail.startswith("HTTP 503")
        unsigned = await WebhookAdapter().send(parcel(receiver.url, None, {"uri": "x"}))
        assert not unsigned.ok and "secret" in unsigned.detail
        assert receiver.messages == {}
    gone = await WebhookAdapter().send(parcel(receiver.url, secret, {"uri": "x"}))
    assert not gone.ok and "ConnectError" in gone.detail
