"""The wall feed under load: many WebSocket clients on one hub while commands arrive steadily.

Starts `hub serve` in its own process on a fresh store, connects the clients (websockets, in this
process), then sends dispatch commands over the JSON API at a fixed rate. For each command and each
client it records the time from the command's acceptance (the API's answer) to the change's arrival
on that client, and it checks that every client saw every command: a client that missed one is a
lost message, unless a fresh snapshot (a resync) brought it. Prints a Markdown table.

    python bench/wall_fanout.py [--clients 1000] [--rate 200] [--seconds 20] [--compression]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import child  # noqa: E402
from child import cpu_seconds, free_port  # noqa: E402

from hub.config import Settings  # noqa: E402
from web.server import WEBSOCKETS  # noqa: E402

CONNECT_AT_ONCE = 50
METRICS_TOKEN = f"hub_bench_{secrets.token_hex(8)}"  # the scraper's token of the hub under test


class Commands:
    """The commands one process of clients has seen, numbered in the order they first came.

    Shared by the process's clients, so that each keeps its arrival times in a flat array rather
    than a dict of its own: a thousand dicts growing in step rehash in step, and the measuring
    side stalled for up to a second at a time in runs of a minute."""

    def __init__(self) -> None:
        self.numbers: dict[bytes, int] = {}

    def number(self, key: bytes) -> int:
        return self.numbers.setdefault(key, len(self.numbers))


@dataclass
class Client:
    """What one wall client saw: when each command first arrived, and how it kept in step."""

    commands: Commands
    arrivals: array[float] = field(default_factory=lambda: array("d"))  # by number; 0: not yet
    snapshots: int = 0
    gaps: int = 0
    messages: int = 0
    position: int = 0
    connected: asyncio.Event = field(default_factory=asyncio.Event)

    def arrived(self, key: bytes, at: float) -> None:
        """Notes a command's first arrival at this client."""
        number = self.commands.number(key)
        times = self.arrivals
        if number >= len(times):  # grown by doubling, in zeros
            times.frombytes(bytes(times.itemsize * max(number + 1 - len(times), len(times))))
        if not times[number]:
            times[number] = at

    def arrival(self, key: str) -> float | None:
        number = self.commands.numbers.get(key.encode())
        if number is None or number >= len(self.arrivals):
            return None
        return self.arrivals[number] or None


def fresh_database(data: Path, postgres: str | None) -> str:
    """SQLite in the run's folder, or a new database on the given PostgreSQL server."""
    if not postgres:
        return f"sqlite:///{data / 'hub.sqlite3'}"
    import psycopg

    name = f"wall_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{postgres.rsplit('/', 1)[0]}/{name}"


USERS = {"bench-dispatcher": "dispatcher", "bench-wall": "wall", "field-reporter": "reporter"}


def start_hub(
    data: Path, database_url: str, port: int, args: argparse.Namespace
) -> subprocess.Popen[bytes]:
    """`hub serve` as deployed, or (with a WebSocket implementation named) the same app under it."""
    env = {
        **os.environ,
        "HUB_DATA_DIR": str(data),
        "HUB_DATABASE_URL": database_url,
        "HUB_WALL_FLUSH_MS": str(args.flush_ms),
        "HUB_WALL_FLUSH_PER_CLIENT_US": str(args.per_client_us),
        "HUB_METRICS_TOKEN": METRICS_TOKEN,
    }
    if args.ws == "hub" and args.via == "api":
        command = [str(Path(sys.executable).with_name("hub")), "serve", "--port", str(port)]
    else:
        ws = WEBSOCKETS if args.ws == "hub" else args.ws
        command = [sys.executable, __file__, "--serve", str(port), "--ws", ws, "--via", args.via]
        command += ["--switch-ms", str(args.switch_ms)] + ["--unsettled"] * args.unsettled
        command += ["--rate", str(args.rate), "--seconds", str(args.seconds), "--data", str(data)]
    return child.start_hub(command, env, data, port, wait=60, poll=0.2)


async def watch(url: str, token: str, client: Client, compression: bool) -> None:
    options: dict[str, Any] = {"compression": "deflate" if compression else None}
    async with connect(
        url, additional_headers={"Authorization": f"Bearer {token}"}, max_size=None, **options
    ) as ws:
        await read(ws, client)


CHANGES = b'{"type":"changes"'
COMMAND = b'["set","commands","'
HEAD = re.compile(rb'"from":(\d+),"position":(\d+)')


