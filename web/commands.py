"""The API's commands, derived from their declarations (hub/commands): one route each.

The body model is the command's fields without those its path names (a DELETE takes them from
the query string); a path value that does not fit names nothing, hence 404. The command then goes
to `Newsroom.handle` like any other sender's.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError, create_model

from events.messages import Message
from hub.commands import Command, routed_commands
from hub.commands.base import Http
from hub.newsroom import Done, kind_words
from web.bodies import invalid
from web.endpoints import Call, Endpoint
from web.errors import ApiError
from web.schemas import Body, NoBody, WithToken
from web.schemas import Done as DoneAnswer


def sent_fields(cls: type[Command], http: Http) -> type[BaseModel]:
    """The model of what the caller sends besides the path: the command's other fields."""
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in cls.model_fields.items()
        if name not in http.path_fields
    }
    if not fields:
        return NoBody
    model: type[BaseModel] = create_model(
        cls.__name__, __base__=Body, __doc__=cls.__doc__, **fields
    )
    return model


def build(cls: type[Command], call: Call, http: Http) -> Command:
    """The command from the validated body (or query) and the path."""
    sent = call.body if http.takes_body else call.query
    fields = sent.model_dump() if sent is not None else {}
    fields.update({name: call.param(name) for name in http.path_fields})
    try:
        return cls.model_validate(fields)
    except ValidationError as error:
        for problem in error.errors():
            if problem["loc"] and problem["loc"][0] in http.path_fields:
                name = str(problem["loc"][0])
                words = Message("no {kind} '{id}'", kind=_noun(cls, name), id=call.param(name))
                raise ApiError(404, "not_found", words) from None
        raise invalid(error) from None


def _noun(cls: type[Command], field: str) -> Message:
    """What a 404 calls the thing a path value names: the command's `noun`, else its aggregate's
    kind, else the path field's name."""
    if hasattr(cls, "noun"):
        return Message(cls.noun)
    aggregate = getattr(cls, "aggregate", None)
    return kind_words(aggregate) if aggregate is not None else Message(field)


def endpoint_of(cls: type[Command]) -> Endpoint:
    """The API operation of a command with an `http` declaration."""
    http = cls.http
    assert http is not None, f"{cls.__name__} is not sent over the API"
    sent = sent_fields(cls, http)

    async def handler(call: Call) -> Done:
        command = build(cls, call, http)
        return await call.command(lambda r: call.newsroom.handle(r, command))

    handler.__name__ = cls.command_name()
    return Endpoint(
        method=http.method,
        path=http.path,
        handler=handler,
        summary=cls.summary(),
        tag=http.tag,
        answer=WithToken if http.answer == "token" else DoneAnswer,
        status=201 if http.creates or http.answer == "token" else 200,  # a new token is made
        body=sent if http.takes_body else None,
        query=None if http.takes_body else sent,
        roles=http.roles,
        writes=True,
        if_match="none" if http.creates else http.if_match,
        location=http.creates,
        description=http.description,
    )


ENDPOINTS: list[Endpoint] = [endpoint_of(cls) for cls in routed_commands()]
