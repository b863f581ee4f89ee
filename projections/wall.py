"""The wall: everything the dispatch hall's video wall shows, folded from the log.

Sections: live sources and outputs (what is on program), the assignment board, people (who is
where), unacknowledged commands, stories waiting at each review level, recent publications and the
alert ticker. Anything that depends on the clock (ages, overdue deadlines) is left to whoever
renders the view at a given moment, so the fold stays pure and replayable. Alerts hold a message
id and its arguments (`{"msg", "args"}`, events/messages.py), said in the reader's language by
whoever shows them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from events.alert import EmergencyAlert
from events.assignment import Assignment
from events.channels import CHANNEL_WORDS
from events.dispatch import DispatchCommand
from events.lead import LEVEL_WORDS, Lead
from events.media import SLATE, LiveSource, Output
from events.messages import N_, PLACE, Message
from events.product import Product
from events.roles import REVIEW_LEVEL_NAMES, REVIEW_LEVEL_WORDS, Role
from events.story import Story
from events.user import User
from projections import wall_watch
from projections.base import Change, Logged, SectionsModel, event_fold, iso, kept

TERMINAL = ("closed", "cancelled")
KEEP_ALERTS = 50
KEEP_PUBLICATIONS = 50
KEEP_FINISHED = 30


def empty_wall() -> dict[str, Any]:
    """The wall's state before any event."""
    return WallView.empty()


