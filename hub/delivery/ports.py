"""The one port every delivery goes through, and what an adapter answers.

An adapter takes a parcel (the message, where it goes, its stable id) and answers an outcome;
it never raises for a failed send. Adapters: the public site (web pages of this hub, nothing to
send), webhooks (a signed HTTP POST), and a higher-level hub (the same POST, to its inbox).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Parcel:
    """One attempt of one delivery: what to send, where, and under which message id."""

    delivery: UUID
    message_id: str  # the webhook-id: the same for every attempt
    kind: str  # site | webhook | hub | origin
    url: str
    secret: str | None
    body: dict[str, Any]
    at: datetime


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of an attempt: taken (with a detail) or failed (with the reason)."""

    ok: bool
    detail: str


class Adapter(Protocol):
    """Delivers one parcel to its outlet."""

    async def send(self, parcel: Parcel) -> Outcome: ...
