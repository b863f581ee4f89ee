"""The OpenAPI document against the real server: generated requests (schemathesis) never cause a
500, and every answer conforms to the document (status, content type, headers, body schema).

Generated requests run with an admin's token (every operation reachable, path ids naming real
things) and with a reporter's (most refused with 403, which the document must also describe).
Schemathesis's coverage phase then sends, for every operation, each parameter and body field at
its bounds and, one at a time, with what the document forbids (another type, null, a missing
required field, a value out of range), which must be refused. Examples per operation are few so
that the file stays under a minute per store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.conftest import Staff
from tests.web.conftest import Hub

EXAMPLES = 12
# What refusing a request that does not fit the document may answer; 412 is also tus's answer to
# a missing Tus-Resumable.
REFUSALS = [400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 416, 422, 428, 429]
CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def load(hub_url: str) -> OpenApiSchema:
    """The hub's document, with refusals of what does not fit it allowed their usual statuses."""
    # tus PATCH bodies are plain bytes, sent like application/octet-stream.
    schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
    config = SchemathesisConfig.from_dict(
        {"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}}
    )
    return schemathesis.openapi.from_url(f"{hub_url}/api/openapi.json", config=config)


def fuzz(hub_url: str, token: str, *, ids: Hub | None = None) -> list[str]:
    """Runs every operation of the document; answers what failed."""
    schema = load(hub_url)
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        known = ids.ids_for(operation.path) if ids is not None else {}

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(path_parameters=known or None))
        def run(case: Any) -> None:
            case.call_and_validate(base_url=hub_url, headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as failure:  # one must not hide the others
            failures.append(f"{operation.label}: {failure}")
    assert operations > 40
    return failures + health_failures(hub_url)


def covered(hub: Hub) -> list[str]:
    """Runs the coverage phase's cases of every operation; answers what failed."""
    schema = load(hub.url)
    headers = {"Authorization": f"Bearer {hub.token}"}
    failures: list[str] = []
    cases = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        generated = CoverageGenerator(
            operation=operation,
            generation_modes=list(GenerationMode),
            generation_config=schema.config.generation_for(operation=operation, phase="coverage"),
            auth_storage=None,
            override=Override(path_parameters=hub.ids_for(operation.path)),
            feedback=FeedbackSources(),
        )
        for case in generated:
            cases += 1
            try:
                checks = [*CHECKS, negative_data_rejection]
                case.call_and_validate(base_url=hub.url, headers=headers, checks=checks)
            except (Exception, BaseExceptionGroup) as failure:
                failures.append(f"{operation.label}: {failure}")
                break  # the first failure of an operation says enough
    assert cases > 1000
    return failures + health_failures(hub.url)


def health_failures(hub_url: str) -> list[str]:
    """What was stored must fold into the read models too."""
    health = httpx.get(f"{hub_url}/api/health").json()
    return [] if health["status"] == "ok" else [f"the read models stopped: {health['failure']}"]


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


def test_generated_requests_as_an_admin(hub: Hub) -> None:
    assert fuzz(hub.url, hub.token, ids=hub) == []


def test_every_parameter_and_field_at_its_bounds_and_past_them(hub: Hub) -> None:
    assert covered(hub) == []


def test_generated_requests_as_a_reporter(hub_url: str, staff: Staff) -> None:
    assert fuzz(hub_url, staff.tokens["rui"]) == []