class WallView(SectionsModel):
    """The read model of the video wall."""

    name: ClassVar[str] = "wall"
    sections: ClassVar[dict[str, Any]] = {
        "as_at": None,
        "sources": {},
        "outputs": {},
        "assignments": {},
        "finished": {},
        "people": {},
        "commands": {},
        "reviews": {},
        "publications": [],
        "alerts": [],
        "titles": {},
        "product_channels": {},
        "fast_tracked": {},
        "emergency": {},
        "leads": {},
        **wall_watch.empty_sections(),  # shifts, 舆情 warnings
    }

    def apply(self, logged: Logged) -> list[Change]:
        self._fold_event(self, logged.event)
        for severity, words, subject in wall_watch.fold(logged.event, self._s):
            self._alert(logged.event, severity, words, subject)
        data = self._s.data
        data["position"] = logged.position
        data["as_at"] = iso(logged.recorded_at)
        return self._s.take_changes()

    # -- the fold -------------------------------------------------------------------------------

    _on = event_fold()  # events the wall does not show change nothing

    @_on.register
    def _(self, e: User.Registered) -> None:
        if Role.REPORTER.value in e.roles:
            self._s.set(
                "people",
                e.name,
                {
                    "name": e.name,
                    "display_name": e.display_name,
                    "state": "idle",
                    "assignment": None,
                    "lat": None,
                    "lon": None,
                    "since": iso(e.timestamp),
                },
            )

    @_on.register
    def _(self, e: Assignment.Planned) -> None:
        key = str(e.originator_id)
        self._s.data["titles"][key] = e.title
        self._s.set(
            "assignments",
            key,
            {
                "id": key,
                "title": e.title,
                "state": "planned",
                "priority": e.priority,
                "due": iso(e.due),
                "reporter": None,
                "location": e.location,
                "channels": list(e.channels),
                "planned_by": e.actor,
                "since": iso(e.timestamp),
            },
        )

    @_on.register
    def _(self, e: Assignment.ReporterAssigned) -> None:
        key = str(e.originator_id)
        previous = self._s.data["assignments"].get(key, {}).get("reporter")
        if previous and previous != e.reporter:
            self._person(previous, "idle", None, e)
        self._assignment(e, "assigned", reporter=e.reporter)
        self._person(e.reporter, "assigned", key, e)

    @_on.register
    def _(self, e: Assignment.Accepted) -> None:
        item = self._assignment(e, "accepted")
        if item:
            self._person(item["reporter"], "en_route", item["id"], e)

    @_on.register
    def _(self, e: Assignment.Declined) -> None:
        item = self._assignment(e, "declined", declined_reason=e.reason)
        if item:
            self._person(item["reporter"], "idle", None, e)
            words = Message(
                "{actor} declined {title}: {reason}",
                actor=e.actor,
                title=item["title"],
                reason=e.reason,
            )
            self._alert(e, "info", words, item["id"])

    @_on.register
    def _(self, e: Assignment.CheckedIn) -> None:
        item = self._assignment(e, "on_scene", lat=e.lat, lon=e.lon)
        if item:
            self._person(item["reporter"], "on_scene", item["id"], e, lat=e.lat, lon=e.lon)

    @_on.register
    def _(self, e: Assignment.Filed) -> None:
        item = self._assignment(e, "filed")
        if item:
            self._person(item["reporter"], "idle", None, e)

    @_on.register
    def _(self, e: Assignment.Closed) -> None:
        self._finish(e, "closed")

    @_on.register
    def _(self, e: Assignment.Cancelled) -> None:
        item = self._finish(e, "cancelled")
        if item and item["reporter"]:
            person = self._s.data["people"].get(item["reporter"])
            if person and person["assignment"] == item["id"]:
                self._person(item["reporter"], "idle", None, e)

    @_on.register
    def _(self, e: DispatchCommand.Issued) -> None:
        self._add(
            "commands",
            e,
            {
                **kept(e),  # to whom, on which assignment, what
                "issued_by": e.actor,
                "issued_at": iso(e.timestamp),
                "state": "issued",
            },
        )

    @_on.register
    def _(self, e: DispatchCommand.Delivered) -> None:
        self._mark("commands", e, state="delivered", via=e.via)

    @_on.register
    def _(self, e: DispatchCommand.Acknowledged) -> None:
        self._s.delete("commands", str(e.originator_id))

    @_on.register
    def _(self, e: Story.Drafted) -> None:
        self._s.data["titles"][str(e.originator_id)] = e.title

    @_on.register
    def _(self, e: Story.Revised) -> None:
        key = str(e.originator_id)
        self._s.data["titles"][key] = e.title
        self._s.delete("reviews", key)

    # A story's review queue and a product's are one: the same levels, the same places.
    @_on.register
    def _(self, e: Story.Submitted | Product.Submitted) -> None:
        self._review(e, 1)

    @_on.register
    def _(self, e: Story.Approved | Product.Approved) -> None:
        if e.level < len(REVIEW_LEVEL_NAMES):
            self._review(e, e.level + 1)
        else:
            self._s.delete("reviews", str(e.originator_id))

    @_on.register
    def _(self, e: Story.Rejected) -> None:
        key = str(e.originator_id)
        self._s.delete("reviews", key)
        title = self._s.data["titles"].get(key, key)
        level = Message(REVIEW_LEVEL_WORDS[e.level - 1])
        words = Message(
            "{title} rejected at the {level}: {reason}", title=title, level=level, reason=e.reason
        )
        self._alert(e, "warning", words, key)

    @_on.register
    def _(self, e: Story.Published) -> None:
        key = str(e.originator_id)
        self._s.push(
            "publications",
            {
                "story": key,
                "title": self._s.data["titles"].get(key, key),
                "channels": list(e.channels),
                "revision": e.revision,
                "by": e.actor,
                "at": iso(e.timestamp),
                "action": "published",
            },
            KEEP_PUBLICATIONS,
        )

    @_on.register
    def _(self, e: Story.Retracted) -> None:
        key = str(e.originator_id)
        title = self._s.data["titles"].get(key, key)
        self._s.push(
            "publications",
            {
                "story": key,
                "title": title,
                "channels": list(e.channels),
                "by": e.actor,
                "at": iso(e.timestamp),
                "action": "retracted",
                "reason": e.reason,
            },
            KEEP_PUBLICATIONS,
        )
        words = Message(
            "{title} retracted from {channels}: {reason}",
            title=title,
            channels=[Message(CHANNEL_WORDS[c]) for c in e.channels],
            reason=e.reason,
        )
        self._alert(e, "warning", words, key)

    # -- products: their review queues, publications and the fast track, in words ---------------

    def _product_words(self, e: Any) -> tuple[str, str, Message]:
        """The product's key, its title, and its channel in words."""
        key = str(e.originator_id)
        title = self._s.data["titles"].get(key, key)
        channel = self._s.data["product_channels"].get(key, "")
        return key, title, Message(CHANNEL_WORDS.get(channel, channel))

    @_on.register
    def _(self, e: Product.Made) -> None:
        key = str(e.originator_id)
        self._s.data["titles"][key] = e.title
        self._s.data["product_channels"][key] = e.channel

    @_on.register
    def _(self, e: Product.Edited) -> None:
        key = str(e.originator_id)
        self._s.data["titles"][key] = e.title
        if e.voided_approvals:
            self._s.data["fast_tracked"].pop(key, None)
            if key in self._s.data["reviews"]:
                self._review(e, 1)
        if e.unscheduled:
            self._product_alert(
                e,
                "warning",
                N_("{title} ({channel}) changed: its scheduled publication was dropped"),
            )

    @_on.register
    def _(self, e: Product.Rejected) -> None:
        self._s.delete("reviews", str(e.originator_id))
        level = Message(REVIEW_LEVEL_WORDS[e.level - 1])
        said = N_("{title} ({channel}) rejected at the {level}: {reason}")
        self._product_alert(e, "warning", said, level=level)

    @_on.register
    def _(self, e: Product.FastTracked) -> None:
        self._s.delete("reviews", str(e.originator_id))
        self._s.data["fast_tracked"][str(e.originator_id)] = e.actor
        said = N_("FAST TRACK: {title} ({channel}) approved in one step by {actor}: {reason}")
        self._product_alert(e, "warning", said)

    @_on.register
    def _(self, e: Product.Scheduled) -> None:
        said = N_("{title} ({channel}) scheduled for {time} by {actor}")
        self._product_alert(e, "info", said, time=iso(e.publish_at))

    @_on.register
    def _(self, e: Product.ScheduleCancelled) -> None:
        said = N_("{title} ({channel}): scheduled publication cancelled: {reason}")
        self._product_alert(e, "info", said)

    @_on.register
    def _(self, e: Product.Published) -> None:
        key = str(e.originator_id)
        self._product_publication(
            e,
            by=e.on_behalf_of or e.actor,
            action="published",
            fast_track=key in self._s.data["fast_tracked"],
            scheduled=e.on_behalf_of is not None,
        )

    @_on.register
    def _(self, e: Product.Retracted) -> None:
        self._product_publication(e, by=e.actor, action="retracted", reason=e.reason)
        self._product_alert(e, "warning", N_("{title} ({channel}) retracted: {reason}"))

    def _product_publication(self, e: Any, by: str, **fields: Any) -> None:
        """Adds a product's publication or retraction to the recent publications."""
        key, title = self._product_words(e)[:2]
        self._s.push(
            "publications",
            {
                "product": key,
                "title": title,
                "channels": [self._s.data["product_channels"].get(key, "")],
                "by": by,
                "at": iso(e.timestamp),
                **fields,
            },
            KEEP_PUBLICATIONS,
        )

    def _product_alert(self, e: Any, severity: str, msgid: str, **args: Any) -> None:
        """An alert about a product: its words name the product's title and channel first, and
        their other places hold `args`, or else the event's fields of the same names."""
        key, title, channel = self._product_words(e)
        places = [p for p in PLACE.findall(msgid) if p not in ("title", "channel")]
        said = {p: args[p] if p in args else getattr(e, p) for p in places}
        self._alert(e, severity, Message(msgid, title=title, channel=channel, **said), key)

    @_on.register
    def _(self, e: LiveSource.Registered) -> None:
        self._add_named(
            "sources",
            e,
            {
                "kind": e.kind,
                "owner": e.owner,
                "state": "idle",
                "since": iso(e.timestamp),
                "session": None,
                "codec": None,
                "width": 0,
                "height": 0,
                "assignment": None,
                "assignment_title": None,
                "publisher": None,
            },
        )

    @_on.register
    def _(self, e: LiveSource.WentLive) -> None:
        assignment = str(e.assignment) if e.assignment else None
        self._source_session(
            e,
            state="live",
            since=iso(e.timestamp),
            live_since=iso(e.timestamp),
            session=e.session,
            codec=e.codec,
            width=e.width,
            height=e.height,
            assignment=assignment,
            assignment_title=self._s.data["titles"].get(assignment) if assignment else None,
            publisher=e.publisher,
        )

    @_on.register
    def _(self, e: LiveSource.Interrupted) -> None:
        name = self._name(e)
        self._s.update("sources", name, state="interrupted", since=iso(e.timestamp))
        self._alert(
            e,
            "warning",
            Message("{source} interrupted: {reason}", source=name, reason=e.reason),
            name,
        )

    @_on.register
    def _(self, e: LiveSource.Resumed) -> None:
        name = self._name(e)
        self._s.update("sources", name, state="live", since=iso(e.timestamp))
        self._alert(e, "info", Message("{source} resumed", source=name), name)

    @_on.register
    def _(self, e: LiveSource.PictureFroze) -> None:
        self._s.update("sources", self._name(e), frozen=True)

    @_on.register
    def _(self, e: LiveSource.PictureMoving) -> None:
        self._s.update("sources", self._name(e), frozen=False)

    @_on.register
    def _(self, e: LiveSource.UplinkNarrow) -> None:
        name = self._name(e)
        self._s.update("sources", name, narrow=True)
        words = Message(
            "{source}: uplink too narrow, {estimate} of {bitrate} kbit/s",
            source=name,
            estimate=e.estimate // 1000,
            bitrate=e.bitrate // 1000,
        )
        self._alert(e, "warning", words, name)

    @_on.register
    def _(self, e: LiveSource.UplinkWide) -> None:
        name = self._name(e)
        self._s.update("sources", name, narrow=False)
        self._alert(e, "info", Message("{source}: uplink wide enough again", source=name), name)

    @_on.register
    def _(self, e: LiveSource.Ended) -> None:
        self._source_session(
            e,
            state="idle",
            since=iso(e.timestamp),
            session=None,
            live_since=None,
            frozen=False,
            narrow=False,
        )

    def _source_session(self, e: LiveSource.WentLive | LiveSource.Ended, **fields: Any) -> None:
        """Starts or ends the source's session, and shows its publisher live from it or no more."""
        name = self._name(e)
        item = self._s.update("sources", name, **fields)
        if item and item.get("publisher") and item["publisher"] in self._s.data["people"]:
            live = name if item["state"] == "live" else None
            self._s.update("people", item["publisher"], live=live)

    @_on.register
    def _(self, e: Output.Configured) -> None:
        self._add_named(
            "outputs",
            e,
            {
                "state": "stopped",
                "source": e.source,
                "backup": e.backup,
                "on_air": None,
                "slate_text": e.slate_text,
                "rtmp": bool(e.rtmp_url),
                "since": iso(e.timestamp),
            },
        )

    @_on.register
    def _(self, e: Output.Started) -> None:
        name = self._name(e)
        item = self._s.data["outputs"].get(name)
        if item:
            on_air = item["source"] or SLATE
            self._s.update("outputs", name, state="running", on_air=on_air, since=iso(e.timestamp))

    @_on.register
    def _(self, e: Output.Switched) -> None:
        name = self._name(e)
        self._s.update("outputs", name, source=e.source, on_air=e.source, since=iso(e.timestamp))

    @_on.register
    def _(self, e: Output.BackupSet) -> None:
        self._s.update("outputs", self._name(e), backup=e.backup)

    @_on.register
    def _(self, e: Output.FailedOver) -> None:
        name = self._name(e)
        self._s.update("outputs", name, on_air=e.to, since=iso(e.timestamp), failed_over=True)
        words = Message(
            "output {output} failed over to {to} ({stalled}: {reason})",
            output=name,
            to=_on_air(e.to),
            stalled=_on_air(e.stalled),
            reason=e.reason,
        )
        self._alert(e, "critical", words, name)

    @_on.register
    def _(self, e: Output.Recovered) -> None:
        name = self._name(e)
        self._s.update("outputs", name, on_air=e.to, since=iso(e.timestamp), failed_over=False)
        words = Message("output {output} recovered to {to}", output=name, to=_on_air(e.to))
        self._alert(e, "info", words, name)

    @_on.register
    def _(self, e: Output.Stopped) -> None:
        name = self._name(e)
        self._s.update("outputs", name, state="stopped", on_air=None, since=iso(e.timestamp))
        words = Message("output {output} stopped: {reason}", output=name, reason=e.reason)
        self._alert(e, "warning", words, name)

    @_on.register
    def _(self, e: Output.DestinationFailed) -> None:
        name = self._destination(e, failing=True)
        words = Message(
            "output {output}: {destination} failed ({error})",
            output=name,
            destination=e.destination,
            error=e.error,
        )
        self._alert(e, "critical", words, name)

    @_on.register
    def _(self, e: Output.DestinationRecovered) -> None:
        name = self._destination(e, failing=False)
        words = Message(
            "output {output}: {destination} is back", output=name, destination=e.destination
        )
        self._alert(e, "info", words, name)

    def _destination(self, e: Any, *, failing: bool) -> str:
        """Notes whether an output's destination takes the program; returns the output's name."""
        name = self._name(e)
        item = self._s.data["outputs"].get(name)
        if item is not None:
            down = {d for d in item.get("failing", []) if d != e.destination}
            if failing:
                down.add(e.destination)
            self._s.update("outputs", name, failing=sorted(down))
        return name

    # -- emergency alerts: on the wall from approval; the clock (effective, expires) is the
    # renderer's, like every other time on the wall

    @_on.register
    def _(self, e: EmergencyAlert.Approved) -> None:
        self._s.data.setdefault("emergency", {})
        for earlier in e.references:
            self._s.delete("emergency", str(earlier))
        key = str(e.originator_id)
        if e.msg_type != "Cancel":
            self._s.set(
                "emergency",
                key,
                {
                    "id": key,
                    "headline": e.headline,
                    "area": e.area,
                    "severity": e.severity,
                    "effective": iso(e.effective),
                    "expires": iso(e.expires),
                    "outputs": [],
                    "spoken": None,
                },
            )
            words = Message(
                "emergency alert approved by {actor}: {headline}",
                actor=e.actor,
                headline=e.headline,
            )
        else:
            words = Message(
                "emergency alert cancelled by {actor}: {headline}",
                actor=e.actor,
                headline=e.headline,
            )
        self._alert(e, "critical", words, key)

    @_on.register
    def _(self, e: EmergencyAlert.Aired) -> None:
        self._s.data.setdefault("emergency", {})
        self._mark("emergency", e, outputs=list(e.outputs), spoken=e.spoken)
        if not e.spoken:
            words = Message(
                "the emergency alert is on air without voice: the speech engine is missing"
            )
            self._alert(e, "critical", words, str(e.originator_id))

    # -- helpers --------------------------------------------------------------------------------

    def _assignment(self, e: Any, state: str, **fields: Any) -> dict[str, Any] | None:
        return self._mark("assignments", e, state=state, since=iso(e.timestamp), **fields)

    def _finish(self, e: Any, state: str) -> dict[str, Any] | None:
        key = str(e.originator_id)
        item = self._s.data["assignments"].get(key)
        if item is None:
            return None
        self._s.delete("assignments", key)
        finished = {**item, "state": state, "since": iso(e.timestamp)}
        self._s.set("finished", key, finished)
        overflow = list(self._s.data["finished"])[:-KEEP_FINISHED]
        for old in overflow:
            self._s.delete("finished", old)
        return finished

    def _person(self, name: str, state: str, assignment: str | None, e: Any, **fields: Any) -> None:
        self._s.update(
            "people", name, state=state, assignment=assignment, since=iso(e.timestamp), **fields
        )

    # -- leads: open ones and how far past due (the panel is web/static/js/wall_leads.js) -------

    @_on.register
    def _(self, e: Lead.Received) -> None:
        self._s.set("leads", str(e.originator_id), {"level": 0, "department": None})

    @_on.register
    def _(self, e: Lead.Routed) -> None:
        self._mark("leads", e, level=0, department=e.department_name)

    @_on.register
    def _(self, e: Lead.Escalated) -> None:
        key = str(e.originator_id)
        self._s.update("leads", key, level=e.level)
        words = Message(
            "a lead routed to {department} is {how}",
            department=e.department_name,
            how=Message(LEVEL_WORDS.get(e.level, LEVEL_WORDS[1])),
        )
        self._alert(e, "warning" if e.level == 1 else "critical", words, key)

    @_on.register(Lead.Answered)
    @_on.register(Lead.MarkedDuplicate)
    @_on.register(Lead.BecameAssignment)
    @_on.register(Lead.BecameTopic)
    def _(self, e: Any) -> None:
        self._s.delete("leads", str(e.originator_id))

    def _review(self, e: Any, level: int) -> None:
        key = str(e.originator_id)
        self._add(
            "reviews",
            e,
            {
                "title": self._s.data["titles"].get(key, key),
                "level": level,
                "level_name": REVIEW_LEVEL_NAMES[level - 1],
                "revision": getattr(e, "revision", None),
                "since": iso(e.timestamp),
                **self._product_of(key),
            },
        )

    def _product_of(self, key: str) -> dict[str, Any]:
        """What a review queue says of a product (a story's entry has no channel)."""
        channel = self._s.data["product_channels"].get(key)
        return {"kind": "product", "channel": channel} if channel else {}

    def _alert(self, e: Any, severity: str, words: Message, subject: str) -> None:
        self._s.push(
            "alerts",
            {"at": iso(e.timestamp), "severity": severity, **words.as_json(), "subject": subject},
            KEEP_ALERTS,
        )


def _on_air(source: str) -> str | Message:
    """A source's name, or the slate in the reader's words."""
    return Message("the slate") if source == SLATE else source
