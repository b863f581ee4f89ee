"""Outlets: where the products of a channel go (the public site, a webhook, a higher-level hub).

An outlet receives every publication and retraction of its channel while it is active; a `hub`
outlet with no channel receives those of every channel. Its signing secret is never an event:
the event names the secret (`secret_id`) and the hub keeps the secret in its own table. A rotation
names the new secret; what is sent after it is signed with that one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Unpack
from urllib.parse import urlsplit

from events.base import Kept, Making, Marks, NewsroomAggregate, Sets, require_text
from events.channels import parse_channels
from events.errors import InvalidValue, RuleBroken
from events.messages import N_
from events.roles import Actor, Role
from events.user import check_name

KINDS = ("site", "webhook", "hub")
SITE_CHANNELS = ("website", "app")  # what the hub's own public site shows


def check_url(url: str) -> str:
    """An outlet's address: absolute http(s) with a host, no credentials in it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidValue("the address '{url}' is not an http or https URL", url=url)
    if parts.username or parts.password:
        raise InvalidValue("the address '{url}' must not carry a user or password", url=url)
    return url


def check_place(kind: str, channel: str | None, url: str) -> tuple[str | None, str]:
    """The channel and address an outlet of `kind` may have."""
    if kind not in KINDS:
        raise InvalidValue(
            "unknown outlet kind '{kind}'; kinds are: {known}", kind=kind, known=KINDS
        )
    if channel is not None:
        parse_channels([channel])
    elif kind != "hub":
        raise InvalidValue("an outlet of kind {kind} needs a channel", kind=kind)
    if kind == "site":
        if channel not in SITE_CHANNELS:
            raise InvalidValue(
                "the public site shows the channels {known}, not '{channel}'",
                known=SITE_CHANNELS,
                channel=channel,
            )
        return channel, url
    return channel, check_url(url)


class Place(Kept):
    """An outlet: what it is called, what kind, which channel, where, and how it signs."""

    name: str
    kind: str
    channel: str | None
    url: str
    secret_id: str


class Outlet(Place, NewsroomAggregate):
    """A place the hub delivers products to."""

    class Added(Place, NewsroomAggregate.Created):
        pass

    class Changed(Sets):
        channel: str | None
        url: str

    class Deactivated(Marks):
        marks = {"active": False}
        reason: str

    class SecretRotated(Sets):
        secret_id: str

    def __init__(self) -> None:
        self.active = True

    def takes(self, channel: str) -> bool:
        """Whether a publication on `channel` goes to this outlet."""
        return self.active and self.channel in (None, channel)

    @classmethod
    def add(
        cls,
        *,
        name: str,
        kind: str,
        channel: str | None,
        url: str,
        secret_id: str,
        **making: Unpack[Making],
    ) -> Outlet:
        making["actor"].require(Role.ADMIN, doing=N_("configure outlets"))
        channel, url = check_place(kind, channel, url)
        return cls._make(
            cls.Added,
            making,
            name=check_name(name, N_("outlet name")),
            kind=kind,
            channel=channel,
            url=url,
            secret_id=secret_id,
        )

    def change(self, *, at: datetime, actor: Actor, channel: str | None, url: str) -> None:
        actor.require(Role.ADMIN, doing=N_("configure outlets"))
        self._require_active()
        channel, url = check_place(self.kind, channel, url)
        self.trigger_event(self.Changed, timestamp=at, actor=actor.name, channel=channel, url=url)

    def rotate_secret(self, *, at: datetime, actor: Actor, secret_id: str) -> None:
        """Signs with the secret `secret_id` from now on (the hub keeps the secret itself)."""
        actor.require(Role.ADMIN, doing=N_("configure outlets"))
        self._require_active()
        self.trigger_event(self.SecretRotated, timestamp=at, actor=actor.name, secret_id=secret_id)

    def deactivate(self, *, at: datetime, actor: Actor, reason: str) -> None:
        actor.require(Role.ADMIN, doing=N_("configure outlets"))
        self._require_active()
        reason = require_text(reason, N_("a reason"), max_length=2000)
        self.trigger_event(self.Deactivated, timestamp=at, actor=actor.name, reason=reason)

    def _require_active(self) -> None:
        if not self.active:
            raise RuleBroken("outlet '{name}' is deactivated", name=self.name)
