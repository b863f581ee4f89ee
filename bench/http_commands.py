"""Command throughput over HTTP: POST /api/assignments by N concurrent clients against a real hub.

Three hubs run under uvicorn, each in its own process: on SQLite, on PostgreSQL and on the in-memory
store (`memory:`); the clients (keep-alive connections on asyncio streams) run in this process and
take the stores in turn, round after round. Each request is a whole command: authentication,
validation, the domain decision, the hash-chained append, and the wait until the hub's read models
show it (read-your-writes).
Prints requests/s, p50/p99 latency and each store's throughput relative to the in-memory one.

    python bench/http_commands.py [--clients 16] [--requests 2000] [--rounds 3] [--postgres URL]
                                  [--only sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES = os.environ.get("HUB_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BODY = {
    "title": "Flood defences on the east levee",
    "brief": "Walk the new levee with the water bureau; wide shots of the sluice.",
    "location": {"name": "East levee", "lat": 30.27, "lon": 120.15},
    "priority": "high",
    "due": "2026-11-23T16:00:00+08:00",
    "channels": ["tv", "website", "wechat"],
}


@dataclass
class Result:
    store: str
    clients: int
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


# -- the hub in its own process ------------------------------------------------------------------


def serve(database_url: str, data_dir: Path, ready_file: Path) -> None:
    """Runs the hub; once it listens, registers a dispatcher and writes `port token`."""
    import uvicorn

    from events.roles import SYSTEM_ACTOR
    from hub.commands.people import RegisterUser
    from hub.config import Settings
    from hub.newsroom import Request
    from web.app import create_app

    app = create_app(Settings(data_dir=data_dir, database_url=database_url))
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)

    async def announce() -> None:
        while not server.started:
            await asyncio.sleep(0.05)
        newsroom = app.state.runtime.newsroom
        request = Request(SYSTEM_ACTOR, datetime.now(UTC))
        dana = RegisterUser(name="dana", roles=["dispatcher"])
        done = await asyncio.to_thread(newsroom.handle, request, dana)
        port = server.servers[0].sockets[0].getsockname()[1]
        ready_file.write_text(f"{port} {done.extra['token']}")

    async def main() -> None:
        task = asyncio.create_task(announce())
        await server.serve()
        task.cancel()

    asyncio.run(main())


@contextmanager
def hub(database_url: str) -> Iterator[tuple[str, str]]:
    """Starts a hub process on the store; yields its base URL and a dispatcher's token."""
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as folder:
        ready = Path(folder) / "ready"
        env = {**os.environ, "HUB_SECRET_KEY": "bench", "PYTHONPATH": str(ROOT)}
        args = [sys.executable, __file__, "serve", database_url, folder, str(ready)]
        process = subprocess.Popen(args, env=env)
        try:
            deadline = time.monotonic() + 60
            while not ready.exists() or not ready.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the hub on {database_url} did not start")
                time.sleep(0.05)
            port, token = ready.read_text().split()
            yield f"http://127.0.0.1:{port}", token
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    name = f"hub_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the clients ---------------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection sending the same POST again and again.

    A dozen lines of asyncio streams instead of httpx: httpx spends 3-5 ms of CPU per request
    here, as much as the hub itself, and on a two-core machine the benchmark would measure it.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, base: str) -> Connection:
        host, port = base.removeprefix("http://").split(":")
        return cls(*await asyncio.open_connection(host, int(port)))

    async def send(self, request: bytes) -> int:
        """Sends the request and reads the whole answer; returns its status."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


def post_request(base: str, token: str) -> bytes:
    body = json.dumps(BODY).encode()
    host = base.removeprefix("http://")
    head = (
        f"POST /api/assignments HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def load(base: str, token: str, clients: int, total: int, warmup: int) -> Result:
    """`clients` connections each send their share of requests one after another."""
    request = post_request(base, token)
    connections = [await Connection.open(base) for _ in range(clients)]
    latencies: list[float] = []
    errors = 0

    async def worker(connection: Connection, count: int, record: bool) -> None:
        nonlocal errors
        for _ in range(count):
            started = time.perf_counter()
            if await connection.send(request) != 201:
                errors += 1
            if record:
                latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker(c, warmup // clients, False) for c in connections))
    began = time.perf_counter()
    await asyncio.gather(*(worker(c, total // clients, True) for c in connections))
    seconds = time.perf_counter() - began
    for connection in connections:
        connection.close()
    return Result("", clients, len(latencies), seconds, latencies, errors)


def measure(stores: dict[str, tuple[str, str]], args: argparse.Namespace) -> list[Result]:
    """Rounds that take the stores in turn, so drift in the machine's load hits them alike;
    each store's round with the median throughput is reported."""
    rounds: dict[str, list[Result]] = {store: [] for store in stores}
    for number in range(1, args.rounds + 1):
        for store, (base, token) in stores.items():
            result = asyncio.run(load(base, token, args.clients, args.requests, args.warmup))
            result.store = store
            rounds[store].append(result)
            print(f"  round {number} {store}: {result.rate:,.0f} requests/s", file=sys.stderr)
    return [sorted(found, key=lambda r: r.rate)[len(found) // 2] for found in rounds.values()]


def table(results: list[Result]) -> str:
    memory = next((r for r in results if r.store == "memory"), None)
    lines = [
        "| store | clients | requests | requests/s | p50 ms | p99 ms | vs in-memory |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio = f"{r.rate / memory.rate:.0%}" if memory else "-"
        lines.append(
            f"| {r.store} | {r.clients} | {r.requests} | {r.rate:,.0f} | "
            f"{r.percentile(50):.1f} | {r.percentile(99):.1f} | {ratio} |"
        )
    errors = sum(r.errors for r in results)
    means = ", ".join(f"{r.store} {statistics.fmean(r.latencies) * 1000:.1f} ms" for r in results)
    lines += ["", f"errors: {errors}; mean latency: {means}"]
    return "\n".join(lines)


def database(store: str, stack: ExitStack, args: argparse.Namespace) -> str:
    """A fresh, empty store of the kind, removed when the stack closes."""
    if store == "sqlite":
        return f"sqlite:///{stack.enter_context(tempfile.TemporaryDirectory())}/hub.sqlite3"
    if store == "postgres":
        return stack.enter_context(postgres_database(args.postgres))
    return "memory:"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000, help="per store and round")
    parser.add_argument("--warmup", type=int, default=320)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=POSTGRES, help="a server where a database is made")
    parser.add_argument("--only", choices=("sqlite", "postgres", "memory"), action="append")
    args = parser.parse_args()
    wanted = args.only or ["sqlite", "postgres", "memory"]
    with ExitStack() as stack:
        stores = {store: stack.enter_context(hub(database(store, stack, args))) for store in wanted}
        results = measure(stores, args)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d}, load average after: {load}")
    print(table(results))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        sys.exit(main())
