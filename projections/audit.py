"""The audit timeline (审计留痕): one line per event saying who did what to which, and why.

A line's summary is a message id and its arguments (events/messages.py), kept as such in the
audit table and said in the reader's language when it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import singledispatchmethod
from typing import Any, ClassVar

from events.assignment import PRIORITY_WORDS, Assignment
from events.capture import KIND_WORDS, Capture
from events.channel_profile import ChannelProfile
from events.channels import CHANNEL_WORDS
from events.clip import Clip
from events.dispatch import DispatchCommand
from events.media import SOURCE_KIND_WORDS, LiveSource, Output
from events.messages import Message
from events.product import Product
from events.roles import REVIEW_LEVEL_WORDS
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
        return Message("{event} {name}", event=type(e).__qualname__, name=self._name(e))

    @_summary.register
    def _(self, e: User.Registered) -> Message:
        self._remember(e, e.name)
        return Message("registered user {name} ({roles})", name=e.name, roles=list(e.roles))

    @_summary.register
    def _(self, e: User.RolesChanged) -> Message:
        return Message("roles of {name} set to {roles}", name=self._name(e), roles=list(e.roles))

    @_summary.register
    def _(self, e: User.TokenIssued) -> Message:
        return Message(
            "token {token} ({label}) issued to {name}",
            token=e.token_id,
            label=e.label,
            name=self._name(e),
        )

    @_summary.register
    def _(self, e: User.TokenRevoked) -> Message:
        return Message("token {token} of {name} revoked", token=e.token_id, name=self._name(e))

    @_summary.register
    def _(self, e: User.PasswordSet) -> Message:
        return Message("password of {name} set", name=self._name(e))

    @_summary.register
    def _(self, e: Assignment.Planned) -> Message:
        self._remember(e, e.title)
        return Message(
            "planned assignment '{title}' ({priority}) at {place}",
            title=e.title,
            priority=Message(PRIORITY_WORDS[e.priority]),
            place=e.location.get("name"),
        )

    @_summary.register
    def _(self, e: Assignment.ReporterAssigned) -> Message:
        return Message("assigned {reporter} to '{title}'", reporter=e.reporter, title=self._name(e))

    @_summary.register
    def _(self, e: Assignment.Accepted) -> Message:
        return Message("accepted '{title}'", title=self._name(e))

    @_summary.register
    def _(self, e: Assignment.Declined) -> Message:
        return Message("declined '{title}'", title=self._name(e))

    @_summary.register
    def _(self, e: Assignment.CheckedIn) -> Message:
        return Message(
            "checked in on '{title}' at {lat}, {lon}",
            title=self._name(e),
            lat=format(e.lat, ".5f"),
            lon=format(e.lon, ".5f"),
        )

    @_summary.register
    def _(self, e: Assignment.Filed) -> Message:
        return Message("filed '{title}'", title=self._name(e))

    @_summary.register
    def _(self, e: Assignment.Closed) -> Message:
        return Message("closed '{title}'", title=self._name(e))

    @_summary.register
    def _(self, e: Assignment.Cancelled) -> Message:
        return Message("cancelled '{title}'", title=self._name(e))

    @_summary.register
    def _(self, e: DispatchCommand.Issued) -> Message:
        self._remember(e, e.text, e.assignment)
        return Message("sent {to} the command '{text}'", to=e.to, text=e.text)

    @_summary.register
    def _(self, e: DispatchCommand.Delivered) -> Message:
        return Message("delivered command '{text}' via {via}", text=self._name(e), via=e.via)

    @_summary.register
    def _(self, e: DispatchCommand.Acknowledged) -> Message:
        return Message("acknowledged command '{text}'", text=self._name(e))

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

    @_summary.register
    def _(self, e: Clip.Made) -> Message:
        return Message(
            "made the clip of {source} ({duration} s) as capture {capture}",
            source=self._name(e),
            duration=e.duration,
            capture=str(e.capture),
        )

    @_summary.register
    def _(self, e: Clip.Failed) -> Message:
        return Message("could not make the clip of {source}", source=self._name(e))

    @_summary.register
    def _(self, e: Story.Drafted) -> Message:
        self._remember(e, e.title, e.assignment)
        return Message("drafted story '{title}'", title=e.title)

    @_summary.register
    def _(self, e: Story.Revised) -> Message:
        self._d["names"][str(e.originator_id)] = e.title
        if e.voided_approvals:
            return Message(
                "revised story '{title}' to version {revision}, voiding {count} approvals",
                title=e.title,
                revision=e.revision,
                count=e.voided_approvals,
            )
        return Message(
            "revised story '{title}' to version {revision}", title=e.title, revision=e.revision
        )

    @_summary.register
    def _(self, e: Story.Submitted) -> Message:
        return Message(
            "submitted '{title}' version {revision} for review",
            title=self._name(e),
            revision=e.revision,
        )

    @_summary.register
    def _(self, e: Story.Approved) -> Message:
        level = Message(REVIEW_LEVEL_WORDS[e.level - 1])
        return Message(
            "approved '{title}' version {revision} at the {level}",
            title=self._name(e),
            revision=e.revision,
            level=level,
        )

    @_summary.register
    def _(self, e: Story.Rejected) -> Message:
        level = Message(REVIEW_LEVEL_WORDS[e.level - 1])
        return Message(
            "rejected '{title}' version {revision} at the {level}",
            title=self._name(e),
            revision=e.revision,
            level=level,
        )

    @_summary.register
    def _(self, e: Story.Published) -> Message:
        return Message(
            "published '{title}' version {revision} to {channels}",
            title=self._name(e),
            revision=e.revision,
            channels=_channels(e.channels),
        )

    @_summary.register
    def _(self, e: Story.Retracted) -> Message:
        return Message(
            "retracted '{title}' from {channels}",
            title=self._name(e),
            channels=_channels(e.channels),
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
        if e.voided_approvals:
            return Message(
                "edited {product} to revision {revision}, voiding {count} approvals",
                product=self._product(e),
                revision=e.revision,
                count=e.voided_approvals,
            )
        return Message(
            "edited {product} to revision {revision}",
            product=self._product(e),
            revision=e.revision,
        )

    @_summary.register
    def _(self, e: Product.Submitted) -> Message:
        return Message(
            "submitted {product} for review (content {digest})",
            product=self._product(e),
            digest=e.digest[:12],
        )

    @_summary.register
    def _(self, e: Product.Approved) -> Message:
        return Message(
            "approved {product} at the {level} (content {digest})",
            product=self._product(e),
            level=Message(REVIEW_LEVEL_WORDS[e.level - 1]),
            digest=e.digest[:12],
        )

    @_summary.register
    def _(self, e: Product.Rejected) -> Message:
        return Message(
            "rejected {product} at the {level}",
            product=self._product(e),
            level=Message(REVIEW_LEVEL_WORDS[e.level - 1]),
        )

    @_summary.register
    def _(self, e: Product.FastTracked) -> Message:
        return Message(
            "FAST TRACK: approved {product} in one step (content {digest})",
            product=self._product(e),
            digest=e.digest[:12],
        )

    @_summary.register
    def _(self, e: Product.Scheduled) -> Message:
        return Message(
            "scheduled {product} to go out at {time}",
            product=self._product(e),
            time=e.publish_at.isoformat(),
        )

    @_summary.register
    def _(self, e: Product.ScheduleCancelled) -> Message:
        return Message("cancelled the scheduled publication of {product}", product=self._product(e))

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
    def _(self, e: Product.Retracted) -> Message:
        return Message(
            "retracted {product} (publication {publication})",
            product=self._product(e),
            publication=e.publication,
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
    def _(self, e: LiveSource.Interrupted) -> Message:
        return Message("{source} interrupted", source=self._name(e))

    @_summary.register
    def _(self, e: LiveSource.Resumed) -> Message:
        return Message("{source} resumed", source=self._name(e))

    @_summary.register
    def _(self, e: LiveSource.Ended) -> Message:
        self._d["links"].pop(str(e.originator_id), None)
        return Message("{source} ended", source=self._name(e))

    @_summary.register
    def _(self, e: Output.Configured) -> Message:
        self._remember(e, e.name)
        return Message(
            "configured output {name} (program {source}, backup {backup})",
            name=e.name,
            source=e.source,
            backup=e.backup,
        )

    @_summary.register
    def _(self, e: Output.Started) -> Message:
        return Message("output {output} started", output=self._name(e))

    @_summary.register
    def _(self, e: Output.Switched) -> Message:
        return Message(
            "switched output {output} to {source}", output=self._name(e), source=e.source
        )

    @_summary.register
    def _(self, e: Output.BackupSet) -> Message:
        return Message(
            "backup of output {output} set to {backup}", output=self._name(e), backup=e.backup
        )

    @_summary.register
    def _(self, e: Output.FailedOver) -> Message:
        return Message(
            "output {output} failed over from {stalled} to {to}",
            output=self._name(e),
            stalled=e.stalled,
            to=e.to,
        )

    @_summary.register
    def _(self, e: Output.Recovered) -> Message:
        return Message("output {output} recovered to {to}", output=self._name(e), to=e.to)

    @_summary.register
    def _(self, e: Output.Stopped) -> Message:
        return Message("output {output} stopped", output=self._name(e))

    @_summary.register
    def _(self, e: Output.DestinationFailed) -> Message:
        return Message(
            "output {output}: {destination} failed ({error})",
            output=self._name(e),
            destination=e.destination,
            error=e.error,
        )

    @_summary.register
    def _(self, e: Output.DestinationRecovered) -> Message:
        return Message(
            "output {output}: {destination} is back",
            output=self._name(e),
            destination=e.destination,
        )


_fold = by_event_type(vars(AuditTimeline)["_summary"])


def _channels(channels: list[str]) -> list[Message]:
    return [Message(CHANNEL_WORDS[c]) for c in channels]


def _profile(profile: dict[str, Any]) -> str:
    """A profile's figures as they were set (field names, as the API spells them)."""
    return ", ".join(f"{k}={v}" for k, v in profile.items())
