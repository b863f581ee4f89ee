"""Who a credential names: a person with their roles, or a live source's device, as the
directory has them now (a changed role or a deactivated person takes effect at once)."""

from __future__ import annotations

from dataclasses import dataclass

from events.roles import Actor, Role
from hub.credentials import hash_token
from projections.directory import Directory


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a person (with roles) or a live source's device."""

    kind: str  # "user" | "source"
    name: str
    roles: frozenset[str]
    via: str  # "token" | "session"

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.roles)

    def has(self, *roles: Role) -> bool:
        return self.actor.has(*roles)

    @property
    def read_only(self) -> bool:
        """Devices and wall displays change nothing through the API."""
        return self.kind != "user" or self.roles <= {Role.WALL.value}


def principal_from_token(directory: Directory, token: str) -> Principal | None:
    found = directory.bearer(hash_token(token))
    if found is None:
        return None
    kind, name = found
    if kind == "source":
        return Principal("source", name, frozenset(), "token")
    return Principal("user", name, directory.people[name].roles, "token")


def active_person(directory: Directory, name: str) -> Principal | None:
    """The person a verified session names, if they exist and are active."""
    person = directory.people.get(name)
    if person is None or not person.active:
        return None
    return Principal("user", person.name, person.roles, "session")
