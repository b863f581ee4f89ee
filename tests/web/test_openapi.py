"""The OpenAPI document against the real server: generated requests (schemathesis) never cause a
500, and every answer conforms to the document (status, content type, headers, body schema).

Run once with an admin's token (every operation reachable) and once with a reporter's (most
refused with 403, which the document must also describe). Examples per operation are few so that
the file stays well under two minutes on both stores.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from events.roles import SYSTEM_ACTOR
from hub.newsroom import Request
from tests.conftest import Staff

EXAMPLES = 12
CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def admin_token(staff: Staff) -> str:
    """An admin, registered before the hub starts."""
    at = staff.clock.tick(1)
    done = staff.newsroom.register_user(Request(SYSTEM_ACTOR, at), name="ada", roles=["admin"])
    return str(done.extra["token"])


def fuzz(hub_url: str, token: str) -> list[str]:
    """Runs every operation of the document; answers what failed."""
    # tus PATCH bodies are plain bytes, sent like application/octet-stream.
    schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
    schema = schemathesis.openapi.from_url(f"{hub_url}/api/openapi.json")
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(base_url=hub_url, headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as failure:  # one operation's failure must not hide the others'
            failures.append(f"{operation.label}: {failure}")
    assert operations > 40
    health = httpx.get(f"{hub_url}/api/health").json()
    if health["status"] != "ok":  # what was stored must fold into the read models too
        failures.append(f"the read models stopped: {health['failure']}")
    return failures


def test_the_document_describes_the_api(client: httpx.Client, staff: Staff) -> None:
    document = client.get("/api/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    plan = document["paths"]["/api/assignments"]["post"]
    body = plan["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/PlanAssignment"}
    assert {"201", "401", "403", "415", "422"} <= set(plan["responses"])
    revise = document["paths"]["/api/stories/{id}"]["put"]
    if_match = next(p for p in revise["parameters"] if p["name"] == "If-Match")
    assert if_match["required"] is True and "428" in revise["responses"]
    audit = document["paths"]["/api/audit"]["get"]
    assert {p["name"] for p in audit["parameters"]} == {
        "actor",
        "subject",
        "after",
        "upto",
        "limit",
    }
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer" and schemes["session"]["in"] == "cookie"
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]


def test_generated_requests_as_an_admin(admin_token: str, hub_url: str) -> None:
    assert fuzz(hub_url, admin_token) == []


def test_generated_requests_as_a_reporter(hub_url: str, staff: Staff) -> None:
    assert fuzz(hub_url, staff.tokens["rui"]) == []
