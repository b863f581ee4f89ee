"""Stories: versions of text and captures, the three-level review (三审), publication, retraction.

draft → (submit) in review at level 1 → 2 → 3 → approved → published to channels.
A rejection at any level returns the story with a reason. Any edit (a new version) voids the
approvals given so far. Publication needs the final approval of the current version, given by three
distinct people holding the roles of the three levels, in order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Unpack
from uuid import UUID

from events.base import Kept, Making, Moved, NewsroomAggregate, require_text
from events.channels import parse_channels
from events.errors import NotPermitted, ReviewRuleBroken, RuleBroken
from events.messages import N_, Message
from events.review import ThreeLevelReview, state_after_approval
from events.roles import REVIEW_ROLES, Actor, Role

WRITERS = (Role.REPORTER, Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)
PUBLISHERS = (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)
RETRACTORS = (Role.DESK_HEAD, Role.CHIEF_EDITOR)
STATES = ("draft", "in_review", "returned", "approved")
STATE_WORDS = {
    "draft": N_("a draft"),
    "returned": N_("returned for changes"),
    "approved": N_("approved"),
}


class Draft(Kept):
    """A story's first version, and the assignment it is written for."""

    assignment: UUID | None
    title: str
    body: str
    captures: list[UUID]


class Story(Draft, ThreeLevelReview, NewsroomAggregate):
    """A story in versions; each version is reviewed at three levels before it may go out."""

    STATE_WORDS = STATE_WORDS

    class Drafted(Draft, NewsroomAggregate.Created):
        pass

    class Revised(NewsroomAggregate.Event):
        revision: int
        title: str
        body: str
        captures: list[UUID]
        voided_approvals: int

        def apply(self, s: Story) -> None:
            s.revision = self.revision
            s.title, s.body, s.captures = self.title, self.body, list(self.captures)
            s.authors.add(self.actor)
            s.approvals = []
            s.state = "draft"

    class Submitted(Moved):
        state = "in_review"
        revision: int

    class Approved(NewsroomAggregate.Event):
        revision: int
        level: int
        reason: str

        def apply(self, s: Story) -> None:
            s.approvals.append(self.actor)
            s.state = state_after_approval(self.level)

    class Rejected(NewsroomAggregate.Event):
        revision: int
        level: int
        reason: str

        def apply(self, s: Story) -> None:
            s.approvals = []
            s.state = "returned"
            s.last_rejection = self.reason

    class Published(NewsroomAggregate.Event):
        revision: int
        channels: list[str]

        def apply(self, s: Story) -> None:
            for channel in self.channels:
                s.live[channel] = self.revision

    class Retracted(NewsroomAggregate.Event):
        channels: list[str]
        reason: str

        def apply(self, s: Story) -> None:
            for channel in self.channels:
                s.live.pop(channel, None)

    def __init__(self, actor: str) -> None:
        self.revision = 1
        self.authors = {actor}
        self.approvals: list[str] = []  # reviewers of the current revision, level by level
        self.state = "draft"
        self.last_rejection: str | None = None
        self.live: dict[str, int] = {}  # channel -> revision published there

    @classmethod
    def draft(
        cls,
        *,
        assignment: UUID | None,
        title: str,
        body: str,
        captures: list[UUID],
        **making: Unpack[Making],
    ) -> Story:
        making["actor"].require(*WRITERS, doing=N_("write stories"))
        return cls._make(
            cls.Drafted,
            making,
            assignment=assignment,
            title=require_text(title, N_("title"), max_length=200),
            body=body,
            captures=list(dict.fromkeys(captures)),
        )

    def revise(
        self, *, at: datetime, actor: Actor, title: str, body: str, captures: list[UUID]
    ) -> None:
        """Makes a new version; approvals given so far are void."""
        self._require_writer(actor)
        self._record(
            self.Revised,
            at,
            actor.name,
            revision=self.revision + 1,
            title=require_text(title, N_("title"), max_length=200),
            body=body,
            captures=list(dict.fromkeys(captures)),
            voided_approvals=len(self.approvals),
        )

    def submit(self, *, at: datetime, actor: Actor) -> None:
        self._require_writer(actor)
        if self.state not in ("draft", "returned"):
            raise RuleBroken(
                "story '{title}' is {state}; it cannot be submitted",
                title=self.title,
                state=self.state_words(),
            )
        self._record(self.Submitted, at, actor.name, revision=self.revision)

    # What the review (events/review.py) asks of a story: it is on the current version.

    def reviewers(self) -> list[str]:
        return self.approvals

    def decided_on(self) -> dict[str, Any]:
        return {"revision": self.revision}

    def not_in_review(self) -> ReviewRuleBroken:
        return ReviewRuleBroken(
            "story '{title}' is {state}, not in review",
            title=self.title,
            state=self.state_words(),
        )

    def approved_already(self, actor: Actor) -> ReviewRuleBroken:
        return ReviewRuleBroken(
            "{actor} already approved version {revision} of '{title}'; "
            "three different people must review it",
            actor=actor.name,
            revision=self.revision,
            title=self.title,
        )

    def publish(self, *, at: datetime, actor: Actor, channels: list[str]) -> None:
        actor.require(*PUBLISHERS, doing=N_("publish stories"))
        if self.state != "approved" or len(self.approvals) != len(REVIEW_ROLES):
            raise ReviewRuleBroken(
                "story '{title}' version {revision} lacks the final approval; it is {state}",
                title=self.title,
                revision=self.revision,
                state=self.state_words(),
            )
        wanted = parse_channels(channels)
        fresh = [c for c in wanted if self.live.get(c) != self.revision]
        if not fresh:
            raise RuleBroken(
                "version {revision} is already live on {channels}",
                revision=self.revision,
                channels=list(wanted),
            )
        self._record(self.Published, at, actor.name, revision=self.revision, channels=fresh)

    def retract(self, *, at: datetime, actor: Actor, channel: str | None, reason: str) -> None:
        actor.require(*RETRACTORS, doing=N_("retract stories"))
        if channel is None:
            channels = list(self.live)
        else:
            parse_channels([channel])
            channels = [channel] if channel in self.live else []
        if not channels:
            where = Message("on {channel}", channel=channel) if channel else Message("anywhere")
            raise RuleBroken(
                "story '{title}' is not published {where}", title=self.title, where=where
            )
        reason = require_text(reason, N_("a reason for retracting"), max_length=2000)
        self._record(self.Retracted, at, actor.name, channels=channels, reason=reason)

    def _require_writer(self, actor: Actor) -> None:
        if actor.has(Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR):
            return
        if actor.has(Role.REPORTER) and actor.name in self.authors:
            return
        raise NotPermitted(
            "{actor} may not edit story '{title}'", actor=actor.name, title=self.title
        )
