"""The API's request and response models: routes validate with them, /api/openapi.json shows them.

Request bodies refuse unknown fields (a misspelt field is a 422 naming it, not silently ignored).
Response models allow extra fields, so a read model may grow without breaking older clients.
Commands declare their own fields (hub/commands); the kinds of field live in hub/commands/fields.py.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from hub.commands.fields import LINE, line, lines


class Body(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    """A response: fields beyond the documented ones may appear."""

    model_config = ConfigDict(extra="allow")


# -- request bodies ------------------------------------------------------------------------------


class NoBody(Body):
    """Nothing to send (an empty body, `{}` or `null`)."""


# -- answers to commands -------------------------------------------------------------------------


class Done(Answer):
    """What every command answers: the id of what changed and its new version (also the ETag)."""

    id: str
    version: int


class WithToken(Done):
    """A created user or source, or a new token: the secret is shown this once only."""

    token: str | None = Field(
        description="the secret, in the first answer only: a repeat of the request (the same "
        "Idempotency-Key) answers null, since only the token's hash is kept"
    )
    name: str | None = None
    token_id: str | None = Field(default=None, description="names the token to revoke it")
    message: str | None = Field(
        default=None, description="on a repeat: the token was shown once; issue a new one"
    )


# -- errors --------------------------------------------------------------------------------------


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(Answer):
    code: str
    message: str
    fields: list[FieldProblem] | None = Field(default=None, description="422: what is wrong")
    current_version: int | None = Field(default=None, description="412/409: the version now")


class Error(BaseModel):
    """Every refusal: a stable code and a message for people."""

    error: Problem


__all__ = ["LINE", "Answer", "Body", "Done", "Error", "NoBody", "WithToken", "line", "lines"]