async def read(ws: ClientConnection, client: Client) -> None:
    """Notes when each command first arrives. Changes are scanned as bytes, not parsed: at a
    thousand clients the measuring side must cost less than the hub it measures."""
    while True:
        raw = await ws.recv(decode=False)
        arrived = time.time()
        if raw.startswith(CHANGES):
            client.messages += 1
            head = HEAD.search(raw, 0, 80)
            if head is not None:
                if int(head[1]) > client.position:
                    client.gaps += 1
                client.position = int(head[2])
            at = raw.find(COMMAND)
            while at >= 0:
                start = at + len(COMMAND)
                client.arrived(raw[start : start + 36], arrived)
                at = raw.find(COMMAND, start)
            continue
        message = json.loads(raw)
        if message["type"] == "snapshot":
            client.snapshots += 1
            client.position = message["position"]
            for key in message["wall"]["commands"]:
                client.arrived(key.encode(), arrived)
            client.connected.set()


async def send_commands(
    base: str, token: str, rate: float, seconds: float
) -> dict[str, tuple[float, float]]:
    """Sends commands at `rate` per second; answers id -> (sent, accepted) times."""
    accepted: dict[str, tuple[float, float]] = {}
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as http:

        async def one(n: int) -> None:
            sent = time.time()
            body = {"to": "field-reporter", "text": f"bench command {n}"}
            key = {"Idempotency-Key": uuid.uuid4().hex}  # a retry is the same command
            for attempt in range(5):
                try:
                    response = await http.post("/api/commands", json=body, headers=key, timeout=60)
                    break
                except httpx.TransportError:
                    if attempt == 4:
                        raise
            response.raise_for_status()
            accepted[response.json()["id"]] = (sent, time.time())

        start = time.time()
        tasks = []
        for n in range(int(rate * seconds)):
            delay = start + n / rate - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
    return accepted


async def generated(data: Path, seconds: float) -> dict[str, tuple[float, float]]:
    """Starts the hub's own generator and answers what it committed, and when."""
    (data / "go").touch()
    await asyncio.sleep(seconds + 1)
    accepted = {}
    for line in (data / "accepted.txt").read_text().splitlines():
        key, sent, done = line.split()
        accepted[key] = (float(sent), float(done))
    return accepted


def generate(rt: Any, data: Path, rate: float, seconds: float) -> None:
    """In the hub's process: commits `rate` commands a second, a few per transaction, and
    writes down when each was committed. Measures the fan-out beyond what the API accepts."""
    from uuid import uuid4

    from events.dispatch import DispatchCommand
    from events.roles import Actor

    while not (data / "go").exists():
        time.sleep(0.05)
    dispatcher = Actor("bench-dispatcher", frozenset({"dispatcher"}))
    per_tick, tick = max(1, round(rate / 50)), max(1, round(rate / 50)) / rate
    start = time.time()
    with (data / "accepted.txt").open("w") as out:
        for n in range(int(rate * seconds / per_tick)):
            delay = start + n * tick - time.time()
            if delay > 0:
                time.sleep(delay)
            sent = time.time()
            at = datetime.now(UTC)
            commands = [
                DispatchCommand.issue(
                    id=uuid4(),
                    at=at,
                    actor=dispatcher,
                    to="field-reporter",
                    assignment=None,
                    text=f"bench command {n}.{k}",
                )
                for k in range(per_tick)
            ]
            rt.newsroom.save(*commands)
            done = time.time()
            out.writelines(f"{c.id} {sent} {done}\n" for c in commands)
            out.flush()


async def caught_up(
    clients: list[Client], accepted: dict[str, tuple[float, float]], deadline: float
) -> None:
    """Waits until every client has the last commands (changes arrive in order), or the
    deadline: whatever is missing then counts as lost."""
    last = sorted(accepted, key=lambda key: accepted[key][1])[-10:]
    while time.time() < deadline:
        if all(all(client.arrival(key) for key in last) for client in clients):
            return
        await asyncio.sleep(0.5)


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def watch_in_process(url: str, token: str, count: int, compression: bool, pipe: Any) -> None:
    """A process of wall clients: connect, say ready, then measure against what was accepted."""
    asyncio.run(watchers(url, token, count, compression, pipe))


async def watchers(url: str, token: str, count: int, compression: bool, pipe: Any) -> None:
    commands = Commands()
    clients = [Client(commands) for _ in range(count)]
    readers = []
    for first in range(0, count, CONNECT_AT_ONCE):
        batch = clients[first : first + CONNECT_AT_ONCE]
        readers += [asyncio.create_task(watch(url, token, c, compression)) for c in batch]
        await asyncio.wait_for(asyncio.gather(*(c.connected.wait() for c in batch)), 120)
    pipe.send("ready")
    accepted, deadline = await asyncio.to_thread(pipe.recv)
    await caught_up(clients, accepted, deadline)
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    result = measure(clients, accepted)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu"] = usage.ru_utime + usage.ru_stime
    pipe.send(result)


