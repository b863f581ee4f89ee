"""Roles, the actor of a command, and the three review levels."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from events.errors import InvalidValue, NotPermitted


class Role(StrEnum):
    """Role ids as the CLI and the API spell them."""

    REPORTER = "reporter"
    DISPATCHER = "dispatcher"
    EDITOR = "editor"
    DESK_HEAD = "desk_head"
    CHIEF_EDITOR = "chief_editor"
    TECHNICIAN = "technician"
    AUDITOR = "auditor"
    WALL = "wall"
    ADMIN = "admin"


ROLE_IDS = frozenset(role.value for role in Role)

# Level n of the review needs this role: first review, second review, final review.
REVIEW_ROLES: tuple[Role, Role, Role] = (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)
REVIEW_LEVEL_NAMES = ("first", "second", "final")

SYSTEM = "hub"  # the actor of facts the hub itself observes (media engine, reconciliation)


def parse_role(value: str) -> Role:
    """Returns the role spelled `value`, or says which roles exist."""
    try:
        return Role(value)
    except ValueError:
        known = ", ".join(sorted(ROLE_IDS))
        raise InvalidValue(f"unknown role {value!r}; roles are: {known}") from None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a user name and the roles they hold."""

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)

    def has(self, *roles: Role) -> bool:
        return any(role.value in self.roles for role in roles) or Role.ADMIN.value in self.roles

    def require(self, *roles: Role, doing: str) -> None:
        """Refuses unless the actor holds one of `roles` (admins hold them all)."""
        if not self.has(*roles):
            wanted = " or ".join(role.value for role in roles)
            raise NotPermitted(f"{self.name} may not {doing}: it needs the role {wanted}")


SYSTEM_ACTOR = Actor(SYSTEM, frozenset({Role.ADMIN.value}))
