"""Users: people and devices that act, the roles they hold, and their credentials (hashed)."""

from __future__ import annotations

import re
from datetime import datetime
from uuid import UUID

from events.base import Kept, Marks, NewsroomAggregate, Sets
from events.errors import InvalidValue, RuleBroken
from events.messages import N_, Message
from events.roles import parse_role

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")


def check_name(name: str, what: str = N_("user name")) -> str:
    """Names are ids in URLs and on the CLI: lower-case letters, digits, dot, dash, underscore."""
    if not NAME_PATTERN.match(name):
        raise InvalidValue(
            "{what} '{name}' must be 1-40 characters of a-z, 0-9, '.', '-', '_' "
            "and start with a letter or digit",
            what=Message(what),
            name=name,
        )
    return name


class Names(Kept):
    """A user's name (an id) and the name shown for it."""

    name: str
    display_name: str


class User(Names, NewsroomAggregate):
    """A person (or a display) who signs in and acts in a role."""

    class Registered(Names, NewsroomAggregate.Created):
        roles: list[str]

    class PasswordSet(Sets):
        password_hash: str

    class TokenIssued(NewsroomAggregate.Event):
        token_id: str
        token_hash: str
        label: str

        def apply(self, user: User) -> None:
            user.tokens[self.token_id] = self.token_hash

    class TokenRevoked(NewsroomAggregate.Event):
        token_id: str
        reason: str

        def apply(self, user: User) -> None:
            user.tokens.pop(self.token_id, None)

    class RolesChanged(NewsroomAggregate.Event):
        roles: list[str]
        reason: str

        def apply(self, user: User) -> None:
            user.roles = tuple(self.roles)

    class Deactivated(Marks):
        marks = {"active": False}
        reason: str

    def __init__(self, roles: list[str]) -> None:
        self.roles = tuple(roles)
        self.password_hash: str | None = None
        self.tokens: dict[str, str] = {}
        self.active = True

    @classmethod
    def register(
        cls, *, id: UUID, at: datetime, actor: str, name: str, display_name: str, roles: list[str]
    ) -> User:
        check_name(name)
        if not roles:
            raise InvalidValue("user {name} needs at least one role", name=name)
        role_ids = sorted({parse_role(role).value for role in roles})
        return cls._record_new(
            cls.Registered,
            id,
            at,
            actor,
            name=name,
            display_name=display_name.strip() or name,
            roles=role_ids,
        )

    def set_password(self, *, at: datetime, actor: str, password_hash: str) -> None:
        self._require_active()
        self._record(self.PasswordSet, at, actor, password_hash=password_hash)

    def issue_token(
        self, *, at: datetime, actor: str, token_id: str, token_hash: str, label: str
    ) -> None:
        self._require_active()
        self._record(
            self.TokenIssued, at, actor, token_id=token_id, token_hash=token_hash, label=label
        )

    def revoke_token(self, *, at: datetime, actor: str, token_id: str, reason: str) -> None:
        if token_id not in self.tokens:
            raise RuleBroken(
                "user {name} has no token {token_id}", name=self.name, token_id=token_id
            )
        self._record(self.TokenRevoked, at, actor, token_id=token_id, reason=reason)

    def change_roles(self, *, at: datetime, actor: str, roles: list[str], reason: str) -> None:
        self._require_active()
        if not roles:
            raise InvalidValue("user {name} needs at least one role", name=self.name)
        role_ids = sorted({parse_role(role).value for role in roles})
        self._record(self.RolesChanged, at, actor, roles=role_ids, reason=reason)

    def deactivate(self, *, at: datetime, actor: str, reason: str) -> None:
        self._require_active()
        self._record(self.Deactivated, at, actor, reason=reason)

    def _require_active(self) -> None:
        if not self.active:
            raise RuleBroken("user {name} is deactivated", name=self.name)
