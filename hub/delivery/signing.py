"""Signatures as the Standard Webhooks specification says (webhook-id, webhook-timestamp,
webhook-signature: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`), through the
`standardwebhooks` package, for the outlets the hub signs for and the origins it verifies."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

__all__ = ["WebhookVerificationError", "signed_headers", "verified"]


def signed_headers(secret: str, message_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """The three headers that sign `body` as message `message_id` sent at `at`."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }


def verified(secret: str, headers: Mapping[str, str], body: bytes) -> None:
    """Raises WebhookVerificationError unless the headers sign the body with the secret, within
    five minutes of now (the package's tolerance, against replays)."""
    Webhook(secret).verify(body, dict(headers), json_parse=False)
