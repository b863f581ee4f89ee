"""The audit timeline (审计留痕): one line per event saying who did what to which, and why.

A line's summary is a message id and its arguments (events/messages.py), kept as such in the
audit table and said in the reader's language when it is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import singledispatchmethod
from typing import Any, ClassVar

from events.assignment import PRIORITY_WORDS, Assignment
from events.capture import KIND_WORDS, Capture
from events.channel_profile import ChannelProfile
from events.channels import CHANNEL_WORDS
from events.clip import Clip
from events.delivery import Delivery
from events.dispatch import DispatchCommand
from events.lead import KIND_WORDS as LEAD_KIND_WORDS
from events.lead import LEVEL_WORDS, Department, Lead
from events.media import SOURCE_KIND_WORDS, LiveSource, Output
from events.messages import N_, PLACE, Message
from events.outlet import Outlet
from events.product import Product
from events.roles import REVIEW_LEVEL_WORDS
from events.scoring import ScoringRule
from events.story import Story
from events.submission import Origin, Submission
from events.topic import Topic
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
    summary: Message
    reason: str | None


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
    def _summary(self, e: Any) -> Message:
        """An event said from the NAMED or the SAID table, or else by its type and its subject's
        name."""
        if type(e) in NAMED:
            field, related, msgid = NAMED[type(e)]
            self._remember(e, getattr(e, field), getattr(e, related) if related else None)
            return self._said(e, msgid, None)
        if type(e) not in SAID:
            return Message("{event} {name}", event=type(e).__qualname__, name=self._name(e))
        subject, msgid = SAID[type(e)]
        return self._said(e, msgid, subject)

    def _said(self, e: Any, msgid: str, subject: str | None) -> Message:
        return Message(msgid, **{arg: self._arg(e, arg, subject) for arg in PLACE.findall(msgid)})

    def _arg(self, e: Any, arg: str, subject: str | None) -> Any:
        if arg != subject:
            return READ[arg](e) if arg in READ else getattr(e, arg)
        return self._product(e) if subject == "product" else self._name(e)

    @_summary.register
    def _(self, e: Capture.Registered) -> Message:
        self._remember(e, e.filename, e.assignment)
        return Message(
            "registered {kind} {filename} ({size} bytes, sha256 {sha256})",
            kind=Message(KIND_WORDS[e.kind]),
            filename=e.filename,
            size=e.size,
            sha256=e.sha256[:12],
        )

    @_summary.register
    def _(self, e: Clip.Requested) -> Message:
        source = str(self._d["names"].get(str(e.source), e.source))
        self._remember(e, source, e.source)
        if e.crop:
            return Message(
                "asked for a {crop} clip of {source} from {start} s to {end} s",
                crop=e.crop,
                source=source,
                start=e.start,
                end=e.end,
            )
        return Message(
            "asked for a clip of {source} from {start} s to {end} s",
            source=source,
            start=e.start,
            end=e.end,
        )

    # -- leads (the text a citizen sent is not repeated here: the lead's own page has it) ------

    @_summary.register
    def _(self, e: Lead.Received) -> Message:
        self._remember(e, e.text[:30])
        return Message(
            "received a {kind} by {channel} from {source}",
            kind=Message(LEAD_KIND_WORDS[e.kind]),
            channel=e.channel,
            source=e.source,
        )

    @_summary.register
    def _(self, e: Story.Revised) -> Message:
        self._d["names"][str(e.originator_id)] = e.title
        return _revision(
            e,
            N_("revised story '{title}' to version {revision}"),
            N_("revised story '{title}' to version {revision}, voiding {count} approvals"),
            title=e.title,
        )

    # -- products --------------------------------------------------------------------------------

    def _product(self, e: Any) -> Message:
        """A product in words: its title and channel (its story is its related subject)."""
        key = str(e.originator_id)
        channel = self._d["names"].get(f"{key}:channel", "")
        return Message(
            "'{title}' ({channel})",
            title=self._name(e),
            channel=Message(CHANNEL_WORDS.get(channel, channel)),
        )

    @_summary.register
    def _(self, e: Product.Made) -> Message:
        self._remember(e, e.title, e.story)
        self._d["names"][f"{e.originator_id}:channel"] = e.channel
        return Message("made the product {product}", product=self._product(e))

    @_summary.register
    def _(self, e: Product.Edited) -> Message:
        self._d["names"][str(e.originator_id)] = e.title
        return _revision(
            e,
            N_("edited {product} to revision {revision}"),
            N_("edited {product} to revision {revision}, voiding {count} approvals"),
            product=self._product(e),
        )

    @_summary.register
    def _(self, e: Product.Published) -> Message:
        if e.on_behalf_of:
            return Message(
                "published {product} (publication {publication}, content {digest}) as "
                "scheduled by {person}",
                product=self._product(e),
                publication=e.publication,
                digest=e.digest[:12],
                person=e.on_behalf_of,
            )
        return Message(
            "published {product} (publication {publication}, content {digest})",
            product=self._product(e),
            publication=e.publication,
            digest=e.digest[:12],
        )

    @_summary.register
    def _(self, e: ChannelProfile.Set) -> Message:
        self._remember(e, e.channel)
        return Message(
            "set the profile of {channel}: {profile}",
            channel=Message(CHANNEL_WORDS[e.channel]),
            profile=_profile(e.profile),
        )

    @_summary.register
    def _(self, e: ChannelProfile.Changed) -> Message:
        channel = self._name(e)
        return Message(
            "set the profile of {channel}: {profile}",
            channel=Message(CHANNEL_WORDS.get(channel, channel)),
            profile=_profile(e.profile),
        )

    @_summary.register
    def _(self, e: LiveSource.Registered) -> Message:
        self._remember(e, e.name)
        kind = Message(SOURCE_KIND_WORDS[e.kind])
        if e.owner:
            return Message(
                "registered {kind} source {name} for {owner}", kind=kind, name=e.name, owner=e.owner
            )
        return Message("registered {kind} source {name}", kind=kind, name=e.name)

    @_summary.register
    def _(self, e: LiveSource.WentLive) -> Message:
        if e.assignment:
            self._d["links"][str(e.originator_id)] = str(e.assignment)
        return Message(
            "{source} went live ({codec} {width}x{height})",
            source=self._name(e),
            codec=e.codec,
            width=e.width,
            height=e.height,
        )

    @_summary.register
    def _(self, e: LiveSource.Ended) -> Message:
        self._d["links"].pop(str(e.originator_id), None)
        return Message("{source} ended", source=self._name(e))

    # -- delivery (docs/delivery.md) ------------------------------------------------------------

    @_summary.register
    def _(self, e: Delivery.Queued) -> Message:
        self._remember(e, f"{e.headline} → {e.outlet_name}", e.story)
        return Message(
            "queued '{headline}' ({action}) for {outlet}",
            headline=e.headline,
            action=e.action,
            outlet=e.outlet_name,
        )

    @_summary.register
    def _(self, e: Delivery.Decided) -> Message:
        if e.adopted:
            return Message("{by} adopted {delivery}", by=e.by, delivery=self._name(e))
        return Message("{by} did not adopt {delivery}", by=e.by, delivery=self._name(e))

    @_summary.register
    def _(self, e: Submission.Decided) -> Message:
        if e.adopted:
            return Message("adopted '{headline}'", headline=self._name(e))
        return Message("did not adopt '{headline}'", headline=self._name(e))


def _revision(e: Story.Revised | Product.Edited, words: str, voiding: str, **named: Any) -> Message:
    """A new revision in `words`, or in `voiding` (with `{count}`) when it voided approvals."""
    if e.voided_approvals:
        return Message(voiding, revision=e.revision, count=e.voided_approvals, **named)
    return Message(words, revision=e.revision, **named)


_fold = by_event_type(vars(AuditTimeline)["_summary"])

# Lines that say the event's own fields and name its subject as remembered: event type → the
# argument that names the subject ("product": the product in words) and the message id, whose
# other arguments are the event's fields of the same names (read as READ says, where it says).
SAID: dict[type, tuple[str | None, str]] = {
    User.PasswordSet: ("name", N_("password of {name} set")),
    User.RolesChanged: ("name", N_("roles of {name} set to {roles}")),
    User.TokenIssued: ("name", N_("token {token} ({label}) issued to {name}")),
    User.TokenRevoked: ("name", N_("token {token} of {name} revoked")),
    Assignment.ReporterAssigned: ("title", N_("assigned {reporter} to '{title}'")),
    Assignment.Accepted: ("title", N_("accepted '{title}'")),
    Assignment.Declined: ("title", N_("declined '{title}'")),
    Assignment.CheckedIn: ("title", N_("checked in on '{title}' at {lat}, {lon}")),
    Assignment.Filed: ("title", N_("filed '{title}'")),
    Assignment.Closed: ("title", N_("closed '{title}'")),
    Assignment.Cancelled: ("title", N_("cancelled '{title}'")),
    DispatchCommand.Delivered: ("text", N_("delivered command '{text}' via {via}")),
    DispatchCommand.Acknowledged: ("text", N_("acknowledged command '{text}'")),
    Clip.Failed: ("source", N_("could not make the clip of {source}")),
    Lead.Routed: ("lead", N_("routed lead '{lead}' to {department}, due {due}")),
    Lead.Escalated: ("lead", N_("lead '{lead}' at {department} is {how}")),
    Lead.Answered: ("lead", N_("recorded the answer to lead '{lead}'")),
    Lead.MarkedDuplicate: ("lead", N_("marked lead '{lead}' a duplicate of {of}")),
    Lead.BecameAssignment: ("lead", N_("turned lead '{lead}' into assignment {assignment}")),
    Lead.BecameTopic: ("lead", N_("proposed lead '{lead}' as topic '{topic}'")),
    Department.ContactsChanged: ("name", N_("changed the contacts of department {name}")),
    Story.Submitted: ("title", N_("submitted '{title}' version {revision} for review")),
    Product.Scheduled: ("product", N_("scheduled {product} to go out at {time}")),
    Product.ScheduleCancelled: ("product", N_("cancelled the scheduled publication of {product}")),
    Product.Retracted: ("product", N_("retracted {product} (publication {publication})")),
    LiveSource.Interrupted: ("source", N_("{source} interrupted")),
    LiveSource.Resumed: ("source", N_("{source} resumed")),
    Output.Started: ("output", N_("output {output} started")),
    Output.Switched: ("output", N_("switched output {output} to {source}")),
    Output.BackupSet: ("output", N_("backup of output {output} set to {backup}")),
    Output.FailedOver: ("output", N_("output {output} failed over from {stalled} to {to}")),
    Output.Recovered: ("output", N_("output {output} recovered to {to}")),
    Output.Stopped: ("output", N_("output {output} stopped")),
    Output.DestinationFailed: ("output", N_("output {output}: {destination} failed ({error})")),
    Output.DestinationRecovered: ("output", N_("output {output}: {destination} is back")),
    Clip.Made: ("source", N_("made the clip of {source} ({duration} s) as capture {capture}")),
    Story.Approved: ("title", N_("approved '{title}' version {revision} at the {level}")),
    Story.Rejected: ("title", N_("rejected '{title}' version {revision} at the {level}")),
    Story.Published: ("title", N_("published '{title}' version {revision} to {channels}")),
    Story.Retracted: ("title", N_("retracted '{title}' from {channels}")),
    Product.Submitted: ("product", N_("submitted {product} for review (content {digest})")),
    Product.Approved: ("product", N_("approved {product} at the {level} (content {digest})")),
    Product.Rejected: ("product", N_("rejected {product} at the {level}")),
    Product.FastTracked: (
        "product",
        N_("FAST TRACK: approved {product} in one step (content {digest})"),
    ),
    Topic.Decided: ("title", N_("{decision} the topic '{title}'")),
    ScoringRule.Started: (None, N_("set the scoring rule")),
    ScoringRule.Changed: (None, N_("set the scoring rule")),
    Outlet.Deactivated: ("name", N_("deactivated outlet {name}")),
    Outlet.Changed: ("name", N_("changed outlet {name}: channel {channel}, address {url}")),
    Outlet.SecretRotated: ("name", N_("rotated the signing secret of outlet {name}")),
    Origin.SecretReplaced: ("name", N_("replaced the signing secret of origin {name}")),
    Delivery.Delivered: ("delivery", N_("delivered {delivery}")),
    Delivery.Failed: ("delivery", N_("delivery {delivery} failed: {reason}")),
    Delivery.GaveUp: ("delivery", N_("gave up delivering {delivery} after {attempts} attempts")),
}

# Lines of events that name their subject, which later lines call by that name: event type → the
# field that names it, the field that gives its related subject (None: none), and the message id,
# whose arguments are the event's fields as in SAID.
NAMED: dict[type, tuple[str, str | None, str]] = {
    User.Registered: ("name", None, N_("registered user {name} ({roles})")),
    Assignment.Planned: ("title", None, N_("planned assignment '{title}' ({priority}) at {place}")),
    DispatchCommand.Issued: ("text", "assignment", N_("sent {to} the command '{text}'")),
    Department.Added: ("name", None, N_("added department {name}")),
    Story.Drafted: ("title", "assignment", N_("drafted story '{title}'")),
    Output.Configured: (
        "name",
        None,
        N_("configured output {name} (program {source}, backup {backup})"),
    ),
    Topic.Proposed: ("title", "lead", N_("proposed the topic '{title}' for {day}")),
    Outlet.Added: ("name", None, N_("added {kind} outlet {name}")),
    Origin.Registered: ("name", None, N_("registered origin {name} ({url})")),
    Submission.Received: ("headline", None, N_("received '{headline}' from {origin}")),
}

TOPIC_DECISION_WORDS = {"approve": N_("approved"), "defer": N_("deferred"), "drop": N_("dropped")}


# Arguments said otherwise than the event's field of the same name, wherever they stand.
READ: dict[str, Callable[[Any], Any]] = {
    "capture": lambda e: str(e.capture),
    "channels": lambda e: _channels(e.channels),
    "decision": lambda e: Message(TOPIC_DECISION_WORDS[e.decision]),
    "department": lambda e: e.department_name,
    "digest": lambda e: e.digest[:12],
    "due": lambda e: e.due.isoformat(),
    "how": lambda e: Message(LEVEL_WORDS.get(e.level, LEVEL_WORDS[1])),
    "lat": lambda e: format(e.lat, ".5f"),
    "level": lambda e: Message(REVIEW_LEVEL_WORDS[e.level - 1]),
    "lon": lambda e: format(e.lon, ".5f"),
    "origin": lambda e: e.origin_name,
    "place": lambda e: e.location.get("name"),
    "priority": lambda e: Message(PRIORITY_WORDS[e.priority]),
    "roles": lambda e: list(e.roles),
    "time": lambda e: e.publish_at.isoformat(),
    "token": lambda e: e.token_id,
}


def _channels(channels: list[str]) -> list[Message]:
    return [Message(CHANNEL_WORDS[c]) for c in channels]


def _profile(profile: dict[str, Any]) -> str:
    """A profile's figures as they were set (field names, as the API spells them)."""
    return ", ".join(f"{k}={v}" for k, v in profile.items())
