"""One declaration per API operation: the route, who may call it, and the models it speaks.

An `Endpoint` builds its Starlette route and is also what /api/openapi.json is generated from, so
the document shows exactly what the route accepts. Every call goes the same way: authenticate
(writes refuse read-only callers), check the role, validate the query and the body, run the
handler, answer through the response model (with the version as ETag when there is one).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

from events.messages import Message
from events.roles import Role
from hub.errors import VersionConflict
from hub.newsroom import Done, Newsroom
from hub.newsroom import Request as Command
from hub.principals import Principal
from hub.readmodels import Models
from web.auth import authenticate_person, authenticate_writer, not_permitted
from web.bodies import invalid, read_body
from web.consistency import Freshness, WriteTracker
from web.errors import ApiError
from web.runtime import Runtime, runtime
from web.schemas import Done as DoneAnswer
from web.schemas import NoBody

T = TypeVar("T")
Handler = Callable[["Call"], Awaitable[Any]]
IfMatch = Literal["none", "optional", "required"]

IF_MATCH = re.compile(r'^\s*(?:W/)?"?([0-9]{1,18})"?\s*$')
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")


def parse_if_match(raw: str | None) -> int | None:
    """`3`, `"3"` and `W/"3"` name version 3; `*` (any version) and absence name none."""
    if raw is None or raw.strip() == "*":
        return None
    found = IF_MATCH.match(raw)
    if found is None:
        raise ApiError(
            400,
            "bad_header",
            Message("If-Match must name one version, like \"3\", not '{raw}'", raw=raw),
        )
    return int(found.group(1))


def parse_idempotency_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not IDEMPOTENCY_KEY.match(raw):
        raise ApiError(400, "bad_header", "Idempotency-Key must be 1-128 visible ASCII characters")
    return raw


def write_tracker(rt: Runtime) -> WriteTracker:
    if rt.write_tracker is None:
        rt.write_tracker = WriteTracker(rt.newsroom.store)
    return rt.write_tracker


def freshness(rt: Runtime) -> Freshness:
    if rt.freshness is None:
        rt.freshness = Freshness(rt.models, asyncio.get_running_loop())
    return rt.freshness


async def execute(rt: Runtime, command: Command, work: Callable[[Command], Done]) -> Done:
    """Runs a command off the event loop; answers once the read models show it.

    A version conflict is 412 when the caller named the version (If-Match), else 409: another
    write got there first and a retry will see the new state.
    """
    tracker = write_tracker(rt)
    try:
        done, position = await run_in_threadpool(tracker.run, lambda: work(command))
    except VersionConflict as conflict:
        status = 412 if command.expected_version is not None else 409
        raise ApiError(
            status, conflict.code, conflict.words, current_version=conflict.current_version
        ) from None
    if position is not None:
        await freshness(rt).reach(position)
    return done


class EndpointRoute(Route):
    """A route whose 405 names every method its path answers, not only its own: Starlette hands
    a request to the first route whose path matches, and several endpoints share a path."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            routes: list[BaseRoute] = getattr(scope.get("router"), "routes", [self])
            allowed = sorted(methods_at(routes, scope))
            raise HTTPException(status_code=405, headers={"Allow": ", ".join(allowed)})
        await super().handle(scope, receive, send)


def methods_at(routes: list[BaseRoute], scope: Scope) -> set[str]:
    """The methods of every route whose path matches the request's."""
    found: set[str] = set()
    for route in routes:
        if isinstance(route, Route) and route.methods and route.matches(scope)[0] != Match.NONE:
            found |= route.methods
    return found


def endpoints_of(routes: list[BaseRoute]) -> list[Endpoint]:
    """The endpoints behind an application's routes, in order."""
    found = [getattr(getattr(route, "endpoint", None), "__self__", None) for route in routes]
    return [endpoint for endpoint in found if isinstance(endpoint, Endpoint)]


