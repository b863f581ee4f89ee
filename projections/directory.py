"""The directory: who may sign in and with what, and which device may publish which source.

Only hashes are kept (argon2 for passwords, SHA-256 for bearer tokens).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from events.media import LiveSource
from events.user import User
from projections.base import Change, Logged, by_event_type, event_fold


@dataclass
class Person:
    name: str
    display_name: str
    roles: frozenset[str]
    password_hash: str | None = None
    active: bool = True
    tokens: dict[str, str] = field(default_factory=dict)  # token id -> hash


@dataclass
class SourceEntry:
    name: str
    kind: str
    owner: str | None
    token_hash: str


class Directory:
    """Users, their roles and credentials; sources and their publish tokens."""

    name: ClassVar[str] = "directory"

    def __init__(self) -> None:
        self.position = 0
        self.people: dict[str, Person] = {}
        self.sources: dict[str, SourceEntry] = {}
        self._ids: dict[str, str] = {}
        self._by_token: dict[str, tuple[str, str]] = {}  # token hash -> ("user"|"source", name)

    def state(self) -> dict[str, Any]:
        return {"position": self.position, "people": len(self.people)}

    def apply(self, logged: Logged) -> list[Change]:
        _fold(self, logged.event)
        self.position = logged.position
        return []

    def bearer(self, token_hash: str) -> tuple[str, str] | None:
        """Returns ("user", name) or ("source", name) for a token hash, if it is valid."""
        found = self._by_token.get(token_hash)
        if found and found[0] == "user" and not self.people[found[1]].active:
            return None
        return found

    _on = event_fold()

    @_on.register
    def _(self, e: User.Registered) -> None:
        self._ids[str(e.originator_id)] = e.name
        self.people[e.name] = Person(e.name, e.display_name, frozenset(e.roles))

    @_on.register
    def _(self, e: User.PasswordSet) -> None:
        self._person(e).password_hash = e.password_hash

    @_on.register
    def _(self, e: User.TokenIssued) -> None:
        person = self._person(e)
        person.tokens[e.token_id] = e.token_hash
        self._by_token[e.token_hash] = ("user", person.name)

    @_on.register
    def _(self, e: User.TokenRevoked) -> None:
        token_hash = self._person(e).tokens.pop(e.token_id, None)
        if token_hash:
            self._by_token.pop(token_hash, None)

    @_on.register
    def _(self, e: User.RolesChanged) -> None:
        self._person(e).roles = frozenset(e.roles)

    @_on.register
    def _(self, e: User.Deactivated) -> None:
        self._person(e).active = False

    @_on.register
    def _(self, e: LiveSource.Registered) -> None:
        self._ids[str(e.originator_id)] = e.name
        self.sources[e.name] = SourceEntry(e.name, e.kind, e.owner, e.token_hash)
        self._by_token[e.token_hash] = ("source", e.name)

    @_on.register
    def _(self, e: LiveSource.TokenRotated) -> None:
        source = self.sources[self._ids[str(e.originator_id)]]
        self._by_token.pop(source.token_hash, None)
        source.token_hash = e.token_hash
        self._by_token[e.token_hash] = ("source", source.name)

    def _person(self, e: Any) -> Person:
        return self.people[self._ids[str(e.originator_id)]]


_fold = by_event_type(vars(Directory)["_on"])
