"""The three-level review (三审) stories and products go through: each level is given by the role
that level needs, and a decision approves or rejects, a rejection always with a reason."""

from __future__ import annotations

from events.base import require_text
from events.errors import InvalidValue, NotPermitted
from events.messages import N_, Message
from events.roles import REVIEW_LEVEL_WORDS, REVIEW_ROLES, Actor

DECISIONS = ("approve", "reject")


def require_decision(decision: str) -> None:
    if decision not in DECISIONS:
        raise InvalidValue(
            "decision must be approve or reject, not '{decision}'", decision=decision
        )


def require_reviewer(actor: Actor, level: int) -> None:
    """The actor holds the role of review level `level` (1-3)."""
    role = REVIEW_ROLES[level - 1]
    if role.value not in actor.roles:  # no admin shortcut: the review names real people
        raise NotPermitted(
            "{actor} may not give the {level}: it needs the role {role}",
            actor=actor.name,
            level=Message(REVIEW_LEVEL_WORDS[level - 1]),
            role=role.value,
        )


def reason_for(decision: str, reason: str) -> str:
    """The reason a decision keeps; a rejection must give one."""
    if decision == "reject":
        return require_text(reason, N_("a reason for rejecting"), max_length=2000)
    return reason.strip()
