"""The adapters behind the delivery port: the public site and signed webhooks (which also
carry submissions to a higher-level hub and decisions back to an origin)."""

from __future__ import annotations

import json

import httpx

from hub.delivery.ports import Outcome, Parcel
from hub.delivery.signing import signed_headers

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class SiteAdapter:
    """The hub's own public site (/p/): a delivered product is shown there, so there is
    nothing to send; the delivery's events are what the site reads."""

    async def send(self, parcel: Parcel) -> Outcome:
        shown = "withdrawn from" if parcel.body.get("pubstatus") == "canceled" else "shown on"
        return Outcome(True, f"{shown} the public site")


class WebhookAdapter:
    """An HTTP POST of the JSON body, signed per Standard Webhooks; a 2xx answer takes it."""

    def __init__(self, client: httpx.AsyncClient | None = None) -> None:
        self._client = client

    async def send(self, parcel: Parcel) -> Outcome:
        if not parcel.secret:
            return Outcome(False, "the outlet's signing secret is missing")
        body = json.dumps(parcel.body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            **signed_headers(parcel.secret, parcel.message_id, parcel.at, body),
        }
        try:
            if self._client is not None:
                answer = await self._client.post(parcel.url, content=body, headers=headers)
            else:
                async with httpx.AsyncClient(timeout=TIMEOUT) as client:
                    answer = await client.post(parcel.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            return Outcome(False, f"{type(error).__name__}: {error}"[:500])
        if 200 <= answer.status_code < 300:
            return Outcome(True, f"HTTP {answer.status_code}")
        return Outcome(False, f"HTTP {answer.status_code}: {answer.text[:200]}")
