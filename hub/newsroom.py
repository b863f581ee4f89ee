"""The newsroom application: the engine every command (hub/commands) runs through.

`handle` carries out a command. Every write goes through `create` or `change`: load the
aggregate, check the expected version (optimistic concurrency), let the domain decide, and save,
storing the answer under the caller's idempotency key in the same transaction, so a retried
request returns the first answer and stores nothing new.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from events.media import LiveSource, Output
from events.messages import N_, Message
from events.outlet import Outlet
from events.roles import Actor
from events.submission import Origin
from events.user import User
from hub.config import Settings
from hub.credentials import SECRET_FIELD, Passwords
from hub.errors import AlreadyExists, KeyReused, NotFound, VersionConflict
from hub.names import named_id
from hub.store.recorder import DuplicateRequest, HubRecorder

if TYPE_CHECKING:
    from hub.commands.base import Command

A = TypeVar("A", bound=Aggregate)


def persistence_module(database_url: str) -> str:
    """SQLite or PostgreSQL; `memory:` keeps the log in memory (benchmarks only)."""
    if database_url == "memory:":
        return "hub.store.memory:MemoryFactory"
    return "hub.store.factory:HubFactory"


SECRET = SECRET_FIELD  # shown in the first answer only; only its hash is kept
SHOWN_ONCE = (
    "the token was shown once, in the first answer to this request, and is not kept: "
    "issue a new one if it was lost"
)


@dataclass(frozen=True)
class Done:
    """What a command answers: the aggregate's id and new version (plus, rarely, a secret)."""

    id: UUID
    version: int
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"id": str(self.id), "version": self.version, **self.extra}

    def to_json(self) -> str:
        """The answer as kept for a repeat of the request: without the secret, which is shown
        once (only its hash is kept, in the event)."""
        kept = self.as_dict()
        if SECRET in kept:
            kept[SECRET] = None
        return json.dumps(kept, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Done:
        """A kept answer, as a repeat of the request gets it: saying so where a secret was."""
        data = json.loads(text)
        if SECRET in data:
            data |= {SECRET: None, "message": SHOWN_ONCE}
        return cls(UUID(data.pop("id")), int(data.pop("version")), data)


CHANGE_ATTEMPTS = 3  # a change that names no expected version is decided again after a race


@dataclass(frozen=True, slots=True)
class Request:
    """Who asks, when, and how to recognise a retry (the Idempotency-Key) or a stale view."""

    actor: Actor
    at: datetime
    key: str | None = None
    expected_version: int | None = None


class Newsroom(Application[UUID]):
    """The hub's event-sourced application."""

    name = "Newsroom"

    def __init__(self, settings: Settings, *, passwords: Passwords | None = None) -> None:
        self.settings = settings
        self.passwords = passwords or Passwords()
        # The read models that follow this application (hub/readmodels.py sets it): a command
        # that records what they show (a handover) or asks who is on duty reads them here.
        self.read_models: Any = None
        super().__init__(
            {
                "PERSISTENCE_MODULE": persistence_module(settings.database_url),
                "SQLALCHEMY_URL": settings.database_url,
                "AGGREGATE_CACHE_MAXSIZE": "2000",
            }
        )

    @property
    def store(self) -> HubRecorder:
        assert isinstance(self.recorder, HubRecorder)
        return self.recorder

    # -- the command engine ---------------------------------------------------------------------

    def _replay_of(self, request: Request, command: str) -> Done | None:
        if request.key is None:
            return None
        found = self.store.find_idempotent(request.actor.name, request.key)
        if found is None:
            return None
        if found.command != command:
            raise KeyReused(
                "idempotency key '{key}' was used for {used}, not {command}",
                key=request.key,
                used=found.command,
                command=command,
            )
        return Done.from_json(found.result)

    def _save(
        self,
        request: Request,
        command: str,
        aggregate: Aggregate,
        done: Done,
        *,
        creating: Message | None = None,
        together: Sequence[Aggregate] = (),
    ) -> Done:
        """Saves with the idempotency record (and `together`, new aggregates the decision made,
        in the same transaction); `creating` names what a taken id means exists."""
        idempotency = None
        if request.key is not None:
            idempotency = (request.actor.name, request.key, command, done.to_json())
        try:
            self.save(aggregate, *together, idempotency=idempotency)
        except DuplicateRequest:
            replay = self._replay_of(request, command)
            assert replay is not None
            return replay
        except IntegrityError:
            if creating is not None:
                raise AlreadyExists("{what} exists already", what=creating) from None
            current = self._current_version(aggregate.id)
            raise VersionConflict(
                "{kind} {id} changed meanwhile: it is at version {current_version}",
                kind=kind_words(type(aggregate)),
                id=str(aggregate.id),
                current_version=current,
            ) from None
        return done

    def _current_version(self, aggregate_id: UUID) -> int:
        events = self.store.select_events(aggregate_id, desc=True, limit=1)
        return events[0].originator_version if events else 0

    def create(
        self,
        request: Request,
        command: str,
        make: Callable[[], A],
        *,
        what: Message | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Done:
        """Makes a new aggregate (a retry answers the first answer); `what` names a taken id."""
        replay = self._replay_of(request, command)
        if replay is not None:
            return replay
        aggregate = make()
        done = Done(aggregate.id, aggregate.version, extra or {})
        creating = what or Message(
            "{kind} {id}", kind=kind_words(type(aggregate)), id=str(aggregate.id)
        )
        return self._save(request, command, aggregate, done, creating=creating)

    def change(
        self,
        request: Request,
        command: str,
        cls: type[A],
        aggregate_id: UUID,
        change: Callable[[A], object],
        *,
        extra: dict[str, Any] | None = None,
        alongside: Callable[[A], Sequence[Aggregate]] | None = None,
    ) -> Done:
        """Decides on an existing aggregate, again after a race when no version was named;
        `alongside` makes new aggregates from the decision, saved in the same transaction."""
        replay = self._replay_of(request, command)
        if replay is not None:
            return replay
        expected = request.expected_version
        attempt = 1
        while True:
            aggregate = self.get(cls, aggregate_id)
            if expected is not None and aggregate.version != expected:
                raise VersionConflict(
                    "{kind} {id} is at version {current_version}, not {expected}",
                    kind=kind_words(cls),
                    id=str(aggregate_id),
                    current_version=aggregate.version,
                    expected=expected,
                )
            change(aggregate)
            together = alongside(aggregate) if alongside is not None else ()
            done = Done(aggregate.id, aggregate.version, extra or {})
            try:
                return self._save(request, command, aggregate, done, together=together)
            except VersionConflict:
                # Someone else wrote first. A caller who named no version asked for the change
                # on whatever is current: decide again on the new state (the rules run again).
                if expected is not None or attempt == CHANGE_ATTEMPTS:
                    raise
                attempt += 1

    def get(self, cls: type[A], aggregate_id: UUID) -> A:
        """Returns the aggregate, or NotFound naming what was asked for."""
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound("no {kind} {id}", kind=kind_words(cls), id=str(aggregate_id)) from None
        if not isinstance(aggregate, cls):
            raise NotFound("no {kind} {id}", kind=kind_words(cls), id=str(aggregate_id))
        return aggregate

    def user(self, name: str) -> User:
        return self.named(User, "user", name, N_("no user '{name}'"))

    def source(self, name: str) -> LiveSource:
        return self.named(LiveSource, "source", name, N_("no live source '{name}'"))

    def output(self, name: str) -> Output:
        return self.named(Output, "output", name, N_("no output '{name}'"))

    def outlet(self, name: str) -> Outlet:
        return self.named(Outlet, "outlet", name, N_("no outlet '{name}'"))

    def origin(self, name: str) -> Origin:
        return self.named(Origin, "origin", name, N_("no origin '{name}'"))

    def named(self, cls: type[A], kind: str, name: str, missing: str) -> A:
        """The aggregate whose id comes from its name (hub/names.py); NotFound says `missing`."""
        try:
            return self.get(cls, named_id(kind, name))
        except NotFound:
            raise NotFound(missing, name=name) from None

    def has_users(self) -> bool:
        return self.store.max_notification_id() is not None

    def handle(self, request: Request, command: Command) -> Done:
        """Carries out one command (declared in hub/commands) for the request's actor."""
        return command.run(self, request)


# What an aggregate is called in a message ("no story 3f…").
KIND_WORDS = {
    "Assignment": N_("assignment"),
    "Story": N_("story"),
    "User": N_("user"),
    "LiveSource": N_("live source"),
    "Output": N_("output"),
    "DispatchCommand": N_("command"),
    "Capture": N_("capture"),
    "Upload": N_("upload"),
    "Lead": N_("lead"),
    "Department": N_("department"),
    "Shift": N_("shift"),
    "Handover": N_("handover"),
    "Inspection": N_("inspection"),
    "OpinionFeed": N_("opinion feed"),
    "OpinionRule": N_("opinion rule"),
    "OpinionItem": N_("warning"),
    "Clip": N_("clip"),
    "Topic": N_("topic"),
    "ScoringRule": N_("scoring rule"),
    "Product": N_("product"),
    "ChannelProfile": N_("channel profile"),
    "Outlet": N_("outlet"),
    "Delivery": N_("delivery"),
    "Origin": N_("origin"),
    "Submission": N_("submission"),
    "EmergencyAlert": N_("emergency alert"),
}


def kind_words(cls: type) -> Message:
    return Message(KIND_WORDS.get(cls.__name__, cls.__name__.lower()))
