"""The operations of the document written by hand: sign-in, the reads of web/api_reads.py,
/metrics, the document itself, and the tus uploads (whose headers are the protocol)."""

from __future__ import annotations

from typing import Any

from web import answers
from web.openapi_parts import (
    Schemas,
    answer,
    described,
    error_answers,
    json_content,
    query,
)
from web.security import Login, Me
from web.uploads import OFFSET_TYPE, TUS_VERSION


def hand_written(schemas: Schemas) -> dict[str, dict[str, Any]]:
    """The routes that are not `Endpoint`s, keyed by path."""
    me = {"200": answer(schemas, Me, "The caller")}
    text = {
        "200": {
            "description": "Prometheus text format",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    }
    login = json_content(schemas.ref(Login, "validation"))
    at = query("at", {"type": "string"}, "an ISO 8601 time or a log position")
    position = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}
    after = query("after", position, "the position to continue after")
    limit = query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "how many")
    health = answer(schemas, answers.Health, "The store and the read models")
    return {
        "/api/login": {
            "post": described(
                "login",
                "Sign in with a password (sets the session cookie)",
                {**me, **error_answers(schemas, (400, 401, 413, 415, 422, 429))},
                body=login,
                public=True,
            )
        },
        "/api/session": {
            "post": described(
                "trade_token_for_session",
                "Trade a bearer token for a session cookie (wall displays)",
                {**me, **error_answers(schemas, (400, 401, 403))},
            )
        },
        "/api/me": {
            "get": described(
                "me",
                "Who am I (and my session's CSRF token)",
                {**me, **error_answers(schemas, (401, 403))},
            )
        },
        "/api/wall": {
            "get": described(
                "wall",
                "The wall now, or replayed",
                {
                    "200": answer(schemas, answers.Wall, "The wall"),
                    **error_answers(schemas, (400, 401, 403)),
                },
                params=[at],
            )
        },
        "/api/events": {
            "get": described(
                "events",
                "The event log in global order",
                {
                    "200": answer(schemas, answers.EventPage, "A page"),
                    **error_answers(schemas, (400, 401, 403)),
                },
                params=[after, limit],
            )
        },
        "/api/health": {
            "get": described(
                "health",
                "Is the store reachable, are the read models current",
                {"200": health, "503": health},
                public=True,
            )
        },
        "/metrics": {
            "get": described(
                "prometheus_metrics",
                "Figures for Prometheus (technicians, admins, or HUB_METRICS_TOKEN)",
                {**text, **error_answers(schemas, (401, 403))},
            )
        },
        "/api/openapi.json": {
            "get": described(
                "openapi",
                "This document",
                {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": json_content({"type": "object"}),
                    }
                },
                public=True,
            )
        },
    }


def upload_paths() -> dict[str, dict[str, Any]]:
    """The protocol as OpenAPI paths (tus 1.0.0 headers)."""
    error = {"$ref": "#/components/schemas/Error"}
    resumable = {
        "name": "Tus-Resumable",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "enum": [TUS_VERSION]},
    }
    upload_id = {"name": "upload_id", "in": "path", "required": True, "schema": {"type": "string"}}

    def refusals(*statuses: int) -> dict[str, Any]:
        return {
            str(s): {"description": "refused", "content": {"application/json": {"schema": error}}}
            for s in statuses
        }

    def header(name: str, *, required: bool = True) -> dict[str, Any]:
        return {"name": name, "in": "header", "required": required, "schema": {"type": "string"}}

    return {
        "/api/uploads": {
            "options": {
                "operationId": "tus_options",
                "summary": "The protocol and size limit",
                "tags": ["uploads"],
                "security": [],
                "responses": {"204": {"description": "Tus-Version, Tus-Max-Size, Tus-Extension"}},
            },
            "post": {
                "operationId": "tus_create",
                "summary": "Start an upload",
                "tags": ["uploads"],
                "parameters": [
                    resumable,
                    {
                        **header("Upload-Length"),
                        "schema": {"type": "string", "pattern": "^[0-9]{1,15}$"},
                    },
                    {
                        **header("Upload-Metadata", required=False),
                        "description": "filename, filetype, assignment (base64)",
                    },
                ],
                "responses": {
                    "201": {"description": "created: see Location"},
                    **refusals(400, 401, 403, 404, 412, 413, 422),
                },
            },
        },
        "/api/uploads/{upload_id}": {
            "head": {
                "operationId": "tus_offset",
                "summary": "How many bytes are in",
                "tags": ["uploads"],
                "parameters": [upload_id, resumable],
                "responses": {
                    "200": {"description": "Upload-Offset"},
                    **{str(s): {"description": "refused"} for s in (401, 403, 404, 412)},
                },
            },
            "patch": {
                "operationId": "tus_append",
                "summary": "Append at the offset",
                "tags": ["uploads"],
                "parameters": [
                    upload_id,
                    resumable,
                    {
                        **header("Upload-Offset"),
                        "schema": {"type": "string", "pattern": "^[0-9]{1,15}$"},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {OFFSET_TYPE: {"schema": {"type": "string", "format": "binary"}}},
                },
                "responses": {
                    "204": {
                        "description": "appended: Upload-Offset (and Capture-Id when complete)"
                    },
                    **refusals(400, 401, 403, 404, 409, 412, 415),
                },
            },
            "delete": {
                "operationId": "tus_abandon",
                "summary": "Abandon an upload",
                "tags": ["uploads"],
                "parameters": [upload_id, resumable],
                "responses": {"204": {"description": "gone"}, **refusals(401, 403, 404, 409, 412)},
            },
        },
    }
