"""The hub on the in-memory store (`memory:`, used by the benchmark) behaves as on the databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from events.roles import SYSTEM_ACTOR
from hub.audit import verify
from hub.commands.people import RegisterUser
from hub.config import Settings
from hub.newsroom import Newsroom, Request
from hub.store.memory import MemoryRecorder
from tests.web.server import serving
from web.app import create_app

PLACE = {"name": "hall", "lat": 1.0, "lon": 2.0}


@pytest.fixture
def memory_hub(tmp_path: Path) -> Iterator[tuple[str, Newsroom, dict[str, str]]]:
    app = create_app(Settings(data_dir=tmp_path, database_url="memory:"))
    with serving(app) as base:
        newsroom: Newsroom = app.state.runtime.newsroom
        tokens = {}
        for name, role in (("dana", "dispatcher"), ("rui", "reporter"), ("audrey", "auditor")):
            request = Request(SYSTEM_ACTOR, datetime.now(UTC))
            done = newsroom.handle(request, RegisterUser(name=name, roles=[role]))
            tokens[name] = done.extra["token"]
        yield base, newsroom, tokens


def test_the_api_runs_on_the_memory_store(memory_hub: tuple[str, Newsroom, dict[str, str]]) -> None:
    base, newsroom, tokens = memory_hub
    assert isinstance(newsroom.store, MemoryRecorder)

    def as_(name: str, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[name]}", **headers}

    with httpx.Client(base_url=base) as client:
        body = {"title": "In memory", "location": PLACE}
        keyed = as_("dana", **{"Idempotency-Key": "k"})
        created = client.post("/api/assignments", json=body, headers=keyed)
        again = client.post("/api/assignments", json=body, headers=keyed)
        assert created.status_code == again.status_code == 201 and created.json() == again.json()
        a = f"/api/assignments/{created.json()['id']}"
        assert client.post(f"{a}/assign", json={"reporter": "rui"}, headers=as_("dana")).is_success
        old = as_("dana", **{"If-Match": "1"})
        stale = client.post(f"{a}/cancel", json={"reason": "x"}, headers=old)
        assert stale.status_code == 412 and stale.json()["error"]["current_version"] == 2
        mine = client.get("/api/assignments", headers=as_("rui")).json()["assignments"]
        assert [m["state"] for m in mine] == ["assigned"]
        detail = client.get(a, headers=as_("rui")).json()
        assert [h["action"] for h in detail["history"]] == ["planned", "reporter_assigned"]
        audit = client.get("/api/audit", headers=as_("audrey")).json()["entries"]
        assert audit[-1]["action"] and audit[-1]["position"] == 8
        events = client.get("/api/events?after=6", headers=as_("audrey")).json()
        assert [e["position"] for e in events["events"]] == [7, 8] and events["head"] == 8
    verdict = verify(newsroom.store)
    assert verdict.ok and verdict.checked == 8
