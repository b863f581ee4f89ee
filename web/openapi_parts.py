"""Building blocks of the OpenAPI document: component schemas from pydantic models, answers,
parameters, and operations written by hand."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from web.schemas import Error

REF = "#/components/schemas/{model}"
ERRORS = {
    400: "Bad JSON, parameter or header",
    401: "No valid credentials",
    403: "Not allowed for this caller (role, ownership, read-only token, CSRF)",
    404: "No such thing",
    409: "The current state forbids it, or a concurrent write came first",
    412: "If-Match names an old version: the answer names the current one",
    413: "The body is too large",
    415: "The body is not JSON",
    422: "The body does not fit: the fields at fault are named",
    428: "If-Match is required",
    429: "Too many failed sign-ins: see Retry-After",
    503: "The store cannot be used right now: retry after Retry-After (a write with its key)",
}
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 503)
READ_ERRORS = (400, 401, 403, 404)


class Schemas:
    """Collects the models an operation names and renders them as components."""

    def __init__(self) -> None:
        self.wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {}

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, str]:
        self.wanted[(model, mode)] = None
        return {"$ref": REF.format(model=model.__name__)}

    def components(self) -> dict[str, Any]:
        refs, top = models_json_schema(list(self.wanted), ref_template=REF)
        schemas: dict[str, Any] = top.get("$defs", {})
        for (model, _), ref in refs.items():  # a model used both ways gets one name per way
            assert ref["$ref"].endswith(model.__name__), "request and answer models must differ"
        return schemas


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def error_answers(schemas: Schemas, statuses: Iterable[int]) -> dict[str, Any]:
    error = schemas.ref(Error, "serialization")
    return {
        str(status): {"description": ERRORS[status], "content": json_content(error)}
        for status in sorted(set(statuses))
    }


def header(name: str, pattern: str, description: str, *, required: bool = False) -> dict[str, Any]:
    schema = {"type": "string", "pattern": pattern}
    return {
        "name": name,
        "in": "header",
        "required": required,
        "schema": schema,
        "description": description,
    }


def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def described(
    op_id: str,
    summary: str,
    responses: dict[str, Any],
    *,
    params: Iterable[dict[str, Any]] = (),
    body: dict[str, Any] | None = None,
    public: bool = False,
    tag: str = "session",
) -> dict[str, Any]:
    """An operation written by hand."""
    op: dict[str, Any] = {"operationId": op_id, "summary": summary, "tags": [tag]}
    op["parameters"] = list(params)
    if body is not None:
        op["requestBody"] = {"required": True, "content": body}
    if public:
        op["security"] = []
    op["responses"] = responses
    return op


def answer(schemas: Schemas, model: type[BaseModel], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": json_content(schemas.ref(model, "serialization")),
    }
