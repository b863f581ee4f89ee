"""GET /metrics in the Prometheus text format, from a registry of this application's own.

Read by technicians and admins with their own credentials, and by a scraper with the bearer
token set in HUB_METRICS_TOKEN (which opens nothing else).

Each application builds its `HubMetrics` (never prometheus-client's global registry, so two hubs
in one process, as in the tests, do not mix their figures). Other parts add what they know with
`metrics_of(rt).add(collector)`: any object with a `collect()` yielding metric families, e.g. the
media engine's frames and viewers.
"""

from __future__ import annotations

import gc
import hmac
import time
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from events.messages import N_
from hub.errors import StoreUnavailable
from hub.follower import health_of
from hub.readers import OPERATIONS
from hub.readmodels import ReadModels
from web.auth import authenticate, authorization, require
from web.runtime import Runtime

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HubMetrics:
    """The registry of one application and the HTTP figures the middleware records."""

    def __init__(self, rt: Runtime) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "hub_http_requests",
            "HTTP requests answered, by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "hub_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.add(LogCollector(rt))
        self.add(HeapCollector(rt))
        self.add(LoopCollector(rt))

    def add(self, collector: Collector) -> None:
        """Adds figures collected at scrape time (e.g. the media engine's)."""
        self.registry.register(collector)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


@dataclass(eq=False)  # registered by identity
class RuntimeCollector:
    """Figures read from the application's runtime at scrape time."""

    rt: Runtime


class LogCollector(RuntimeCollector):
    """The log's head, how far the read models have folded it, whether the store can be used,
    and the wall feed's clients. While the store cannot be used the head is unknown: the log
    position and the lag are left out (an absent series), and `hub_store_reachable` is 0."""

    def collect(self) -> Iterator[Metric]:
        models = self.rt.models
        yield from self._log(models)
        store = models.store.watch.status
        yield GaugeMetricFamily(
            "hub_store_reachable", "1 while this process can use its store", int(store.reachable)
        )
        yield GaugeMetricFamily(
            "hub_store_status_since_seconds",
            "Unix time at which the store last became reachable or unreachable",
            store.since.timestamp(),
        )
        yield GaugeMetricFamily(
            "hub_read_model_failed",
            "1 when a read model stopped on an event it could not apply",
            1 if models.failure is not None else 0,
        )
        yield GaugeMetricFamily(
            "hub_read_model_healthy",
            "1 while the read models keep up with the log (what /api/health calls ok)",
            int(health_of(models).ok),
        )
        yield GaugeMetricFamily(
            "hub_read_model_seconds_since_sync",
            "Seconds since the read models last read the log and folded what it held",
            max(0.0, time.monotonic() - models.synced_at),
        )
        yield from self._wall()

    def _log(self, models: ReadModels) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "hub_read_model_position", "Last position the read models applied", models.position
        )
        try:
            head = models.store.max_notification_id() or 0
        except StoreUnavailable:
            return
        yield GaugeMetricFamily("hub_log_position", "Position of the newest event in the log", head)
        yield GaugeMetricFamily(
            "hub_read_model_lag_events",
            "Events in the log the read models have not applied yet",
            max(0, head - models.position),
        )

    def _wall(self) -> Iterator[Metric]:
        feed = self.rt.wall_feed
        if feed is None:
            return
        yield GaugeMetricFamily(
            "hub_wall_clients", "WebSocket clients of the wall feed", feed.clients_connected
        )
        for name, attribute, text in (
            ("hub_wall_messages", "messages_total", "Messages sent to wall feed clients"),
            ("hub_wall_resyncs", "resyncs_total", "Wall feed clients resent a snapshot"),
        ):
            value = getattr(feed, attribute, None)
            if value is not None:
                yield CounterMetricFamily(name, text, value)


class HeapCollector(RuntimeCollector):
    """The garbage collector's pauses (hub/heap.py): a stalled wall may be a long collection."""

    def collect(self) -> Iterator[Metric]:
        pauses = self.rt.gc_pauses
        if pauses is None:
            return
        families = (
            CounterMetricFamily(
                "hub_gc_collections", "Garbage collections, by generation", labels=["generation"]
            ),
            CounterMetricFamily(
                "hub_gc_pause_seconds",
                "Time the garbage collector stopped the process, by generation",
                labels=["generation"],
            ),
            GaugeMetricFamily(
                "hub_gc_pause_longest_seconds",
                "The longest garbage collection so far, by generation",
                labels=["generation"],
            ),
        )
        for generation in range(3):
            label = [str(generation)]
            families[0].add_metric(label, pauses.collections[generation])
            families[1].add_metric(label, pauses.seconds[generation])
            families[2].add_metric(label, pauses.longest[generation])
        yield from families
        yield GaugeMetricFamily(
            "hub_gc_frozen_objects",
            "Objects frozen after start-up, which collections skip",
            gc.get_freeze_count(),
        )


class LoopCollector(RuntimeCollector):
    """How late the event loop wakes up (hub/loop_lag.py)."""

    def collect(self) -> Iterator[Metric]:
        lag = self.rt.loop_lag
        if lag is None:
            return
        yield GaugeMetricFamily(
            "hub_event_loop_lag_seconds",
            "How much later than asked the event loop last ran a timer (every 0.5 s)",
            lag.last,
        )
        yield GaugeMetricFamily(
            "hub_event_loop_lag_longest_seconds",
            "The event loop's longest lateness so far",
            lag.longest,
        )
        yield CounterMetricFamily(
            "hub_event_loop_late_seconds", "The event loop's lateness, all told", lag.total
        )
        yield CounterMetricFamily(
            "hub_event_loop_wakeups", "Timers the lateness was measured on", lag.wakeups
        )


def metrics_of(rt: Runtime) -> HubMetrics:
    """The application's metrics, made on first use."""
    if rt.metrics is None:
        rt.metrics = HubMetrics(rt)
    return rt.metrics


class MetricsMiddleware:
    """Counts every HTTP request by the route that matched (not the raw path: ids would explode)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rt: Runtime | None = getattr(scope["app"].state, "runtime", None)
        if scope["type"] != "http" or rt is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watching_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "(unmatched)"
            metrics_of(rt).observe(template, scope["method"], status, time.perf_counter() - started)


def admit_scraper(request: Request, rt: Runtime) -> None:
    """The scraper's token, or a technician's (or admin's) credentials; 401/403 otherwise."""
    expected = rt.settings.metrics_token
    presented = authorization(request.headers)
    token = presented.token if presented is not None else None
    if expected and token is not None and hmac.compare_digest(token.encode(), expected.encode()):
        return
    require(authenticate(request, rt.models.directory), *OPERATIONS, doing=N_("read the metrics"))


async def get_metrics(request: Request) -> Response:
    rt: Runtime = request.app.state.runtime
    admit_scraper(request, rt)
    body = await run_in_threadpool(metrics_of(rt).render)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


routes: list[BaseRoute] = [Route("/metrics", get_metrics, methods=["GET"])]
