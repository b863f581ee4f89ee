"""Live sources and program outputs: what people configure and switch, and the facts the media
engine observes (a stream went live, stalled, ended; an output failed over), which are commands
the hub sends itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from events.media import LiveSource, Output
from events.messages import Message
from events.roles import Role
from hub.commands.base import ByName, Change, Command, Create, Http
from hub.commands.fields import Name, line, lines
from hub.credentials import SECRET_FIELD, new_token
from hub.names import named_id

if TYPE_CHECKING:
    from hub.newsroom import Done, Newsroom, Request

TAG = "live"
CONTROL_ROOM = (Role.DISPATCHER, Role.TECHNICIAN)
O = "/api/outputs/{id}"  # noqa: E741
SourceName = line(40, min_length=1, default=None)
SourceKind = Literal["phone", "truck", "encoder"]

# -- sources -------------------------------------------------------------------------------------


class RegisterSource(Command):
    """Register a live source."""

    http = Http(
        "POST", "/api/sources", TAG, roles=CONTROL_ROOM, creates="/api/sources", answer="token"
    )
    name: Name
    kind: SourceKind
    owner: str | None = SourceName

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        if self.owner is not None:
            newsroom.user(self.owner)
        token = new_token()
        return newsroom.create(
            r,
            self.command_name(),
            lambda: self.new(
                LiveSource.register,
                r,
                named_id("source", self.name),
                token_id=token.token_id,
                token_hash=token.hash,
            ),
            what=Message("live source '{name}'", name=self.name),
            extra={"name": self.name, "token_id": token.token_id, SECRET_FIELD: token.secret},
        )


class OnSource(ByName, on=LiveSource, noun="live source", abstract=True):
    """A change to the live source named `name`."""

    def target(self, newsroom: Newsroom) -> UUID:
        return newsroom.source(self.name).id


class RotateSourceToken(OnSource):
    """Give a source a new publish token (the old one stops working)."""

    http = Http("POST", "/api/sources/{name}/token", TAG, roles=(Role.TECHNICIAN,), answer="token")

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        token = new_token()
        return self.change(
            newsroom,
            r,
            lambda s: s.rotate_token(
                at=r.at, actor=r.actor, token_id=token.token_id, token_hash=token.hash
            ),
            extra={"name": self.name, "token_id": token.token_id, SECRET_FIELD: token.secret},
        )


class OnStream(OnSource, abstract=True):
    """A fact about one publishing session of a source."""

    session: str


class SourceWentLive(OnStream):
    """The source's first key frame arrived; the stream is filed on the reporter's assignment."""

    calls = "went_live"
    publisher: str | None
    assignment: UUID | None = None
    codec: str
    width: int
    height: int


class SourceInterrupted(OnStream):
    """Media stopped coming (the peer left, ICE failed, or nothing for a while)."""

    calls = "interrupted"
    reason: str


class SourceResumed(OnStream):
    """Media is back within the grace period."""

    calls = "resumed"


class SourcePictureFroze(OnStream):
    """A live source's picture has not moved for over a second (`frozen`), or moves again."""

    calls = "picture_froze"
    frozen: bool


class SourceUplinkNarrow(OnStream):
    """The uplink is too narrow for what the source sends (`narrow`), or wide enough again."""

    narrow: bool
    estimate: int = 0
    bitrate: int = 0

    def decide(self, s: LiveSource, r: Request) -> None:
        if self.narrow:
            s.uplink_narrow(
                at=r.at,
                actor=r.actor,
                session=self.session,
                estimate=self.estimate,
                bitrate=self.bitrate,
            )
        else:
            s.uplink_wide(at=r.at, actor=r.actor, session=self.session)


class SourceEnded(OnStream):
    """The stream is over."""

    calls = "ended"
    reason: str
    stats: dict[str, Any]


# -- outputs -------------------------------------------------------------------------------------


class ConfigureOutput(Create):
    """Configure an output."""

    http = Http("POST", "/api/outputs", TAG, roles=(Role.TECHNICIAN,), creates="/api/outputs")
    name: Name
    source: str | None = SourceName
    backup: str | None = SourceName
    slate_text: str = line(120, min_length=1, default="稍后回来 Back shortly")
    rtmp_url: str | None = Field(
        default=None, max_length=500, pattern=r"^rtmps?://[^\x00-\x20\x7f]*$"
    )

    def exists_as(self) -> Message:
        return Message("output '{name}'", name=self.name)

    def make(self, newsroom: Newsroom, r: Request) -> Output:
        for source in (self.source, self.backup):
            if source is not None:
                newsroom.source(source)
        return self.new(Output.configure, r, named_id("output", self.name))


class OnOutput(Change, on=Output, noun="output", abstract=True):
    """A change to the output the path names."""

    keys: ClassVar[tuple[str, ...]] = ("id",)
    id: Name

    def target(self, newsroom: Newsroom) -> UUID:
        return newsroom.output(self.id).id


class StartOutput(OnOutput):
    """Start an output."""

    http = Http("POST", f"{O}/start", TAG, roles=CONTROL_ROOM)
    calls = "start"


class StopOutput(OnOutput):
    """Stop an output."""

    http = Http("POST", f"{O}/stop", TAG, roles=CONTROL_ROOM)
    reason: str = lines(500, default="")

    def decide(self, o: Output, r: Request) -> None:
        o.stop(at=r.at, actor=r.actor, reason=self.reason or f"stopped by {r.actor.name}")


class SetOutputBackup(OnOutput):
    """Set an output's backup source."""

    http = Http("POST", f"{O}/backup", TAG, roles=CONTROL_ROOM)
    calls = "set_backup"
    backup: str | None = line(40, min_length=1)

    def check(self, newsroom: Newsroom, r: Request) -> None:
        if self.backup is not None:
            newsroom.source(self.backup)


class SwitchOutput(OnOutput):
    """Switch an output's program source."""

    http = Http("POST", f"{O}/switch", TAG, roles=CONTROL_ROOM)
    calls = "switch"
    source: Name
    reason: str = lines(500, default="")

    def check(self, newsroom: Newsroom, r: Request) -> None:
        newsroom.source(self.source)


class OutputFailedOver(OnOutput):
    """The program source stalled: the output went to the backup or the slate."""

    calls = "failed_over"
    to: str
    reason: str


class OutputRecovered(OnOutput):
    """The program source is steady again: the output is back on it."""

    calls = "recovered"
    to: str


class OutputDestinationFailed(OnOutput):
    """A destination (an RTMP push) stopped taking the program."""

    calls = "destination_failed"
    destination: str
    error: str


class OutputDestinationRecovered(OnOutput):
    """A destination takes the program again."""

    calls = "destination_recovered"
    destination: str
