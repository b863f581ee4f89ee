"""The three-level review (三审) stories and products go through: each level is given by the role
that level needs, and a decision approves or rejects, a rejection always with a reason."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from events.base import NewsroomAggregate, require_text
from events.errors import InvalidValue, NotPermitted, ReviewRuleBroken
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


def state_after_approval(level: int) -> str:
    """An approval at the final level approves; one below it passes to the next level."""
    return "approved" if level == len(REVIEW_ROLES) else "in_review"


class ThreeLevelReview:
    """The review of an aggregate in review ("in_review") until its last level approves.

    A base of the aggregate, ahead of `NewsroomAggregate`: the aggregate says who approved so
    far (`reviewers`), what a decision names of the content it is on (`decided_on`), and how it
    refuses a decision (`not_in_review`, `approved_already`); its `Approved` and `Rejected`
    events record the decision, `level` and `reason` with what `decided_on` gives.
    """

    STATE_WORDS: ClassVar[Mapping[str, str]]  # a state other than in review, in words
    Approved: ClassVar[type[NewsroomAggregate.Event]]
    Rejected: ClassVar[type[NewsroomAggregate.Event]]
    state: str

    if TYPE_CHECKING:  # NewsroomAggregate's, which the aggregate has

        def _record(
            self, event: type[NewsroomAggregate.Event], at: datetime, actor: str, /, **fields: Any
        ) -> None: ...

    @abstractmethod
    def reviewers(self) -> list[str]:
        """Who approved the content under review, level by level."""

    @abstractmethod
    def decided_on(self) -> dict[str, Any]:
        """The fields a decision records of the content it is on."""

    @abstractmethod
    def not_in_review(self) -> ReviewRuleBroken:
        """The refusal of a decision while nothing waits for one."""

    @abstractmethod
    def approved_already(self, actor: Actor) -> ReviewRuleBroken:
        """The refusal of a second approval by the same person."""

    @property
    def review_level(self) -> int | None:
        """The level (1-3) waiting for a decision, or None when not in review."""
        return len(self.reviewers()) + 1 if self.state == "in_review" else None

    def review(self, *, at: datetime, actor: Actor, decision: str, reason: str) -> None:
        """Records the decision of the level waiting; the reviewer's role must match that level,
        and three different people must review."""
        require_decision(decision)
        level = self.review_level
        if level is None:
            raise self.not_in_review()
        require_reviewer(actor, level)
        if actor.name in self.reviewers():
            raise self.approved_already(actor)
        event = self.Approved if decision == "approve" else self.Rejected
        reason = reason_for(decision, reason)
        self._record(event, at, actor.name, level=level, reason=reason, **self.decided_on())

    def state_words(self) -> Message:
        """The state as a refusal says it: in review, the level waiting."""
        if self.state == "in_review":
            level = Message(REVIEW_LEVEL_WORDS[len(self.reviewers())])
            return Message("waiting for the {level}", level=level)
        return Message(self.STATE_WORDS[self.state])
