"""The audit timeline (审计留痕): one line per event saying who did what to which, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from functools import singledispatchmethod
from typing import Any, ClassVar

from events.assignment import Assignment
from events.capture import Capture
from events.dispatch import DispatchCommand
from events.media import LiveSource, Output
from events.roles import REVIEW_LEVEL_NAMES
from events.story import Story
from events.user import User
from projections.base import Logged, by_event_type


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the timeline; `related` ties e.g. a story's events to its assignment."""

    position: int
    recorded_at: datetime
    actor: str
    subject_type: str
    subject_id: str
    related: str | None
    action: str
    summary: str
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["recorded_at"] = self.recorded_at.isoformat().replace("+00:00", "Z")
        return data


class AuditTimeline:
    """Describes each event; remembers just enough (names, links) to say it plainly."""

    name: ClassVar[str] = "audit"

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self._d: dict[str, Any] = state or {"position": 0, "names": {}, "links": {}}

    @property
    def position(self) -> int:
        return int(self._d["position"])

    def state(self) -> dict[str, Any]:
        return self._d

    def describe(self, logged: Logged) -> AuditEntry:
        e = logged.event
        subject = str(e.originator_id)
        summary = _fold(self, e)
        self._d["position"] = logged.position
        return AuditEntry(
            position=logged.position,
            recorded_at=logged.recorded_at,
            actor=e.actor,
            subject_type=type(e).__qualname__.split(".")[0].lower(),
            subject_id=subject,
            related=self._d["links"].get(subject),
            action=type(e).__qualname__,
            summary=summary,
            reason=getattr(e, "reason", None) or None,
        )

    def _name(self, e: Any) -> str:
        return str(self._d["names"].get(str(e.originator_id), e.originator_id))

    def _remember(self, e: Any, name: str, link: Any = None) -> None:
        self._d["names"][str(e.originator_id)] = name
        if link:
            self._d["links"][str(e.originator_id)] = str(link)

    @singledispatchmethod
    def _summary(self, e: Any) -> str:
        return f"{type(e).__qualname__} {self._name(e)}"

    @_summary.register
    def _(self, e: User.Registered) -> str:
        self._remember(e, e.name)
        return f"registered user {e.name} ({', '.join(e.roles)})"

    @_summary.register
    def _(self, e: User.RolesChanged) -> str:
        return f"roles of {self._name(e)} set to {', '.join(e.roles)}"

    @_summary.register
    def _(self, e: User.TokenIssued) -> str:
        return f"token {e.token_id} ({e.label}) issued to {self._name(e)}"

    @_summary.register
    def _(self, e: User.TokenRevoked) -> str:
        return f"token {e.token_id} of {self._name(e)} revoked"

    @_summary.register
    def _(self, e: User.PasswordSet) -> str:
        return f"password of {self._name(e)} set"

    @_summary.register
    def _(self, e: Assignment.Planned) -> str:
        self._remember(e, e.title)
        return f"planned assignment {e.title!r} ({e.priority}) at {e.location.get('name')}"

    @_summary.register
    def _(self, e: Assignment.ReporterAssigned) -> str:
        return f"assigned {e.reporter} to {self._name(e)!r}"

    @_summary.register
    def _(self, e: Assignment.Accepted) -> str:
        return f"accepted {self._name(e)!r}"

    @_summary.register
    def _(self, e: Assignment.Declined) -> str:
        return f"declined {self._name(e)!r}"

    @_summary.register
    def _(self, e: Assignment.CheckedIn) -> str:
        return f"checked in on {self._name(e)!r} at {e.lat:.5f}, {e.lon:.5f}"

    @_summary.register
    def _(self, e: Assignment.Filed) -> str:
        return f"filed {self._name(e)!r}"

    @_summary.register
    def _(self, e: Assignment.Closed) -> str:
        return f"closed {self._name(e)!r}"

    @_summary.register
    def _(self, e: Assignment.Cancelled) -> str:
        return f"cancelled {self._name(e)!r}"

    @_summary.register
    def _(self, e: DispatchCommand.Issued) -> str:
        self._remember(e, e.text, e.assignment)
        return f"sent {e.to} the command {e.text!r}"

    @_summary.register
    def _(self, e: DispatchCommand.Delivered) -> str:
        return f"delivered command {self._name(e)!r} via {e.via}"

    @_summary.register
    def _(self, e: DispatchCommand.Acknowledged) -> str:
        return f"acknowledged command {self._name(e)!r}"

    @_summary.register
    def _(self, e: Capture.Registered) -> str:
        self._remember(e, e.filename, e.assignment)
        return f"registered {e.kind} {e.filename} ({e.size} bytes, sha256 {e.sha256[:12]})"

    @_summary.register
    def _(self, e: Story.Drafted) -> str:
        self._remember(e, e.title, e.assignment)
        return f"drafted story {e.title!r}"

    @_summary.register
    def _(self, e: Story.Revised) -> str:
        voided = f", voiding {e.voided_approvals} approvals" if e.voided_approvals else ""
        self._d["names"][str(e.originator_id)] = e.title
        return f"revised story {e.title!r} to version {e.revision}{voided}"

    @_summary.register
    def _(self, e: Story.Submitted) -> str:
        return f"submitted {self._name(e)!r} version {e.revision} for review"

    @_summary.register
    def _(self, e: Story.Approved) -> str:
        level = REVIEW_LEVEL_NAMES[e.level - 1]
        return f"approved {self._name(e)!r} version {e.revision} at the {level} review"

    @_summary.register
    def _(self, e: Story.Rejected) -> str:
        level = REVIEW_LEVEL_NAMES[e.level - 1]
        return f"rejected {self._name(e)!r} version {e.revision} at the {level} review"

    @_summary.register
    def _(self, e: Story.Published) -> str:
        return f"published {self._name(e)!r} version {e.revision} to {', '.join(e.channels)}"

    @_summary.register
    def _(self, e: Story.Retracted) -> str:
        return f"retracted {self._name(e)!r} from {', '.join(e.channels)}"

    @_summary.register
    def _(self, e: LiveSource.Registered) -> str:
        self._remember(e, e.name)
        owner = f" for {e.owner}" if e.owner else ""
        return f"registered {e.kind} source {e.name}{owner}"

    @_summary.register
    def _(self, e: LiveSource.WentLive) -> str:
        if e.assignment:
            self._d["links"][str(e.originator_id)] = str(e.assignment)
        return f"{self._name(e)} went live ({e.codec} {e.width}x{e.height})"

    @_summary.register
    def _(self, e: LiveSource.Interrupted) -> str:
        return f"{self._name(e)} interrupted"

    @_summary.register
    def _(self, e: LiveSource.Resumed) -> str:
        return f"{self._name(e)} resumed"

    @_summary.register
    def _(self, e: LiveSource.Ended) -> str:
        self._d["links"].pop(str(e.originator_id), None)
        return f"{self._name(e)} ended"

    @_summary.register
    def _(self, e: Output.Configured) -> str:
        self._remember(e, e.name)
        return f"configured output {e.name} (program {e.source}, backup {e.backup})"

    @_summary.register
    def _(self, e: Output.Started) -> str:
        return f"output {self._name(e)} started"

    @_summary.register
    def _(self, e: Output.Switched) -> str:
        return f"switched output {self._name(e)} to {e.source}"

    @_summary.register
    def _(self, e: Output.BackupSet) -> str:
        return f"backup of output {self._name(e)} set to {e.backup}"

    @_summary.register
    def _(self, e: Output.FailedOver) -> str:
        return f"output {self._name(e)} failed over from {e.stalled} to {e.to}"

    @_summary.register
    def _(self, e: Output.Recovered) -> str:
        return f"output {self._name(e)} recovered to {e.to}"

    @_summary.register
    def _(self, e: Output.Stopped) -> str:
        return f"output {self._name(e)} stopped"

    @_summary.register
    def _(self, e: Output.DestinationFailed) -> str:
        return f"output {self._name(e)}: {e.destination} failed ({e.error})"

    @_summary.register
    def _(self, e: Output.DestinationRecovered) -> str:
        return f"output {self._name(e)}: {e.destination} is back"


_fold = by_event_type(vars(AuditTimeline)["_summary"])
