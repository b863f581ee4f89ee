"""The JSON API's routes: every command (derived from its declaration in hub/commands), the reads,
/metrics and the OpenAPI document that describes them."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web import (
    api_captures,
    api_clips,
    api_people,
    api_products,
    api_queries,
    api_topics,
    commands,
    metrics,
    openapi,
)

routes: list[BaseRoute] = [
    *(endpoint.route() for endpoint in commands.ENDPOINTS),
    *(endpoint.route() for endpoint in api_people.ENDPOINTS),
    *(endpoint.route() for endpoint in api_queries.ENDPOINTS),
    *(endpoint.route() for endpoint in api_captures.ENDPOINTS),
    *(endpoint.route() for endpoint in api_products.ENDPOINTS),
    *(endpoint.route() for endpoint in api_clips.ENDPOINTS),
    *(endpoint.route() for endpoint in api_topics.ENDPOINTS),
    *metrics.routes,
    *openapi.routes,
]
