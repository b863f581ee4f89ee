"""Live sources and program outputs: the facts the media engine reports, and switching commands.

A live source (a reporter's phone, the OB truck's encoder) goes live, may be interrupted and resume,
and ends. An output (a program bus feeding HLS and RTMP) has a selected source, a backup and a
slate; it never goes dark: a stalled source fails over to the backup or the slate (零停播).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Unpack
from uuid import UUID

from events.base import (
    Kept,
    Making,
    Marks,
    Moved,
    NewsroomAggregate,
    Sets,
    require_one_of,
    require_text,
)
from events.errors import InvalidValue, RuleBroken
from events.messages import N_
from events.roles import Actor, Role
from events.user import check_name

SOURCE_KINDS = ("phone", "truck", "encoder")
SOURCE_KIND_WORDS = {"phone": N_("phone"), "truck": N_("truck"), "encoder": N_("encoder")}
SLATE = "slate"


class Camera(Kept):
    """A live source: its name, what kind of camera, and whose it is."""

    name: str
    kind: str
    owner: str | None


class SourceToken(Kept):
    """The token a source publishes with: its id, and the hash of its secret (never the secret)."""

    token_id: str
    token_hash: str


class LiveSource(Camera, SourceToken, NewsroomAggregate):
    """A registered camera that publishes over WHIP; its id is its name."""

    class Registered(Camera, SourceToken, NewsroomAggregate.Created):
        pass

    class TokenRotated(SourceToken, Sets):
        pass

    class WentLive(NewsroomAggregate.Event):
        session: str
        publisher: str | None
        assignment: UUID | None
        codec: str
        width: int
        height: int

        def apply(self, s: LiveSource) -> None:
            s.state, s.session, s.assignment = "live", self.session, self.assignment

    class Interrupted(Moved):
        state = "interrupted"
        session: str
        reason: str

    class Resumed(NewsroomAggregate.Event):
        session: str  # carrying the stream now: a phone that changed network has a new one

        def apply(self, s: LiveSource) -> None:
            s.state, s.session = "live", self.session

    class Ended(NewsroomAggregate.Event):
        session: str
        reason: str
        stats: dict[str, Any]

        def apply(self, s: LiveSource) -> None:
            s.state, s.session = "idle", None
            s.frozen = s.narrow = False

    class PictureFroze(Marks):
        """A live source has sent no whole picture for over a second."""

        marks = {"frozen": True}
        session: str

    class PictureMoving(Marks):
        marks = {"frozen": False}
        session: str

    class UplinkNarrow(Marks):
        """The uplink the hub estimates has stayed well under what the source sends at its best."""

        marks = {"narrow": True}
        session: str
        estimate: int  # bit/s
        bitrate: int  # bit/s, the source's best

    class UplinkWide(Marks):
        marks = {"narrow": False}
        session: str

    def __init__(self) -> None:
        self.state = "idle"
        self.session: str | None = None
        self.assignment: UUID | None = None  # of the stream now or last live
        self.frozen = False  # no picture for over a second while live
        self.narrow = False  # its uplink is too narrow for its bitrate

    @classmethod
    def register(
        cls,
        *,
        name: str,
        kind: str,
        owner: str | None,
        token_id: str,
        token_hash: str,
        **making: Unpack[Making],
    ) -> LiveSource:
        making["actor"].require(Role.TECHNICIAN, Role.DISPATCHER, doing=N_("register live sources"))
        check_name(name, N_("source name"))
        require_one_of(SOURCE_KINDS, N_("source kind '{kind}' is not one of {known}"), kind=kind)
        return cls._make(
            cls.Registered,
            making,
            name=name,
            kind=kind,
            owner=owner,
            token_id=token_id,
            token_hash=token_hash,
        )

    def rotate_token(self, *, at: datetime, actor: Actor, token_id: str, token_hash: str) -> None:
        actor.require(Role.TECHNICIAN, doing=N_("rotate source tokens"))
        self._record(self.TokenRotated, at, actor.name, token_id=token_id, token_hash=token_hash)

    def went_live(
        self,
        *,
        at: datetime,
        actor: Actor,
        session: str,
        publisher: str | None,
        assignment: UUID | None,
        codec: str,
        width: int,
        height: int,
    ) -> None:
        if self.state in ("live", "interrupted"):
            raise RuleBroken(
                "source {name} is already live in session {session}",
                name=self.name,
                session=self.session,
            )
        self._record(
            self.WentLive,
            at,
            actor.name,
            session=session,
            publisher=publisher,
            assignment=assignment,
            codec=codec,
            width=width,
            height=height,
        )

    def interrupted(self, *, at: datetime, actor: Actor, session: str, reason: str) -> None:
        self._require_session(session)
        if self.state == "live":
            self._record(self.Interrupted, at, actor.name, session=session, reason=reason)

    def resumed(self, *, at: datetime, actor: Actor, session: str) -> None:
        """The interrupted stream goes on, on its old session or a new one."""
        if self.state == "interrupted":
            self._record(self.Resumed, at, actor.name, session=session)

    def ended(
        self, *, at: datetime, actor: Actor, session: str, reason: str, stats: dict[str, Any]
    ) -> None:
        self._require_session(session)
        self._record(self.Ended, at, actor.name, session=session, reason=reason, stats=stats)

    def picture_froze(self, *, at: datetime, actor: Actor, session: str, frozen: bool) -> None:
        """The picture stopped (or started) moving; repeats of the same state are no news."""
        if self.session != session or self.frozen == frozen or frozen and self.state != "live":
            return
        event = self.PictureFroze if frozen else self.PictureMoving
        self._record(event, at, actor.name, session=session)

    def uplink_narrow(
        self, *, at: datetime, actor: Actor, session: str, estimate: int, bitrate: int
    ) -> None:
        if self.state == "live" and self.session == session and not self.narrow:
            self._record(
                self.UplinkNarrow,
                at,
                actor.name,
                session=session,
                estimate=estimate,
                bitrate=bitrate,
            )

    def uplink_wide(self, *, at: datetime, actor: Actor, session: str) -> None:
        if self.session == session and self.narrow:
            self._record(self.UplinkWide, at, actor.name, session=session)

    def _require_session(self, session: str) -> None:
        if self.session != session:
            raise RuleBroken(
                "source {name} has no live session {session}", name=self.name, session=session
            )


class Bus(Kept):
    """An output: its name, the source and backup it takes, its slate, and where it pushes."""

    name: str
    source: str | None
    backup: str | None
    slate_text: str
    rtmp_url: str | None


class Output(Bus, NewsroomAggregate):
    """A program bus: what goes out on HLS and the RTMP push."""

    class Configured(Bus, NewsroomAggregate.Created):
        pass

    class Started(NewsroomAggregate.Event):
        def apply(self, o: Output) -> None:
            o.state = "running"
            o.on_air = o.source or SLATE

    class Switched(NewsroomAggregate.Event):
        source: str
        reason: str

        def apply(self, o: Output) -> None:
            o.source = self.source
            o.on_air = self.source

    class BackupSet(Sets):
        backup: str | None

    class FailedOver(NewsroomAggregate.Event):
        stalled: str
        to: str
        reason: str

        def apply(self, o: Output) -> None:
            o.on_air = self.to

    class Recovered(NewsroomAggregate.Event):
        to: str

        def apply(self, o: Output) -> None:
            o.on_air = self.to

    class Stopped(NewsroomAggregate.Event):
        reason: str

        def apply(self, o: Output) -> None:
            o.state = "stopped"
            o.on_air = None
            o.failing = []

    class DestinationFailed(NewsroomAggregate.Event):
        """HLS or the RTMP push stopped taking the program; the other destinations go on."""

        destination: str
        error: str

        def apply(self, o: Output) -> None:
            o.failing = sorted({*o.failing, self.destination})

    class DestinationRecovered(NewsroomAggregate.Event):
        destination: str

        def apply(self, o: Output) -> None:
            o.failing = [d for d in o.failing if d != self.destination]

    def __init__(self) -> None:
        self.state = "stopped"
        self.on_air: str | None = None
        self.failing: list[str] = []  # destinations that do not take the program now

    @classmethod
    def configure(
        cls,
        *,
        name: str,
        source: str | None,
        backup: str | None,
        slate_text: str,
        rtmp_url: str | None,
        **making: Unpack[Making],
    ) -> Output:
        making["actor"].require(Role.TECHNICIAN, doing=N_("configure outputs"))
        check_name(name, N_("output name"))
        if rtmp_url is not None and not rtmp_url.startswith(("rtmp://", "rtmps://")):
            raise InvalidValue("an RTMP push URL starts with rtmp:// or rtmps://")
        return cls._make(
            cls.Configured,
            making,
            name=name,
            source=source,
            backup=backup,
            slate_text=require_text(slate_text, N_("slate text"), max_length=120),
            rtmp_url=rtmp_url,
        )

    def start(self, *, at: datetime, actor: Actor) -> None:
        if self.state == "running":
            raise RuleBroken("output {name} is already running", name=self.name)
        self._record(self.Started, at, actor.name)

    def switch(self, *, at: datetime, actor: Actor, source: str, reason: str = "") -> None:
        actor.require(Role.DISPATCHER, Role.TECHNICIAN, doing=N_("switch the program"))
        if source == self.source and self.on_air == source:
            raise RuleBroken("output {name} is already on {source}", name=self.name, source=source)
        self._record(self.Switched, at, actor.name, source=source, reason=reason)

    def set_backup(self, *, at: datetime, actor: Actor, backup: str | None) -> None:
        actor.require(Role.DISPATCHER, Role.TECHNICIAN, doing=N_("set the backup source"))
        self._record(self.BackupSet, at, actor.name, backup=backup)

    def failed_over(self, *, at: datetime, actor: Actor, to: str, reason: str) -> None:
        stalled = self.on_air or SLATE
        if to == self.on_air:
            return
        self._record(self.FailedOver, at, actor.name, stalled=stalled, to=to, reason=reason)

    def recovered(self, *, at: datetime, actor: Actor, to: str) -> None:
        if to == self.on_air:
            return
        self._record(self.Recovered, at, actor.name, to=to)

    def destination_failed(
        self, *, at: datetime, actor: Actor, destination: str, error: str
    ) -> None:
        if destination not in self.failing:
            self._record(
                self.DestinationFailed, at, actor.name, destination=destination, error=error
            )

    def destination_recovered(self, *, at: datetime, actor: Actor, destination: str) -> None:
        if destination in self.failing:
            self._record(self.DestinationRecovered, at, actor.name, destination=destination)

    def stop(self, *, at: datetime, actor: Actor, reason: str) -> None:
        if self.state != "running":
            raise RuleBroken("output {name} is not running", name=self.name)
        self._record(self.Stopped, at, actor.name, reason=reason)
