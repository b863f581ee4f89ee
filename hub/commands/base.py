"""What a command is: a typed message, declared once, that the newsroom carries out.

A command is a pydantic model: its fields are what the caller sends (the JSON body, and the path
parameters its route names). Its class says who may send it and over which route (`Http`), and
its `run` decides on one aggregate through the newsroom's engine (`Newsroom.create` or
`Newsroom.change`: idempotency, optimistic concurrency, the save). The web layer derives the
route, its OpenAPI operation and the role matrix from the declaration; the CLI, the media facts
and the tests send the very same messages through `Newsroom.handle`. See docs/design.md.

A command with no `http` is sent only from inside the hub (media facts, recordings). A base that
declares what its commands share says `abstract=True` in its class line; the commands that change
one kind of aggregate share a base that names it there too:

    class OnStory(ById, on=Story, noun="story", abstract=True): ...

(`noun` is what a 404 calls one whose path value does not fit.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from pydantic import BaseModel, ConfigDict

from events.messages import Message
from events.roles import Role
from hub.commands.fields import Name
from hub.errors import NotFound

if TYPE_CHECKING:
    from hub.newsroom import Done, Newsroom, Request

AggregateT = TypeVar("AggregateT", bound=Aggregate)
IfMatch = Literal["none", "optional", "required"]
Answer = Literal["done", "token"]
PATH_PARAM = re.compile(r"{(\w+)}")
CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass(frozen=True)
class Http:
    """How a command is sent over the API, and who may send it."""

    method: str
    path: str
    tag: str
    roles: tuple[Role, ...] = ()  # empty: any signed-in person who may write
    creates: str | None = None  # answered 201 with this Location (`{id}` is the new id)
    if_match: IfMatch = "optional"
    answer: Answer = "done"  # "token": the answer carries a secret shown once
    description: str = ""

    @property
    def path_fields(self) -> tuple[str, ...]:
        return tuple(PATH_PARAM.findall(self.path))

    @property
    def takes_body(self) -> bool:
        """A DELETE carries its fields in the query string."""
        return self.method != "DELETE"


class Command(BaseModel):
    """A request to change the newsroom (subclasses declare the fields and `run`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    http: ClassVar[Http | None] = None
    keys: ClassVar[tuple[str, ...]] = ()  # the fields that find an aggregate, given to none
    abstract: ClassVar[bool]  # a base that is no command itself says so in its class line
    noun: ClassVar[str]  # what a 404 calls the thing of a path value that does not fit

    def __init_subclass__(
        cls, *, abstract: bool = False, noun: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        # (or, as before, in its body: `abstract: ClassVar[bool] = True`)
        cls.abstract = abstract or bool(vars(cls).get("abstract", False))
        if noun is not None:
            cls.noun = noun

    def given(self) -> dict[str, Any]:
        """The command's fields that are not its keys, by name: what the aggregate is given."""
        return {
            name: getattr(self, name) for name in type(self).model_fields if name not in self.keys
        }

    @classmethod
    def command_name(cls) -> str:
        """The name idempotency records keep: `PlanAssignment` is `plan_assignment`."""
        return CAMEL.sub("_", cls.__name__).lower()

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or cls.__name__).strip().splitlines()[0].rstrip(".")

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        raise NotImplementedError(f"{type(self).__name__} does not say how it runs")

    def new(
        self,
        factory: Callable[..., AggregateT],
        r: Request,
        id: UUID | None = None,
        /,
        **fields: Any,
    ) -> AggregateT:
        """Calls the aggregate's factory with `id` (a new one when absent), the request's time and
        actor, and the command's fields by name; `fields` stand for those it takes otherwise."""
        new_id = uuid4() if id is None else id
        return factory(id=new_id, at=r.at, actor=r.actor, **(self.given() | fields))

    def create_or_change(
        self,
        newsroom: Newsroom,
        r: Request,
        cls: type[AggregateT],
        aggregate_id: UUID,
        make: Callable[[], AggregateT],
        change: Callable[[AggregateT], object],
    ) -> Done:
        """Makes the one aggregate of this id the first time, and changes it every time after."""
        try:
            newsroom.get(cls, aggregate_id)
        except NotFound:
            return newsroom.create(r, self.command_name(), make)
        return newsroom.change(r, self.command_name(), cls, aggregate_id, change)


class Create(Command):
    """A command that makes a new aggregate."""

    def make(self, newsroom: Newsroom, r: Request) -> Aggregate:
        raise NotImplementedError

    def exists_as(self) -> Message | None:
        """How a taken id is named in the refusal (`user 'x' exists already`)."""
        return None

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        return newsroom.create(
            r, self.command_name(), lambda: self.make(newsroom, r), what=self.exists_as()
        )


class Change(Command):
    """A command that decides on one existing aggregate, found by `target`.

    Most commands are decided by one method of the aggregate that takes the command's fields by
    name: such a command names it in `calls`. `keys` are the fields that find the aggregate
    (passed to no method); one that decides otherwise overrides `decide`.
    """

    aggregate: ClassVar[type[Aggregate]]
    calls: ClassVar[str] = ""

    def __init_subclass__(cls, *, on: type[Aggregate] | None = None, **kwargs: Any) -> None:
        """`on` is the kind of aggregate the commands change."""
        super().__init_subclass__(**kwargs)
        if on is not None:
            cls.aggregate = on

    def target(self, newsroom: Newsroom) -> UUID:
        raise NotImplementedError

    def check(self, newsroom: Newsroom, r: Request) -> None:
        """What must hold outside the aggregate (a named person exists, ...); raises if not."""

    def decide(self, aggregate: Any, r: Request) -> None:
        if not self.calls:
            raise NotImplementedError(f"{type(self).__name__} does not say how it decides")
        getattr(aggregate, self.calls)(at=r.at, actor=r.actor, **self.given())

    def answer_extra(self) -> dict[str, Any]:
        """What the answer carries besides the id and version."""
        return {}

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        self.check(newsroom, r)
        return self.change(
            newsroom, r, lambda aggregate: self.decide(aggregate, r), extra=self.answer_extra()
        )

    def change(
        self,
        newsroom: Newsroom,
        r: Request,
        decide: Callable[[Any], object],
        *,
        extra: dict[str, Any] | None = None,
        alongside: Callable[[Any], Sequence[Aggregate]] | None = None,
    ) -> Done:
        """Decides on the target through the newsroom's engine (see `Newsroom.change`)."""
        return newsroom.change(
            r,
            self.command_name(),
            self.aggregate,
            self.target(newsroom),
            decide,
            extra=extra,
            alongside=alongside,
        )

    def change_keeping_secret(
        self,
        newsroom: Newsroom,
        r: Request,
        decide: Callable[[Any], object],
        secret_id: str,
        secret: str,
        *,
        extra: dict[str, Any] | None = None,
    ) -> Done:
        """Decides on the target and keeps `secret` as the target's `secret_id` once the rules
        allowed the decision, before the event naming it is saved: a refusal keeps nothing, an
        event never names a lost secret, and a decision made again after a race keeps it once."""
        kept = False

        def deciding(aggregate: Any) -> None:
            nonlocal kept
            decide(aggregate)
            if not kept:
                newsroom.store.keep_secret(aggregate.id, secret_id, secret)
                kept = True

        return self.change(newsroom, r, deciding, extra=extra)


class ByName(Change, abstract=True):
    """A change to the aggregate the path names by its `name`."""

    keys: ClassVar[tuple[str, ...]] = ("name",)
    name: Name


class ById(Change, abstract=True):
    """A change to the aggregate whose id the path names."""

    keys: ClassVar[tuple[str, ...]] = ("id",)
    id: UUID

    def target(self, newsroom: Newsroom) -> UUID:
        return self.id
