"""The JSON API's routes: every command (derived from its declaration in hub/commands), the reads,
/metrics and the OpenAPI document that describes them."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web import (
    api_alerts,
    api_captures,
    api_clips,
    api_duty,
    api_leads,
    api_opinion,
    api_outlets,
    api_people,
    api_products,
    api_queries,
    api_topics,
    commands,
    metrics,
    openapi,
)

# The modules whose declared endpoints (web/endpoints.py) make the API's routes.
ENDPOINT_MODULES = (
    commands,
    api_people,
    api_queries,
    api_captures,
    api_leads,
    api_duty,
    api_opinion,
    api_clips,
    api_topics,
    api_products,
    api_alerts,
    api_outlets,
)

routes: list[BaseRoute] = [
    *(endpoint.route() for module in ENDPOINT_MODULES for endpoint in module.ENDPOINTS),
    *api_opinion.routes,
    *api_alerts.routes,
    *metrics.routes,
    *openapi.routes,
]
