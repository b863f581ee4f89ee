"""GET /api/openapi.json: the OpenAPI 3.1 document, generated from the routes the app really serves.

Every `Endpoint` route contributes its path, method, parameters, request body and answers from the
very pydantic models it validates with; the few hand-written routes (sign-in, the wall and event
log reads, tus uploads, /metrics) are described in web/openapi_manual.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from web.endpoints import IDEMPOTENCY_KEY, Endpoint, endpoints_of
from web.openapi_manual import hand_written, upload_paths
from web.openapi_parts import (
    READ_ERRORS,
    REF,
    WRITE_ERRORS,
    Schemas,
    error_answers,
    header,
    json_content,
)
from web.runtime import runtime

PATH_PARAM = re.compile(r"{(\w+)}")
UUID_PARAMS = ("/api/assignments/", "/api/stories/", "/api/commands/")
TAGS = (
    "assignments",
    "dispatch",
    "stories",
    "live",
    "people",
    "audit",
    "session",
    "uploads",
    "outlets",
    "submissions",
)


def path_parameters(path: str) -> list[dict[str, Any]]:
    params = []
    for name in PATH_PARAM.findall(path):
        schema: dict[str, Any] = {"type": "string"}
        if name == "id" and path.startswith(UUID_PARAMS):
            schema["format"] = "uuid"
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """A query model's fields as parameters (a query string cannot say null, so that goes)."""
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        options = [o for o in prop.pop("anyOf", []) if o != {"type": "null"}]
        if len(options) == 1:
            prop.update(options[0])
        prop.pop("default", None)
        prop.pop("title", None)
        description = prop.pop("description", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def operation(endpoint: Endpoint, schemas: Schemas) -> dict[str, Any]:
    """The OpenAPI operation of one endpoint."""
    params = path_parameters(endpoint.path)
    if endpoint.query is not None:
        params += query_parameters(endpoint.query)
    if endpoint.writes:
        params.append(
            header("Idempotency-Key", IDEMPOTENCY_KEY.pattern, "a retry returns the first answer")
        )
    if endpoint.if_match != "none":
        required = endpoint.if_match == "required"
        params.append(
            header("If-Match", r'^(W/)?"?[0-9]{1,18}"?$', "the version you saw", required=required)
        )
    answer: dict[str, Any] = {"description": endpoint.summary}
    if endpoint.streams:
        answer["content"] = {media: {"schema": {"type": "string"}} for media in endpoint.streams}
    elif endpoint.answer is not None:
        answer["content"] = json_content(schemas.ref(endpoint.answer, "serialization"))
    if endpoint.writes or "{id}" in endpoint.path:
        answer["headers"] = {"ETag": {"schema": {"type": "string"}, "description": "version"}}
    errors: list[int] = list(WRITE_ERRORS if endpoint.writes else READ_ERRORS)
    if endpoint.if_match != "none":
        errors.append(412)
    if endpoint.if_match == "required":
        errors.append(428)
    op: dict[str, Any] = {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "parameters": params,
        "responses": {str(endpoint.status): answer, **error_answers(schemas, errors)},
    }
    if endpoint.description:
        op["description"] = endpoint.description
    if endpoint.body is not None:
        body_schema: dict[str, Any] = schemas.ref(endpoint.body, "validation")
        if not endpoint.body.model_fields:  # a command that reads nothing takes null as nothing
            body_schema = {"anyOf": [body_schema, {"type": "null"}]}
        op["requestBody"] = {
            "required": takes_fields(endpoint.body),
            "content": json_content(body_schema),
        }
    return op


def takes_fields(model: type[BaseModel]) -> bool:
    """Whether a body must be sent: an absent one counts as `{}`, which fits only a model whose
    fields all have defaults."""
    return any(field.is_required() for field in model.model_fields.values())


def document(routes: Iterable[BaseRoute], *, title: str) -> dict[str, Any]:
    """The OpenAPI document of the app's routes, with the operations written by hand."""
    schemas = Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints_of(list(routes)):
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation(endpoint, schemas)
    for path, operations in [*hand_written(schemas).items(), *upload_paths().items()]:
        paths.setdefault(path, {}).update(operations)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": "1",
            "description": "The hub's JSON API: see docs/api.md for the choices it makes.",
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": tag} for tag in TAGS],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas.components(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "hub_session"},
            },
        },
        "security": [{"bearer": []}, {"session": []}],
    }


async def get_openapi(request: Request) -> JSONResponse:
    rt = runtime(request)
    if rt.openapi is None:
        title = f"{rt.settings.centre_name} hub"
        rt.openapi = document(request.app.routes, title=title)
    return JSONResponse(rt.openapi)


routes: list[BaseRoute] = [Route("/api/openapi.json", get_openapi, methods=["GET"])]
