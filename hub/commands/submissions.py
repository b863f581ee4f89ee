"""The receiving side of 上报: origins (lower-level hubs) and their submissions (来稿).

An origin is registered with the signing secret its hub printed when it added this hub as an
outlet (`hub origins add NAME --url URL`, the secret on standard input). Submissions arrive at
the signed endpoint (web/inbox.py); the desk adopts them or not, and the decision goes back.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic import Field

from events.messages import Message
from events.roles import Role
from events.submission import DECIDERS, Origin, Submission
from hub.commands.base import ById, ByName, Command, Create, Http
from hub.commands.fields import Name, line, lines
from hub.names import named_id

if TYPE_CHECKING:
    from hub.newsroom import Done, Newsroom, Request

TAG = "submissions"
SIGNING_SECRET = r"^whsec_[A-Za-z0-9+/=]{20,200}$"


class RegisterOrigin(Command):
    """Register a hub whose submissions this hub takes."""

    http = Http("POST", "/api/origins", TAG, roles=(Role.ADMIN,), creates="/api/origins")
    name: Name
    url: str = line(2000, min_length=1, description="where the origin hub answers")
    secret: str = Field(pattern=SIGNING_SECRET, repr=False, description="its outlet's secret")

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        secret_id = secrets.token_hex(4)
        oid = named_id("origin", self.name)

        def make() -> Origin:
            origin = Origin.register(
                id=oid, at=r.at, actor=r.actor, name=self.name, url=self.url, secret_id=secret_id
            )
            newsroom.store.keep_secret(oid, secret_id, self.secret)
            return origin

        return newsroom.create(
            r,
            self.command_name(),
            make,
            what=Message("origin '{name}'", name=self.name),
            extra={"name": self.name},
        )


class ReplaceOriginSecret(ByName, on=Origin, noun="origin"):
    """Replace an origin's signing secret.

    The origin rotated its outlet's (`hub outlets rotate`) and gave this hub the new one.
    """

    http = Http("POST", "/api/origins/{name}/secret", TAG, roles=(Role.ADMIN,))
    secret: str = Field(pattern=SIGNING_SECRET, repr=False, description="its outlet's new secret")

    def target(self, newsroom: Newsroom) -> UUID:
        return newsroom.origin(self.name).id

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        secret_id = secrets.token_hex(4)
        return self.change_keeping_secret(
            newsroom,
            r,
            lambda o: o.replace_secret(at=r.at, actor=r.actor, secret_id=secret_id),
            secret_id,
            self.secret,
            extra={"name": self.name},
        )


class ReceiveSubmission(Create):
    """Take a signed submission from an origin (a repeat finds the first)."""

    origin: Name
    message_id: str
    uri: str
    publication: int
    headline: str
    body: str
    document: dict[str, Any]
    reply_to: str

    def make(self, newsroom: Newsroom, r: Request) -> Submission:
        fields = self.model_dump(exclude={"origin"})
        return Submission.receive(
            at=r.at, actor=r.actor.name, origin=newsroom.origin(self.origin), **fields
        )


class OnSubmission(ById, on=Submission, noun="submission", abstract=True):
    """A change to the submission the path names."""


class WithdrawSubmission(OnSubmission):
    """The origin retracted what it sent."""

    note: str = ""

    def decide(self, s: Submission, r: Request) -> None:
        s.withdraw(at=r.at, actor=r.actor.name, note=self.note)


class DecideSubmission(OnSubmission):
    """Adopt a submission or not, with a reason."""

    http = Http("POST", "/api/submissions/{id}/decision", TAG, roles=DECIDERS)
    calls = "decide"
    adopted: bool
    reason: str = lines(2000, default="", description="required when not adopting")
