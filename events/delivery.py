"""Deliveries: one message to one outlet, from queued through attempts to delivered or given up.

A delivery is keyed by what it carries and where (the subject, its publication, the action and
the outlet), so deciding to deliver twice finds the first delivery: nothing is queued twice. Each
attempt is an event written before anything is sent; a node that dies after it finds the attempt
open when it starts again and sends once more under the same message id, which the receiver
uses to keep one copy. A failed attempt waits before the next (doubling, up to a cap); after
`MAX_ATTEMPTS` the delivery is given up.

queued → attempting → delivered
             ↓  ↑
           failed (waits) → given up
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from events.base import Kept, NewsroomAggregate, require_text
from events.errors import InvalidValue, RuleBroken
from events.messages import N_

ACTIONS = ("publish", "retract", "decision", "alert")  # alert: an approved CAP message
MAX_ATTEMPTS = 8
FIRST_WAIT = timedelta(seconds=5)
LONGEST_WAIT = timedelta(hours=1)
LEASE = timedelta(minutes=2)  # an attempt with no outcome for this long is taken as lost
NAMESPACE = uuid5(NAMESPACE_URL, "urn:hub:delivery")


def delivery_id(subject: UUID, publication: int, action: str, outlet: UUID) -> UUID:
    """The one delivery of a subject's publication (or its retraction) to an outlet."""
    return uuid5(NAMESPACE, f"{subject}:{publication}:{action}:{outlet}")


def wait_after(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, ...): 5 s, 10 s, 20 s, ..."""
    wait: timedelta = FIRST_WAIT * (2 ** (attempt - 1))
    return min(wait, LONGEST_WAIT)


class Consignment(Kept):
    """What one delivery carries to which outlet: the subject, its version, and the action."""

    outlet: UUID
    outlet_name: str
    kind: str
    subject: UUID  # the product (or, for a decision, the submission)
    subject_version: int  # the subject's version when it was decided, as sent
    story: UUID | None
    channel: str | None
    publication: int
    action: str
    headline: str
    note: str  # the retraction's note, the decision's reason


class Delivery(Consignment, NewsroomAggregate):
    """One message to one outlet, and what became of it."""

    class Queued(Consignment, NewsroomAggregate.Created):
        pass

    class Attempted(NewsroomAggregate.Event):
        attempt: int
        node: str

        def apply(self, d: Delivery) -> None:
            d.attempts, d.state, d.node = self.attempt, "attempting", self.node
            d.attempted_at = self.timestamp

    class Delivered(NewsroomAggregate.Event):
        attempt: int
        detail: str

        def apply(self, d: Delivery) -> None:
            d.state, d.last_reason = "delivered", None

    class Failed(NewsroomAggregate.Event):
        attempt: int
        reason: str
        next_at: datetime

        def apply(self, d: Delivery) -> None:
            d.state, d.last_reason, d.next_at = "failed", self.reason, self.next_at

    class GaveUp(NewsroomAggregate.Event):
        attempts: int
        reason: str

        def apply(self, d: Delivery) -> None:
            d.state, d.last_reason = "gave_up", self.reason

    class Decided(NewsroomAggregate.Event):
        """The higher-level centre's decision on what was delivered to it (采用 or not)."""

        adopted: bool
        reason: str
        by: str

        def apply(self, d: Delivery) -> None:
            d.decision = {"adopted": self.adopted, "reason": self.reason, "by": self.by}

    def __init__(self) -> None:
        self.state = "queued"
        self.attempts = 0
        self.node: str | None = None
        self.attempted_at: datetime | None = None
        self.next_at: datetime | None = None
        self.last_reason: str | None = None
        self.decision: dict[str, object] | None = None

    @property
    def message_id(self) -> str:
        """The webhook-id: the same for every attempt, so the receiver keeps one copy."""
        return f"msg_{self.id.hex}"

    @classmethod
    def queue(
        cls,
        *,
        at: datetime,
        actor: str,
        outlet: UUID,
        outlet_name: str,
        kind: str,
        subject: UUID,
        subject_version: int,
        story: UUID | None,
        channel: str | None,
        publication: int,
        action: str,
        headline: str = "",
        note: str = "",
    ) -> Delivery:
        if action not in ACTIONS:
            raise InvalidValue("unknown delivery action '{action}'", action=action)
        return cls._record_new(
            cls.Queued,
            delivery_id(subject, publication, action, outlet),
            at,
            actor,
            outlet=outlet,
            outlet_name=outlet_name,
            kind=kind,
            subject=subject,
            subject_version=subject_version,
            story=story,
            channel=channel,
            publication=publication,
            action=action,
            headline=headline,
            note=note,
        )

    def due(self, now: datetime, node: str, *, starting: bool = False) -> bool:
        """Whether an attempt should be made now by `node`; `starting`: the node has just
        started, so an attempt it left open died with its previous run."""
        if self.state == "queued":
            return True
        if self.state == "failed":
            return self.next_at is not None and self.next_at <= now
        if self.state == "attempting":
            if starting and self.node == node:
                return True
            return self.attempted_at is not None and self.attempted_at + LEASE <= now
        return False

    def attempt(self, *, at: datetime, actor: str, node: str) -> int:
        """Records the next attempt before anything is sent; returns its number."""
        if self.state in ("delivered", "gave_up"):
            raise RuleBroken("delivery {id} is {state}", id=str(self.id), state=self.state)
        self._record(self.Attempted, at, actor, attempt=self.attempts + 1, node=node)
        return self.attempts

    def succeed(self, *, at: datetime, actor: str, attempt: int, detail: str) -> None:
        self._require_open(attempt)
        self._record(self.Delivered, at, actor, attempt=attempt, detail=detail[:500])

    def fail(self, *, at: datetime, actor: str, attempt: int, reason: str) -> None:
        """A failed attempt: wait and try again, or give up after the last one."""
        self._require_open(attempt)
        reason = reason[:500] or "failed"
        if attempt >= MAX_ATTEMPTS:
            self._record(self.GaveUp, at, actor, attempts=attempt, reason=reason)
            return
        self._record(
            self.Failed, at, actor, attempt=attempt, reason=reason, next_at=at + wait_after(attempt)
        )

    def decide(self, *, at: datetime, actor: str, adopted: bool, reason: str, by: str) -> None:
        """Records the receiving centre's decision on a delivered submission."""
        if self.kind != "hub" or self.action != "publish":
            raise RuleBroken("delivery {id} is not a submission", id=str(self.id))
        if not adopted:
            reason = require_text(reason, N_("a reason for not adopting"), max_length=2000)
        self._record(self.Decided, at, actor, adopted=adopted, reason=reason, by=by[:100])

    def _require_open(self, attempt: int) -> None:
        if self.state != "attempting" or attempt != self.attempts:
            raise RuleBroken(
                "delivery {id} has no open attempt {attempt}", id=str(self.id), attempt=attempt
            )
