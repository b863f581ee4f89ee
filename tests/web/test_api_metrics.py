"""GET /metrics: the Prometheus text format, from the application's own registry."""

from __future__ import annotations

import gc
import time
from dataclasses import replace

import httpx
from prometheus_client.parser import text_string_to_metric_families

from hub.config import Settings
from tests.conftest import Staff
from tests.web.conftest import bearer
from tests.web.server import serving
from web.app import create_app


def samples(
    client: httpx.Client, staff: Staff
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The figures as a technician reads them."""
    response = client.get("/metrics", headers=bearer(staff, "tess"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def metric(name: str, **labels: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return name, tuple(sorted(labels.items()))


def test_metrics_show_the_log_and_the_requests(client: httpx.Client, staff: Staff) -> None:
    place = {"name": "x", "lat": 1.0, "lon": 2.0}
    body = {"title": "Count me", "location": place}
    assert client.post("/api/assignments", json=body, headers=bearer(staff, "dana")).is_success
    assert client.get("/api/assignments/nope", headers=bearer(staff, "dana")).status_code == 404
    found = samples(client, staff)
    head = found[("hub_log_position", ())]
    assert head >= len(Staff.NAMES) + 1
    assert found[("hub_read_model_position", ())] == head
    assert found[("hub_read_model_lag_events", ())] == 0
    assert found[("hub_read_model_failed", ())] == 0
    requests = "hub_http_requests_total"
    assert found[metric(requests, method="POST", route="/api/assignments", status="201")] == 1
    assert found[metric(requests, method="GET", route="/api/assignments/{id}", status="404")] == 1
    timed = metric(
        "hub_http_request_duration_seconds_count", method="POST", route="/api/assignments"
    )
    assert found[timed] == 1
    assert found[("hub_wall_clients", ())] == 0


def test_two_hubs_keep_their_own_figures(client: httpx.Client, staff: Staff) -> None:
    """Each application has its registry: another hub in this process counts nothing here."""
    first = samples(client, staff)
    key = metric("hub_http_requests_total", method="GET", route="/metrics", status="200")
    assert first.get(key, 0) == 0
    assert samples(client, staff)[key] == 1


def test_metrics_count_the_collectors_pauses(client: httpx.Client, staff: Staff) -> None:
    """A full collection while the hub runs shows as one more, and its time as a pause."""
    before = samples(client, staff)
    full = metric("hub_gc_collections_total", generation="2")
    gc.collect()
    after = samples(client, staff)
    assert after[full] >= before.get(full, 0) + 1
    paused = metric("hub_gc_pause_seconds_total", generation="2")
    assert after[paused] > before.get(paused, 0)
    assert after[metric("hub_gc_pause_longest_seconds", generation="2")] > 0
    assert ("hub_gc_frozen_objects", ()) in after


def test_metrics_are_read_by_technicians_and_the_scraper(settings: Settings, staff: Staff) -> None:
    scraper = "hub_scrape_d1f3e9"
    app = create_app(replace(settings, metrics_token=scraper))
    with serving(app) as base, httpx.Client(base_url=base) as client:
        for caller in ("tess", "dana", "rui", "wally", "audrey"):
            read = client.get("/metrics", headers=bearer(staff, caller))
            assert read.status_code == (200 if caller == "tess" else 403), caller
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": f"Bearer {scraper}x"})
        assert wrong.status_code == 401
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {scraper}"})
        assert scraped.status_code == 200 and "hub_log_position" in scraped.text
        elsewhere = client.get("/api/me", headers={"Authorization": f"Bearer {scraper}"})
        assert elsewhere.status_code == 401


def test_metrics_show_the_event_loops_lag(client: httpx.Client, staff: Staff) -> None:
    wakeups = metric("hub_event_loop_wakeups_total")
    for _ in range(100):  # the hub measures every half second
        found = samples(client, staff)
        if found[wakeups] >= 1:
            break
        time.sleep(0.1)
    assert found[wakeups] >= 1
    assert found[metric("hub_event_loop_lag_seconds")] >= 0
    assert (
        found[metric("hub_event_loop_lag_longest_seconds")]
        >= found[metric("hub_event_loop_lag_seconds")]
    )
    assert found[metric("hub_event_loop_late_seconds_total")] >= 0
