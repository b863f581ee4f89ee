"""Outlets and deliveries: where products go, and the outbox's record of each delivery.

Adding an outlet, or rotating its secret, answers its signing secret once (the idempotency record
keeps the answer without it); the secret itself is kept in the store's own table, named in the
event by its id. The delivery commands are the outbox's (hub/delivery/outbox.py), sent as the hub
itself.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Literal
from uuid import UUID

from events.delivery import Delivery
from events.messages import Message
from events.outlet import Outlet
from events.roles import Role
from hub.commands.base import ById, ByName, Command, Create, Http
from hub.commands.fields import Channel, Name, Reason, line, lines
from hub.credentials import SECRET_FIELD
from hub.names import named_id

if TYPE_CHECKING:
    from hub.newsroom import Done, Newsroom, Request

TAG = "outlets"
O = "/api/outlets/{name}"  # noqa: E741
ADMINS = (Role.ADMIN,)
OutletKind = Literal["site", "webhook", "hub"]
Url = line(2000, default="")


def new_signing_secret() -> tuple[str, str]:
    """A secret id and a Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    import base64

    raw = secrets.token_bytes(32)
    return secrets.token_hex(4), "whsec_" + base64.b64encode(raw).decode()


class AddOutlet(Command):
    """Add an outlet."""

    http = Http(
        "POST",
        "/api/outlets",
        TAG,
        roles=ADMINS,
        creates="/api/outlets",
        answer="token",
        description="Answers the outlet's signing secret in `token`, shown this once only.",
    )
    name: Name
    kind: OutletKind
    channel: Channel | None = None
    url: str = Url

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        secret_id, secret = new_signing_secret()
        oid = named_id("outlet", self.name)

        def make() -> Outlet:
            outlet = self.new(Outlet.add, r, oid, secret_id=secret_id)
            # Kept before the event: a secret with no outlet naming it is harmless, an outlet
            # whose secret was lost could never sign.
            newsroom.store.keep_secret(oid, secret_id, secret)
            return outlet

        return newsroom.create(
            r,
            self.command_name(),
            make,
            what=Message("outlet '{name}'", name=self.name),
            extra={"name": self.name, SECRET_FIELD: secret},
        )


class OnOutlet(ByName, on=Outlet, noun="outlet", abstract=True):
    """A change to the outlet the path names."""

    def target(self, newsroom: Newsroom) -> UUID:
        return newsroom.outlet(self.name).id


class ChangeOutlet(OnOutlet):
    """Change an outlet's channel or address."""

    http = Http("PUT", O, TAG, roles=ADMINS)
    calls = "change"
    channel: Channel | None = None
    url: str = Url


class RotateOutletSecret(OnOutlet):
    """Give an outlet a new signing secret: what is sent from now on is signed with it."""

    http = Http(
        "POST",
        f"{O}/secret",
        TAG,
        roles=ADMINS,
        answer="token",
        description="Answers the outlet's new signing secret in `token`, shown this once only.",
    )

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        secret_id, secret = new_signing_secret()
        return self.change_keeping_secret(
            newsroom,
            r,
            lambda o: o.rotate_secret(at=r.at, actor=r.actor, secret_id=secret_id),
            secret_id,
            secret,
            extra={"name": self.name, SECRET_FIELD: secret},
        )


class DeactivateOutlet(OnOutlet):
    """Deactivate an outlet: nothing more is delivered to it."""

    http = Http("POST", f"{O}/deactivate", TAG, roles=ADMINS)
    reason: Reason

    def decide(self, o: Outlet, r: Request) -> None:
        o.deactivate(at=r.at, actor=r.actor, reason=self.reason)


# -- the outbox's own commands (sent as the hub itself) -----------------------------------------


class QueueDelivery(Create):
    """Decide to deliver a subject's publication (or retraction) to an outlet."""

    outlet: UUID
    outlet_name: str
    kind: str
    subject: UUID
    subject_version: int
    story: UUID | None
    channel: str | None
    publication: int
    action: str
    headline: str = ""
    note: str = ""

    def make(self, newsroom: Newsroom, r: Request) -> Delivery:
        return Delivery.queue(at=r.at, actor=r.actor.name, **self.model_dump())


class OnDelivery(ById, on=Delivery, abstract=True):
    """A step of the delivery the outbox names by its id."""


class AttemptDelivery(OnDelivery):
    """Record an attempt before sending (sent with the version the sender saw, so one node
    alone makes each attempt)."""

    node: str

    def decide(self, d: Delivery, r: Request) -> None:
        d.attempt(at=r.at, actor=r.actor.name, node=self.node)


class RecordDelivered(OnDelivery):
    """The outlet took the attempt."""

    attempt: int
    detail: str = ""

    def decide(self, d: Delivery, r: Request) -> None:
        d.succeed(at=r.at, actor=r.actor.name, attempt=self.attempt, detail=self.detail)


class RecordFailed(OnDelivery):
    """The attempt failed: wait and try again, or give up."""

    attempt: int
    reason: str

    def decide(self, d: Delivery, r: Request) -> None:
        d.fail(at=r.at, actor=r.actor.name, attempt=self.attempt, reason=self.reason)


class RecordDecision(OnDelivery):
    """The higher-level centre's decision on a submission, as it came back signed."""

    adopted: bool
    reason: str = lines(2000, default="")
    by: str = line(100, default="")

    def decide(self, d: Delivery, r: Request) -> None:
        d.decide(at=r.at, actor=r.actor.name, adopted=self.adopted, reason=self.reason, by=self.by)