def measure(clients: list[Client], accepted: dict[str, tuple[float, float]]) -> dict[str, Any]:
    latencies = array("d")
    lost = early = 0
    for client in clients:
        for key, (_, done) in accepted.items():
            arrived = client.arrival(key)
            if arrived is None:
                lost += 1
                continue
            if arrived < done:
                early += 1  # the change beat the API's answer to the caller
            latencies.append(max(0.0, arrived - done) * 1000)
    return {
        "latencies": latencies.tobytes(),
        "lost": lost,
        "early": early,
        "resyncs": sum(c.snapshots - 1 for c in clients),
        "gaps": sum(c.gaps for c in clients),
        "messages": sum(c.messages for c in clients),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the hub inherits it too
    data = Path(tempfile.mkdtemp(prefix="wall-bench-"))
    database_url = fresh_database(data, args.postgres)
    tokens = child.register(data, database_url, USERS)  # a dispatcher, the wall, the recipient
    port = free_port()
    hub = start_hub(data, database_url, port, args)
    spawn = multiprocessing.get_context("spawn")
    workers = []
    try:
        url = f"ws://127.0.0.1:{port}/ws/wall"
        for n in range(args.processes):
            count = args.clients // args.processes + (n < args.clients % args.processes)
            mine, theirs = spawn.Pipe()
            process = spawn.Process(
                target=watch_in_process,
                args=(url, tokens["bench-wall"], count, args.compression, theirs),
            )
            process.start()
            workers.append((process, mine))
        for _, pipe in workers:
            await asyncio.to_thread(pipe.recv)
        cpu_before, wall_before = cpu_seconds(hub.pid), time.monotonic()
        if args.via == "api":
            accepted = await send_commands(
                f"http://127.0.0.1:{port}", tokens["bench-dispatcher"], args.rate, args.seconds
            )
        else:
            accepted = await generated(data, args.seconds)
        for _, pipe in workers:
            pipe.send((accepted, time.time() + args.drain))
        results = [await asyncio.to_thread(pipe.recv) for _, pipe in workers]
        hub_cpu = (cpu_seconds(hub.pid) - cpu_before) / (time.monotonic() - wall_before)
        collector = collections(f"http://127.0.0.1:{port}/metrics")
    finally:
        for process, _ in workers:
            process.join(timeout=30)
        hub.terminate()
        hub.wait(timeout=30)
    return {**summarise(args, results, accepted, hub_cpu), **collector}


def collections(url: str) -> dict[str, Any]:
    """The hub's garbage collections during the run, from its /metrics (hub/heap.py)."""
    found: dict[tuple[str, str], float] = {}
    scraper = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    for family in text_string_to_metric_families(httpx.get(url, headers=scraper, timeout=30).text):
        for sample in family.samples:
            found[sample.name, sample.labels.get("generation", "")] = sample.value
    return {
        "gc": [found.get(("hub_gc_collections_total", str(g)), 0) for g in range(3)],
        "gc_longest": [
            found.get(("hub_gc_pause_longest_seconds", str(g)), 0) * 1000 for g in range(3)
        ],
        "gc_frozen": found.get(("hub_gc_frozen_objects", ""), 0),
    }


def summarise(
    args: argparse.Namespace,
    results: list[dict[str, Any]],
    accepted: dict[str, tuple[float, float]],
    hub_cpu: float,
) -> dict[str, Any]:
    latencies = array("d")
    for result in results:
        latencies.frombytes(result["latencies"])
    ordered = sorted(latencies)
    api = sorted((done - sent) * 1000 for sent, done in accepted.values())
    first = min(sent for sent, _ in accepted.values())
    last = max(done for _, done in accepted.values())
    return {
        "clients": args.clients,
        "processes": args.processes,
        "rate": args.rate,
        "seconds": args.seconds,
        "compression": args.compression,
        "store": "PostgreSQL" if args.postgres else "SQLite",
        "via": "POST /api/commands" if args.via == "api" else "the store, in the hub's process",
        "accepted_rate": len(accepted) / max(1e-9, last - first),
        "ws": f"{WEBSOCKETS} (hub serve)" if args.ws == "hub" else args.ws,
        "flush_ms": args.flush_ms,
        "per_client_us": args.per_client_us,
        "commands": len(accepted),
        "deliveries": len(ordered),
        "lost": sum(r["lost"] for r in results),
        "early": sum(r["early"] for r in results),
        "resyncs": sum(r["resyncs"] for r in results),
        "gaps": sum(r["gaps"] for r in results),
        "messages_per_client": sum(r["messages"] for r in results) / args.clients,
        "p50": percentile(ordered, 0.50) if ordered else float("nan"),
        "p99": percentile(ordered, 0.99) if ordered else float("nan"),
        "max": ordered[-1] if ordered else float("nan"),
        "api_p50": percentile(api, 0.50),
        "api_p99": percentile(api, 0.99),
        "hub_cpu": hub_cpu,
        "client_cpu": sum(r["cpu"] for r in results),
        "load": os.getloadavg()[0],
    }


def table(r: dict[str, Any]) -> str:
    rows = [
        ("clients (websockets library)", f"{r['clients']:,} in {r['processes']} processes"),
        ("commands", f"{r['commands']:,} offered at {r['rate']:.0f}/s via {r['via']}"),
        ("commands accepted per second", f"{r['accepted_rate']:.0f}"),
        ("store", r["store"]),
        ("permessage-deflate", "on" if r["compression"] else "off"),
        ("hub WebSocket implementation", r["ws"]),
        (
            "least time between two messages",
            f"{r['flush_ms']:.0f} ms + {r['per_client_us']:.0f} us x clients",
        ),
        ("changes received (command x client)", f"{r['deliveries']:,}"),
        ("messages lost", f"{r['lost']:,}"),
        ("resyncs (fresh snapshots) / gaps", f"{r['resyncs']} / {r['gaps']}"),
        ("messages per client", f"{r['messages_per_client']:,.0f}"),
        ("accepted -> received p50", f"{r['p50']:.1f} ms"),
        ("accepted -> received p99", f"{r['p99']:.1f} ms"),
        ("accepted -> received max", f"{r['max']:.1f} ms"),
        ("arrived before the API answered", f"{r['early']:,}"),
        ("sent -> accepted p50 / p99", f"{r['api_p50']:.1f} / {r['api_p99']:.1f} ms"),
        ("hub CPU (of one core)", f"{r['hub_cpu']:.0%}"),
        ("hub collections, generation 0 / 1 / 2", " / ".join(f"{n:,.0f}" for n in r["gc"])),
        (
            "hub's longest collection, generation 0 / 1 / 2",
            " / ".join(f"{ms:.0f} ms" for ms in r["gc_longest"]),
        ),
        ("objects frozen after start-up", f"{r['gc_frozen']:,.0f}"),
        ("client processes' CPU, all told", f"{r['client_cpu']:.1f} s"),
        ("machine load average (1 min, 2 cores)", f"{r['load']:.1f}"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"| {'':{width}} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {k:{width}} | {v} |" for k, v in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument(
        "--processes", type=int, default=2, help="processes the clients are spread over"
    )
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--compression", action="store_true", help="negotiate permessage-deflate")
    parser.add_argument(
        "--ws",
        default="hub",
        help="hub (`hub serve` as it is) or a uvicorn WebSocket implementation for the app",
    )
    parser.add_argument(
        "--drain", type=float, default=60, help="seconds to wait for changes still on their way"
    )
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--flush-ms", type=float, default=50, help="HUB_WALL_FLUSH_MS")
    parser.add_argument(
        "--per-client-us", type=float, default=100, help="HUB_WALL_FLUSH_PER_CLIENT_US"
    )
    parser.add_argument(
        "--via",
        choices=("api", "store"),
        default="api",
        help="api: POST /api/commands; store: commands committed inside the hub's process",
    )
    parser.add_argument(
        "--switch-ms", type=float, default=0, help="the hub's GIL switch interval (default 5 ms)"
    )
    parser.add_argument(
        "--unsettled",
        action="store_true",
        help="leave the hub's garbage collector as CPython sets it (see hub/heap.py)",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return
    result = asyncio.run(run(args))
    print(table(result))


def serve(args: argparse.Namespace) -> None:
    """The bench's hub: the app under uvicorn with the given WebSocket implementation, and
    (with `--via store`) the command generator in a thread of its own."""
    import threading

    import uvicorn

    from web.app import create_app

    if args.switch_ms:
        sys.setswitchinterval(args.switch_ms / 1000)
    app = create_app(Settings(), settle_heap=not args.unsettled)
    if args.via == "store":

        def run_generator() -> None:
            while not hasattr(app.state, "runtime"):
                time.sleep(0.05)
            generate(app.state.runtime, args.data, args.rate, args.seconds)

        threading.Thread(target=run_generator, daemon=True).start()
    uvicorn.run(app, host="127.0.0.1", port=args.serve, log_level="warning", ws=args.ws)


if __name__ == "__main__":
    main()
