"""Submissions (来稿): what lower-level hubs (origins) send this hub, and its decision on each.

An origin is a hub registered here with the secret its outlet signs with. A submission is one
publication of one item from one origin, so a repeated message finds the submission it made;
a retraction withdraws it. The desk adopts it (采用) or not, with a reason, and the decision
goes back to the origin, signed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Unpack
from uuid import UUID, uuid5

from events.base import Kept, Making, NewsroomAggregate, Sets, require_text
from events.errors import RuleBroken
from events.messages import N_
from events.outlet import check_url
from events.roles import Actor, Role
from events.user import check_name

DECIDERS = (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)


def submission_id(origin: UUID, uri: str, publication: int) -> UUID:
    return uuid5(origin, f"{uri}#{publication}")


class Hub(Kept):
    """An origin: its name, where it is, and the secret its outlet signs with."""

    name: str
    url: str
    secret_id: str


class Origin(Hub, NewsroomAggregate):
    """A lower-level hub whose signed submissions this hub takes."""

    class Registered(Hub, NewsroomAggregate.Created):
        pass

    class SecretReplaced(Sets):
        secret_id: str

    @classmethod
    def register(cls, *, name: str, url: str, secret_id: str, **making: Unpack[Making]) -> Origin:
        making["actor"].require(Role.ADMIN, doing=N_("register origins"))
        return cls._make(
            cls.Registered,
            making,
            name=check_name(name, N_("origin name")),
            url=check_url(url),
            secret_id=secret_id,
        )

    def replace_secret(self, *, at: datetime, actor: Actor, secret_id: str) -> None:
        """Verifies with the secret `secret_id` from now on: the origin rotated its outlet's."""
        actor.require(Role.ADMIN, doing=N_("register origins"))
        self._record(self.SecretReplaced, at, actor.name, secret_id=secret_id)


class Item(Kept):
    """A submission as it arrived: from which origin, as which message, and what it says."""

    origin: UUID
    origin_name: str
    message_id: str
    uri: str
    publication: int
    headline: str
    body: str
    document: dict[str, Any]
    reply_to: str


class Submission(Item, NewsroomAggregate):
    """One item an origin sent, as it arrived, and what this hub decided."""

    class Received(Item, NewsroomAggregate.Created):
        pass

    class Withdrawn(NewsroomAggregate.Event):
        note: str

        def apply(self, s: Submission) -> None:
            s.withdrawn = self.note

    class Decided(NewsroomAggregate.Event):
        adopted: bool
        reason: str

        def apply(self, s: Submission) -> None:
            s.decision = "adopted" if self.adopted else "not_adopted"

    def __init__(self) -> None:
        self.withdrawn: str | None = None
        self.decision: str | None = None

    @classmethod
    def receive(
        cls,
        *,
        at: datetime,
        actor: str,
        origin: Origin,
        message_id: str,
        uri: str,
        publication: int,
        headline: str,
        body: str,
        document: dict[str, Any],
        reply_to: str,
    ) -> Submission:
        return cls._record_new(
            cls.Received,
            submission_id(origin.id, uri, publication),
            at,
            actor,
            origin=origin.id,
            origin_name=origin.name,
            message_id=message_id,
            uri=uri,
            publication=publication,
            headline=headline,
            body=body,
            document=document,
            reply_to=reply_to,
        )

    def withdraw(self, *, at: datetime, actor: str, note: str) -> None:
        if self.withdrawn is None:
            self._record(self.Withdrawn, at, actor, note=note)

    def decide(self, *, at: datetime, actor: Actor, adopted: bool, reason: str) -> None:
        actor.require(*DECIDERS, doing=N_("decide on submissions"))
        if self.decision is not None:
            raise RuleBroken("submission '{headline}' is decided already", headline=self.headline)
        if self.withdrawn is not None:
            raise RuleBroken("submission '{headline}' was withdrawn", headline=self.headline)
        reason = reason.strip()
        if not adopted:
            reason = require_text(reason, N_("a reason for not adopting"), max_length=2000)
        self._record(self.Decided, at, actor.name, adopted=adopted, reason=reason)