@dataclass
class Call:
    """One request as a handler sees it: who, the validated body and query, and the store."""

    request: Request
    rt: Runtime
    principal: Principal
    body: Any
    query: Any
    key: str | None = None
    expected_version: int | None = None
    etag: int | None = None

    @property
    def newsroom(self) -> Newsroom:
        return self.rt.newsroom

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def uuid(self, what: str, name: str = "id") -> UUID:
        """The path's id; one that is not a UUID names nothing, hence 404."""
        raw = self.param(name)
        try:
            return UUID(raw)
        except ValueError:
            raise ApiError(
                404, "not_found", Message("no {kind} '{id}'", kind=Message(what), id=raw)
            ) from None

    async def command(self, work: Callable[[Command], Done]) -> Done:
        command = Command(
            self.principal.actor,
            datetime.now(UTC),
            key=self.key,
            expected_version=self.expected_version,
        )
        done = await execute(self.rt, command, work)
        self.etag = done.version
        return done

    async def read(self, work: Callable[[], T]) -> T:
        return await run_in_threadpool(work)

    async def read_models(self, work: Callable[[Models], T]) -> T:
        """Runs `work` on the in-memory read models while they hold still."""

        def holding() -> T:
            with self.rt.models.reading() as models:
                return work(models)

        return await run_in_threadpool(holding)


@dataclass(frozen=True)
class Endpoint:
    """An API operation: method, path, handler, the models it speaks, and who may call it."""

    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    answer: type[BaseModel] | None = None
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    roles: tuple[Role, ...] = ()  # empty: any signed-in person
    writes: bool = False
    if_match: IfMatch = "none"
    location: str | None = None  # for 201: where the new thing is read, with {id}
    streams: tuple[str, ...] = ()  # media types of a streamed answer (instead of `answer`)
    description: str = ""

    def route(self) -> Route:
        return EndpointRoute(self.path, self.serve, methods=[self.method], name=self.operation_id)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    async def serve(self, request: Request) -> Response:
        rt = runtime(request)
        call = await self.prepare(request, rt)
        result = await self.handler(call)
        if isinstance(result, Response):
            return result
        headers: dict[str, str] = {}
        if isinstance(result, Done):
            call.etag = result.version
            if self.location:
                headers["Location"] = self.location.format(id=result.id)
            result = result.as_dict()
        if call.etag is not None:
            headers["ETag"] = f'"{call.etag}"'
        payload = result
        if self.answer is not None:
            payload = self.answer.model_validate(result).model_dump(mode="json")
        return JSONResponse(payload, status_code=self.status, headers=headers)

    async def prepare(self, request: Request, rt: Runtime) -> Call:
        directory = rt.models.directory
        if self.writes:
            principal = authenticate_writer(request, directory)
        else:
            principal = authenticate_person(request, directory)
        if self.roles and not principal.has(*self.roles):
            doing = doing_words(self.summary)
            raise ApiError(403, "forbidden", not_permitted(principal.name, doing, self.roles))
        call = Call(request, rt, principal, None, self.parse_query(request))
        if self.writes:
            call.key = parse_idempotency_key(request.headers.get("idempotency-key"))
        if self.if_match != "none":
            call.expected_version = parse_if_match(request.headers.get("if-match"))
            if call.expected_version is None and self.if_match == "required":
                raise ApiError(
                    428, "if_match_required", "send If-Match with the version you changed"
                )
        if self.body is not None:
            call.body = await read_body(request, self.body)
        return call

    def parse_query(self, request: Request) -> Any:
        if self.query is None:
            return None
        try:
            return self.query.model_validate(dict(request.query_params))
        except ValidationError as error:
            refusal = invalid(error)
            raise ApiError(400, "bad_parameter", refusal.words, **refusal.extra) from None


def write_endpoint(
    path: str,
    handler: Handler,
    summary: str,
    tag: str,
    body: type[BaseModel] = NoBody,
    *,
    method: str = "POST",
    roles: tuple[Role, ...] = (),
    creates: str | None = None,
    answer: type[BaseModel] = DoneAnswer,
    if_match: IfMatch = "optional",
) -> Endpoint:
    """A write: 201 with Location when it creates, If-Match where a version can be named."""
    return Endpoint(
        method=method,
        path=path,
        handler=handler,
        summary=summary,
        tag=tag,
        answer=answer,
        status=201 if creates else 200,
        body=body,
        roles=roles,
        writes=True,
        if_match="none" if creates else if_match,
        location=creates,
    )


def doing_words(summary: str) -> str:
    """What an endpoint does, as the `doing` of a refusal: its summary, lower-cased."""
    return summary[0].lower() + summary[1:]
