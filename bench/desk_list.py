"""The desk's story list with 10,000 stories: GET /api/stories as the desk page asks for it.

A hub on SQLite (or PostgreSQL with --postgres URL) is seeded with N stories, a third of them
with a WeChat product, saved straight through the application in batches; the hub then starts
under uvicorn in this process (its read models fold the log at start), and one client asks, one
request after another, for the desk's first page (`?limit=200`, what /desk shows), one state's
page, and the whole list. Prints p50/p95/max per question, and the fold time at start.

    python bench/desk_list.py [--stories 10000] [--requests 200] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from events.channel_profile import DEFAULT_PROFILES  # noqa: E402
from events.product import Content, Product  # noqa: E402
from events.roles import SYSTEM_ACTOR, Actor  # noqa: E402
from events.story import Story  # noqa: E402
from hub.commands.people import RegisterUser  # noqa: E402
from hub.config import Settings  # noqa: E402
from hub.newsroom import Newsroom, Request  # noqa: E402

EDITOR = Actor("eddie", frozenset({"editor"}))
BATCH = 500


def seed(settings: Settings, count: int) -> str:
    """Saves `count` stories (every third with a WeChat product); returns an editor's token."""
    app = Newsroom(settings)
    try:
        done = app.handle(
            Request(SYSTEM_ACTOR, datetime.now(UTC)), RegisterUser(name="eddie", roles=["editor"])
        )
        start = datetime(2026, 12, 1, tzinfo=UTC)
        for first in range(0, count, BATCH):
            batch = []
            for n in range(first, min(count, first + BATCH)):
                at = start + timedelta(seconds=n)
                story = Story.draft(
                    id=uuid4(),
                    at=at,
                    actor=EDITOR,
                    assignment=None,
                    title=f"县城新闻 {n}：城南新桥通车",
                    body="城南新桥今天上午正式通车。" * 20,
                    captures=[],
                )
                batch.append(story)
                if n % 3 == 0:
                    batch.append(
                        Product.make(
                            at=at,
                            actor=EDITOR,
                            story=story.id,
                            channel="weibo",
                            content=Content(f"新桥通车 {n}", "城南新桥今天上午正式通车。"),
                            profile=DEFAULT_PROFILES["weibo"],
                            facts={},
                        )
                    )
            app.save(*batch)
        return str(done.extra["token"])
    finally:
        app.close()


class Served:
    """The hub under uvicorn in a thread of this process."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from web.app import create_app

        self.app = create_app(settings)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve()), daemon=True)

    def __enter__(self) -> str:
        began = time.perf_counter()
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the hub did not start")
            time.sleep(0.05)
        self.started_in = time.perf_counter() - began
        return f"http://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def measure(client: httpx.Client, path: str, requests: int) -> tuple[list[float], int, int]:
    """Latencies of `requests` GETs of `path` (after five to warm up), stories in the answer and
    its size in bytes."""
    for _ in range(5):
        client.get(path).raise_for_status()
    latencies = []
    for _ in range(requests):
        began = time.perf_counter()
        answer = client.get(path)
        latencies.append(time.perf_counter() - began)
        answer.raise_for_status()
    body = answer.json()
    return latencies, len(body["stories"]), len(answer.content)


def cpu_per_answer(served: Served, requests: int) -> list[float]:
    """CPU seconds (this thread's) to make the desk page's answer in-process: the query on the
    read models, the answer's model and its JSON; what the hub spends, whatever the load."""
    import json

    from hub import queries
    from web.answers import Stories

    models = served.app.state.runtime.models
    spent = []
    for _ in range(requests):
        began = time.thread_time()
        with models.reading() as m:
            items = queries.story_list(m, limit=200)
        json.dumps(Stories.model_validate({"stories": items}).model_dump(mode="json"))
        spent.append(time.thread_time() - began)
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", default=None, help="a database URL (default: SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as folder:
        url = args.postgres or f"sqlite:///{folder}/hub.sqlite3"
        settings = Settings(data_dir=Path(folder), database_url=url, media=False)
        began = time.perf_counter()
        token = seed(settings, args.stories)
        seeded = time.perf_counter() - began
        served = Served(settings)
        with (
            served as base,
            httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
            ) as client,
        ):
            rows = []
            for name, path, requests in (
                ("desk page (newest 200)", "/api/stories?limit=200", args.requests),
                ("drafts (newest 200)", "/api/stories?state=draft&limit=200", args.requests),
                ("whole list", "/api/stories", max(20, args.requests // 10)),
            ):
                latencies, stories, size = measure(client, path, requests)
                rows.append(
                    f"| {name} | {stories:,} | {size / 1e6:.2f} MB | {len(latencies)} | "
                    f"{percentile(latencies, 50):.1f} | {percentile(latencies, 95):.1f} | "
                    f"{max(latencies) * 1000:.1f} |"
                )
            cpu = cpu_per_answer(served, args.requests)
            rows.append(
                f"| desk page, CPU to answer in-process | 200 | - | {len(cpu)} | "
                f"{percentile(cpu, 50):.1f} | {percentile(cpu, 95):.1f} | {max(cpu) * 1000:.1f} |"
            )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    store = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d}, load average after: {load}")
    print(
        f"{args.stories:,} stories on {store}: seeded in {seeded:.1f} s; the hub started "
        f"(read models folded from the log) in {served.started_in:.1f} s"
    )
    print("| question | stories | answer | requests | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
