"""The newsroom application: one method per command, each taking the actor and the time.

Every write goes through `_run`: load the aggregate, check the expected version (optimistic
concurrency), let the domain decide, and save, storing the answer under the caller's idempotency
key in the same transaction, so a retried request returns the first answer and stores nothing new.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from events.assignment import Assignment
from events.base import Location
from events.capture import Capture, Upload
from events.dispatch import DispatchCommand
from events.media import LiveSource, Output
from events.roles import Actor, Role
from events.story import Story
from events.user import User
from hub.config import Settings
from hub.credentials import SECRET_FIELD, NewToken, Passwords, new_token
from hub.errors import AlreadyExists, KeyReused, NotFound, VersionConflict
from hub.store.recorder import DuplicateRequest, HubRecorder

A = TypeVar("A", bound=Aggregate)
NAMESPACE = uuid5(NAMESPACE_URL, "urn:hub:newsroom")


def named_id(kind: str, name: str) -> UUID:
    """The id of a named thing (user, source, output) is derived from its name."""
    return uuid5(NAMESPACE, f"{kind}:{name}")


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
                f"idempotency key {request.key!r} was used for {found.command}, not {command}"
            )
        return Done.from_json(found.result)

    def _save(
        self,
        request: Request,
        command: str,
        aggregate: Aggregate,
        done: Done,
        *,
        creating: str | None = None,
    ) -> Done:
        """Saves with the idempotency record; `creating` names what a taken id means exists."""
        idempotency = None
        if request.key is not None:
            idempotency = (request.actor.name, request.key, command, done.to_json())
        try:
            self.save(aggregate, idempotency=idempotency)
        except DuplicateRequest:
            replay = self._replay_of(request, command)
            assert replay is not None
            return replay
        except IntegrityError:
            if creating is not None:
                raise AlreadyExists(f"{creating} exists already") from None
            current = self._current_version(aggregate.id)
            kind = type(aggregate).__name__.lower()
            raise VersionConflict(
                f"{kind} {aggregate.id} changed meanwhile: it is at version {current}",
                current,
            ) from None
        return done

    def _current_version(self, aggregate_id: UUID) -> int:
        events = self.store.select_events(aggregate_id, desc=True, limit=1)
        return events[0].originator_version if events else 0

    def _create(
        self, request: Request, command: str, make: Callable[[], A], *, what: str = ""
    ) -> Done:
        replay = self._replay_of(request, command)
        if replay is not None:
            return replay
        aggregate = make()
        done = Done(aggregate.id, aggregate.version)
        creating = what or f"{type(aggregate).__name__.lower()} {aggregate.id}"
        return self._save(request, command, aggregate, done, creating=creating)

    def _change(
        self,
        request: Request,
        command: str,
        cls: type[A],
        aggregate_id: UUID,
        change: Callable[[A], object],
        *,
        extra: dict[str, Any] | None = None,
    ) -> Done:
        replay = self._replay_of(request, command)
        if replay is not None:
            return replay
        expected = request.expected_version
        attempt = 1
        while True:
            aggregate = self.get(cls, aggregate_id)
            if expected is not None and aggregate.version != expected:
                kind = cls.__name__.lower()
                raise VersionConflict(
                    f"{kind} {aggregate_id} is at version {aggregate.version}, not {expected}",
                    aggregate.version,
                )
            change(aggregate)
            done = Done(aggregate.id, aggregate.version, extra or {})
            try:
                return self._save(request, command, aggregate, done)
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
            raise NotFound(f"no {cls.__name__.lower()} {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {cls.__name__.lower()} {aggregate_id}")
        return aggregate

    def user(self, name: str) -> User:
        try:
            return self.get(User, named_id("user", name))
        except NotFound:
            raise NotFound(f"no user {name!r}") from None

    def source(self, name: str) -> LiveSource:
        try:
            return self.get(LiveSource, named_id("source", name))
        except NotFound:
            raise NotFound(f"no live source {name!r}") from None

    def output(self, name: str) -> Output:
        try:
            return self.get(Output, named_id("output", name))
        except NotFound:
            raise NotFound(f"no output {name!r}") from None

    def has_users(self) -> bool:
        return self.store.max_notification_id() is not None

    # -- users ----------------------------------------------------------------------------------

    def register_user(
        self,
        r: Request,
        *,
        name: str,
        roles: list[str],
        display_name: str = "",
        password: str | None = None,
    ) -> Done:
        """Registers a person or a display; answers with a first bearer token (`token`)."""
        r.actor.require(Role.ADMIN, doing="register users")
        replay = self._replay_of(r, "register_user")
        if replay is not None:
            return replay
        user = User.register(
            id=named_id("user", name),
            at=r.at,
            actor=r.actor.name,
            name=name,
            display_name=display_name,
            roles=roles,
        )
        if password:
            user.set_password(
                at=r.at, actor=r.actor.name, password_hash=self.passwords.hash(password)
            )
        token = new_token()
        user.issue_token(
            at=r.at,
            actor=r.actor.name,
            token_id=token.token_id,
            token_hash=token.hash,
            label="first",
        )
        done = Done(
            user.id, user.version, {"name": name, "token_id": token.token_id, SECRET: token.secret}
        )
        return self._save(r, "register_user", user, done, creating=f"user {name!r}")

    def set_password(self, r: Request, *, name: str, password: str) -> Done:
        if r.actor.name != name:
            r.actor.require(Role.ADMIN, doing=f"set the password of {name}")
        password_hash = self.passwords.hash(password)
        return self._change(
            r,
            "set_password",
            User,
            self.user(name).id,
            lambda u: u.set_password(at=r.at, actor=r.actor.name, password_hash=password_hash),
        )

    def issue_token(self, r: Request, *, name: str, label: str) -> Done:
        if r.actor.name != name:
            r.actor.require(Role.ADMIN, doing=f"issue tokens for {name}")
        token = new_token()
        return self._change(
            r,
            "issue_token",
            User,
            self.user(name).id,
            lambda u: u.issue_token(
                at=r.at,
                actor=r.actor.name,
                token_id=token.token_id,
                token_hash=token.hash,
                label=label,
            ),
            extra={SECRET: token.secret, "token_id": token.token_id},
        )

    def revoke_token(self, r: Request, *, name: str, token_id: str, reason: str) -> Done:
        if r.actor.name != name:
            r.actor.require(Role.ADMIN, doing=f"revoke tokens of {name}")
        return self._change(
            r,
            "revoke_token",
            User,
            self.user(name).id,
            lambda u: u.revoke_token(at=r.at, actor=r.actor.name, token_id=token_id, reason=reason),
        )

    def change_roles(self, r: Request, *, name: str, roles: list[str], reason: str) -> Done:
        r.actor.require(Role.ADMIN, doing="change roles")
        return self._change(
            r,
            "change_roles",
            User,
            self.user(name).id,
            lambda u: u.change_roles(at=r.at, actor=r.actor.name, roles=roles, reason=reason),
        )

    # -- assignments ----------------------------------------------------------------------------

    def plan_assignment(
        self,
        r: Request,
        *,
        title: str,
        brief: str,
        location: Location,
        priority: str = "normal",
        due: datetime | None = None,
        channels: list[str] | None = None,
    ) -> Done:
        return self._create(
            r,
            "plan_assignment",
            lambda: Assignment.plan(
                id=uuid4(),
                at=r.at,
                actor=r.actor,
                title=title,
                brief=brief,
                location=location,
                priority=priority,
                due=due,
                channels=channels or [],
            ),
        )

    def assign_reporter(self, r: Request, assignment: UUID, *, reporter: str) -> Done:
        person = self.user(reporter)
        if Role.REPORTER.value not in person.roles:
            raise NotFound(f"{reporter} is not a reporter")
        return self._change(
            r,
            "assign_reporter",
            Assignment,
            assignment,
            lambda a: a.assign(at=r.at, actor=r.actor, reporter=reporter),
        )

    def accept_assignment(self, r: Request, assignment: UUID) -> Done:
        return self._change(
            r,
            "accept_assignment",
            Assignment,
            assignment,
            lambda a: a.accept(at=r.at, actor=r.actor),
        )

    def decline_assignment(self, r: Request, assignment: UUID, *, reason: str) -> Done:
        return self._change(
            r,
            "decline_assignment",
            Assignment,
            assignment,
            lambda a: a.decline(at=r.at, actor=r.actor, reason=reason),
        )

    def check_in(self, r: Request, assignment: UUID, *, lat: float, lon: float) -> Done:
        return self._change(
            r,
            "check_in",
            Assignment,
            assignment,
            lambda a: a.check_in(at=r.at, actor=r.actor, lat=lat, lon=lon),
        )

    def file_assignment(self, r: Request, assignment: UUID) -> Done:
        return self._change(
            r,
            "file_assignment",
            Assignment,
            assignment,
            lambda a: a.file(at=r.at, actor=r.actor),
        )

    def close_assignment(self, r: Request, assignment: UUID) -> Done:
        return self._change(
            r,
            "close_assignment",
            Assignment,
            assignment,
            lambda a: a.close(at=r.at, actor=r.actor),
        )

    def cancel_assignment(self, r: Request, assignment: UUID, *, reason: str) -> Done:
        return self._change(
            r,
            "cancel_assignment",
            Assignment,
            assignment,
            lambda a: a.cancel(at=r.at, actor=r.actor, reason=reason),
        )

    # -- dispatch commands ----------------------------------------------------------------------

    def issue_command(
        self, r: Request, *, to: str, text: str, assignment: UUID | None = None
    ) -> Done:
        self.user(to)
        if assignment is not None:
            self.get(Assignment, assignment)
        return self._create(
            r,
            "issue_command",
            lambda: DispatchCommand.issue(
                id=uuid4(), at=r.at, actor=r.actor, to=to, assignment=assignment, text=text
            ),
        )

    def deliver_command(self, r: Request, command: UUID, *, via: str) -> Done:
        return self._change(
            r,
            "deliver_command",
            DispatchCommand,
            command,
            lambda c: c.deliver(at=r.at, actor=r.actor, via=via),
        )

    def acknowledge_command(self, r: Request, command: UUID) -> Done:
        return self._change(
            r,
            "acknowledge_command",
            DispatchCommand,
            command,
            lambda c: c.acknowledge(at=r.at, actor=r.actor),
        )

    # -- captures and stories -------------------------------------------------------------------

    def register_capture(
        self,
        r: Request,
        *,
        assignment: UUID | None,
        kind: str,
        filename: str,
        content_type: str,
        size: int,
        sha256: str,
        duration: float | None = None,
        source: str | None = None,
        location: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ) -> Done:
        if assignment is not None:
            self.get(Assignment, assignment)
        return self._create(
            r,
            "register_capture",
            lambda: Capture.register(
                id=uuid4(),
                at=r.at,
                actor=r.actor,
                assignment=assignment,
                kind=kind,
                filename=filename,
                content_type=content_type,
                size=size,
                sha256=sha256,
                duration=duration,
                source=source,
                location=location,
                details=details,
            ),
        )

    def refuse_upload(
        self,
        r: Request,
        *,
        upload: UUID,
        assignment: UUID | None,
        filename: str,
        declared_type: str,
        detected_type: str | None,
        size: int,
    ) -> Done:
        """Records that an upload was not kept: its content is of a type the newsroom refuses."""
        return self._create(
            r,
            "refuse_upload",
            lambda: Upload.refuse(
                id=upload,
                at=r.at,
                actor=r.actor,
                assignment=assignment,
                filename=filename,
                declared_type=declared_type,
                detected_type=detected_type,
                size=size,
            ),
        )

    def draft_story(
        self,
        r: Request,
        *,
        assignment: UUID | None,
        title: str,
        body: str,
        captures: list[UUID] | None = None,
    ) -> Done:
        if assignment is not None:
            self.get(Assignment, assignment).require_story_writer(r.actor)
        for capture in captures or []:
            self.get(Capture, capture)
        return self._create(
            r,
            "draft_story",
            lambda: Story.draft(
                id=uuid4(),
                at=r.at,
                actor=r.actor,
                assignment=assignment,
                title=title,
                body=body,
                captures=captures or [],
            ),
        )

    def revise_story(
        self, r: Request, story: UUID, *, title: str, body: str, captures: list[UUID] | None = None
    ) -> Done:
        for capture in captures or []:
            self.get(Capture, capture)
        return self._change(
            r,
            "revise_story",
            Story,
            story,
            lambda s: s.revise(
                at=r.at, actor=r.actor, title=title, body=body, captures=captures or []
            ),
        )

    def submit_story(self, r: Request, story: UUID) -> Done:
        return self._change(
            r, "submit_story", Story, story, lambda s: s.submit(at=r.at, actor=r.actor)
        )

    def review_story(self, r: Request, story: UUID, *, decision: str, reason: str) -> Done:
        return self._change(
            r,
            "review_story",
            Story,
            story,
            lambda s: s.review(at=r.at, actor=r.actor, decision=decision, reason=reason),
        )

    def publish_story(self, r: Request, story: UUID, *, channels: list[str]) -> Done:
        return self._change(
            r,
            "publish_story",
            Story,
            story,
            lambda s: s.publish(at=r.at, actor=r.actor, channels=channels),
        )

    def retract_story(
        self, r: Request, story: UUID, *, reason: str, channel: str | None = None
    ) -> Done:
        return self._change(
            r,
            "retract_story",
            Story,
            story,
            lambda s: s.retract(at=r.at, actor=r.actor, channel=channel, reason=reason),
        )

    # -- live sources and outputs ---------------------------------------------------------------

    def register_source(
        self, r: Request, *, name: str, kind: str, owner: str | None = None
    ) -> Done:
        """Registers a live source; answers with its publish token (`token`)."""
        if owner is not None:
            self.user(owner)
        replay = self._replay_of(r, "register_source")
        if replay is not None:
            return replay
        token: NewToken = new_token()
        source = LiveSource.register(
            id=named_id("source", name),
            at=r.at,
            actor=r.actor,
            name=name,
            kind=kind,
            owner=owner,
            token_id=token.token_id,
            token_hash=token.hash,
        )
        answer = {"name": name, "token_id": token.token_id, SECRET: token.secret}
        done = Done(source.id, source.version, answer)
        return self._save(r, "register_source", source, done, creating=f"live source {name!r}")

    def rotate_source_token(self, r: Request, name: str) -> Done:
        """Gives a source a new publish token (the old one stops working); answers with it."""
        token = new_token()
        return self._change(
            r,
            "rotate_source_token",
            LiveSource,
            self.source(name).id,
            lambda s: s.rotate_token(
                at=r.at, actor=r.actor, token_id=token.token_id, token_hash=token.hash
            ),
            extra={"name": name, "token_id": token.token_id, SECRET: token.secret},
        )

    def source_went_live(
        self,
        r: Request,
        name: str,
        *,
        session: str,
        publisher: str | None,
        codec: str,
        width: int,
        height: int,
    ) -> Done:
        source = self.source(name)
        assignment = self._current_assignment_of(publisher or source.owner)
        return self._change(
            r,
            "source_went_live",
            LiveSource,
            source.id,
            lambda s: s.went_live(
                at=r.at,
                actor=r.actor,
                session=session,
                publisher=publisher,
                assignment=assignment,
                codec=codec,
                width=width,
                height=height,
            ),
        )

    def source_interrupted(self, r: Request, name: str, *, session: str, reason: str) -> Done:
        return self._change(
            r,
            "source_interrupted",
            LiveSource,
            self.source(name).id,
            lambda s: s.interrupted(at=r.at, actor=r.actor, session=session, reason=reason),
        )

    def source_resumed(self, r: Request, name: str, *, session: str) -> Done:
        return self._change(
            r,
            "source_resumed",
            LiveSource,
            self.source(name).id,
            lambda s: s.resumed(at=r.at, actor=r.actor, session=session),
        )

    def source_ended(
        self, r: Request, name: str, *, session: str, reason: str, stats: dict[str, Any]
    ) -> Done:
        return self._change(
            r,
            "source_ended",
            LiveSource,
            self.source(name).id,
            lambda s: s.ended(at=r.at, actor=r.actor, session=session, reason=reason, stats=stats),
        )

    def _current_assignment_of(self, reporter: str | None) -> UUID | None:
        """The assignment a reporter is on (the wall shows it on their tile), if known."""
        if reporter is None:
            return None
        return self.assignment_locator(reporter) if self.assignment_locator else None

    assignment_locator: Callable[[str], UUID | None] | None = None

    def configure_output(
        self,
        r: Request,
        *,
        name: str,
        source: str | None,
        backup: str | None,
        slate_text: str,
        rtmp_url: str | None = None,
    ) -> Done:
        for source_name in (source, backup):
            if source_name is not None:
                self.source(source_name)
        return self._create(
            r,
            "configure_output",
            lambda: Output.configure(
                id=named_id("output", name),
                at=r.at,
                actor=r.actor,
                name=name,
                source=source,
                backup=backup,
                slate_text=slate_text,
                rtmp_url=rtmp_url,
            ),
            what=f"output {name!r}",
        )

    def start_output(self, r: Request, name: str) -> Done:
        return self._change(
            r,
            "start_output",
            Output,
            self.output(name).id,
            lambda o: o.start(at=r.at, actor=r.actor),
        )

    def switch_output(self, r: Request, name: str, *, source: str, reason: str = "") -> Done:
        self.source(source)
        return self._change(
            r,
            "switch_output",
            Output,
            self.output(name).id,
            lambda o: o.switch(at=r.at, actor=r.actor, source=source, reason=reason),
        )

    def set_output_backup(self, r: Request, name: str, *, backup: str | None) -> Done:
        if backup is not None:
            self.source(backup)
        return self._change(
            r,
            "set_output_backup",
            Output,
            self.output(name).id,
            lambda o: o.set_backup(at=r.at, actor=r.actor, backup=backup),
        )

    def output_failed_over(self, r: Request, name: str, *, to: str, reason: str) -> Done:
        return self._change(
            r,
            "output_failed_over",
            Output,
            self.output(name).id,
            lambda o: o.failed_over(at=r.at, actor=r.actor, to=to, reason=reason),
        )

    def output_recovered(self, r: Request, name: str, *, to: str) -> Done:
        return self._change(
            r,
            "output_recovered",
            Output,
            self.output(name).id,
            lambda o: o.recovered(at=r.at, actor=r.actor, to=to),
        )

    def output_destination_failed(
        self, r: Request, name: str, *, destination: str, error: str
    ) -> Done:
        return self._change(
            r,
            "output_destination_failed",
            Output,
            self.output(name).id,
            lambda o: o.destination_failed(
                at=r.at, actor=r.actor, destination=destination, error=error
            ),
        )

    def output_destination_recovered(self, r: Request, name: str, *, destination: str) -> Done:
        return self._change(
            r,
            "output_destination_recovered",
            Output,
            self.output(name).id,
            lambda o: o.destination_recovered(at=r.at, actor=r.actor, destination=destination),
        )

    def stop_output(self, r: Request, name: str, *, reason: str) -> Done:
        return self._change(
            r,
            "stop_output",
            Output,
            self.output(name).id,
            lambda o: o.stop(at=r.at, actor=r.actor, reason=reason),
        )
