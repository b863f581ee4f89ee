"""Roles, the actor of a command, and the three review levels."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from events.errors import InvalidValue, NotPermitted
from events.messages import N_, Message, either


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
REVIEW_LEVEL_WORDS = (N_("first review"), N_("second review"), N_("final review"))

SYSTEM = "hub"  # the actor of facts the hub itself observes (media engine, reconciliation)


def parse_role(value: str) -> Role:
    """Returns the role spelled `value`, or says which roles exist."""
    try:
        return Role(value)
    except ValueError:
        known = sorted(ROLE_IDS)
        raise InvalidValue(
            "unknown role '{value}'; roles are: {known}", value=value, known=known
        ) from None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a user name and the roles they hold."""

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)

    def has(self, *roles: Role) -> bool:
        return any(role.value in self.roles for role in roles) or Role.ADMIN.value in self.roles

    def require(self, *roles: Role, doing: str | Message) -> None:
        """Refuses unless the actor holds one of `roles` (admins hold them all).

        `doing` says what the actor may not do: a message id, or a Message with arguments.
        """
        if not self.has(*roles):
            raise NotPermitted(
                "{actor} may not {doing}: it needs the role {role}",
                actor=self.name,
                doing=doing if isinstance(doing, Message) else Message(doing),
                role=either([role.value for role in roles]),
            )

    def require_to_be(self, person: str | None, words: str, /, **named: object) -> None:
        """Refuses unless the actor is `person`, the one whose act it is: `words` is a message id
        that may name the actor (`{actor}`), `{person}` and `named`."""
        if self.name != person:
            raise NotPermitted(words, actor=self.name, person=person, **named)


SYSTEM_ACTOR = Actor(SYSTEM, frozenset({Role.ADMIN.value}))
