"""A day on the wall, shortened: `hub demo` for an hour or more under a dispatch hall's load.

Starts `hub demo` in its own process on a fresh store: its three synthetic cameras publish over
WHIP, the truck's link stalls now and then (the program output fails over to its backup and
back), and every stream ends and starts again. To that it adds what a hall adds: a trickle of
commands through the JSON API (dispatch commands and their acknowledgements, assignments walked
from plan to close), a few wall WebSocket clients (one of them reconnecting now and then) and
WHEP viewers that come and go. Every N seconds it samples the hub's resident memory, threads and
open files (/proc/PID), the event loop's lag and the read models' lag (/metrics) and the log's
size in events; it prints each sample as it comes, then the slope of each measure after the
warm-up (per hour; memory also per 1,000 events), and writes the samples to a CSV.

    python bench/soak.py [--minutes 60] [--every 30] [--warmup 10] [--csv soak.csv]

`--inventory-every S` has the hub write what it holds to inventory.jsonl in its data folder every
S seconds, after a full collection: objects by type, threads, asyncio tasks, open files, glibc's
heap and, with `--trace`, the allocation sites that grew since the first inventory (tracemalloc:
slower, and its own memory counts in RSS).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import child  # noqa: E402
from child import free_port  # noqa: E402

USERS = {"soak-dispatcher": "dispatcher", "soak-wall": "wall", "soak-reporter": "reporter"}
WATCHED = ("truck-1", "studio-cam", "chen.jie-phone", "main")  # the demo's sources and output
COLUMNS = (
    "minutes",
    "rss_mb",
    "threads",
    "fds",
    "loop_lag_ms",
    "loop_lag_max_ms",
    "model_lag",
    "events",
    "cpu",
    "load",
    "wall_clients",
    "viewers",
    "gc_full",
    "gc_full_max_ms",
    "api_errors",
)
METRIC_COLUMNS = (
    "loop_lag_ms",
    "loop_lag_max_ms",
    "model_lag",
    "events",
    "wall_clients",
    "viewers",
    "gc_full",
    "gc_full_max_ms",
)
MEASURES = ("rss_mb", "threads", "fds", "loop_lag_ms", "model_lag", "events")


# -- the hub's side: `hub demo` with shorter streams, and an inventory now and then ------------


def serve(args: argparse.Namespace) -> None:
    """In the hub's process: `hub demo` as the command line runs it, with the demo's timings."""
    import web.demo_media as demo_media
    from web.cli import main as hub_main

    demo_media.STREAM_FOR = args.stream_seconds
    demo_media.STALL_EVERY = args.stall_every
    if args.inventory_every:
        if args.trace:
            import tracemalloc

            tracemalloc.start(args.trace)
        threading.Thread(
            target=take_inventories, args=(args.data, args.inventory_every), daemon=True
        ).start()
    sys.exit(hub_main(["demo", "--port", str(args.serve)]))


def take_inventories(data: Path, every: float) -> None:
    first: Any = None
    with (data / "inventory.jsonl").open("a") as out:
        while True:
            time.sleep(every)
            found, snapshot = inventory(first)
            first = first or snapshot
            out.write(json.dumps(found) + "\n")
            out.flush()


def inventory(first: Any) -> tuple[dict[str, Any], Any]:
    """What the process holds now, after a full collection (garbage waiting for one is not
    held): objects by type, threads, tasks, open files, the C heap and allocation sites."""
    import gc
    import tracemalloc

    gc.collect()
    types = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())
    threads = Counter(re.sub(r"\d+", "#", t.name) for t in threading.enumerate())
    native = Counter(
        re.sub(r"\d+", "#", (path / "comm").read_text().strip())
        for path in Path("/proc/self/task").iterdir()
    )
    tasks: Counter[str] = Counter()
    for task in list(asyncio.tasks._all_tasks):  # type: ignore[attr-defined]
        if not task.done():
            tasks[getattr(task.get_coro(), "__qualname__", "?")] += 1
    files: Counter[str] = Counter()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        files[re.sub(r"\[\d+\]", "", re.sub(r"\d+", "#", target))] += 1
    found: dict[str, Any] = {
        "at": time.time(),
        "malloc": malloc_figures(),
        "objects": sum(types.values()),
        "types": dict(types.most_common(150)),
        "threads": dict(threads),
        "native_threads": dict(native),
        "tasks": dict(tasks),
        "files": dict(files),
    }
    snapshot = None
    if tracemalloc.is_tracing():
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)]
        )
        if first is not None:
            grown = snapshot.compare_to(first, "traceback")[:15]
            found["grown"] = [
                {"kib": s.size_diff / 1024, "count": s.count_diff, "where": s.traceback.format()}
                for s in grown
            ]
    return found, snapshot


def malloc_figures() -> dict[str, float]:
    """glibc's heap in MB: in use, free but kept by its arenas, and mapped apart (mallinfo2)."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_size_t)
            for name in [
                "arena",
                "ordblks",
                "smblks",
                "hblks",
                "hblkhd",
                "usmblks",
                "fsmblks",
                "uordblks",
                "fordblks",
                "keepcost",
            ]
        ]

    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return {}
    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    mb = 1 << 20
    return {"in_use": info.uordblks / mb, "free": info.fordblks / mb, "mapped": info.hblkhd / mb}


# -- the hall's side ---------------------------------------------------------------------------


@dataclass
class Hall:
    """What the hall's clients did, for the samples and the summary."""

    base: str
    tokens: dict[str, str]
    deadline: float
    requests: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    wall_messages: int = 0
    wall_connects: int = 0
    viewers_now: int = 0
    viewings: int = 0
    refused_viewings: int = 0

    def running(self) -> bool:
        return time.monotonic() < self.deadline


def start_hub(
    data: Path, database_url: str, port: int, args: argparse.Namespace
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HUB_DATA_DIR": str(data), "HUB_DATABASE_URL": database_url}
    command = [sys.executable, __file__, "--serve", str(port), "--data", str(data)]
    command += ["--stream-seconds", str(args.stream_seconds)]
    command += ["--stall-every", str(args.stall_every)]
    command += ["--inventory-every", str(args.inventory_every), "--trace", str(args.trace)]
    return child.start_hub(command, env, data, port, wait=120, poll=0.5)


async def trickle(hall: Hall, every: float) -> None:
    """Dispatch commands sent and acknowledged; every so often an assignment, plan to close."""
    import httpx

    async with httpx.AsyncClient(base_url=hall.base, timeout=30) as http:

        async def call(who: str, path: str, body: dict[str, Any] | None = None) -> Any:
            headers = {"Authorization": f"Bearer {hall.tokens[who]}"}
            hall.requests += 1
            try:
                if body is None and path.startswith("GET "):
                    response = await http.get(path[4:], headers=headers)
                else:
                    headers["Idempotency-Key"] = uuid.uuid4().hex
                    response = await http.post(path, json=body or {}, headers=headers)
            except httpx.HTTPError as error:
                hall.errors[type(error).__name__] += 1
                return None
            if response.status_code >= 400:
                hall.errors[f"{response.status_code} {path.split('/')[2]}"] += 1
                return None
            return response.json()

        tick = 0
        while hall.running():
            tick += 1
            sent = await call("soak-dispatcher", "/api/commands", command_body(tick))
            if sent:
                await call("soak-reporter", f"/api/commands/{sent['id']}/ack")
            if tick % 5 == 0:
                await call("soak-wall", "GET /api/wall")
            if tick % 15 == 0:
                await walk_assignment(call, tick)
            await asyncio.sleep(every)


def command_body(tick: int) -> dict[str, Any]:
    return {"to": "soak-reporter", "text": f"soak command {tick}"}


async def walk_assignment(call: Any, tick: int) -> None:
    due = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    body = {
        "title": f"soak assignment {tick}",
        "location": {"name": "东桥", "lat": 29.87, "lon": 121.54},
        "due": due,
        "channels": ["tv"],
    }
    planned = await call("soak-dispatcher", "/api/assignments", body)
    if not planned:
        return
    path = f"/api/assignments/{planned['id']}"
    steps: list[tuple[str, str, dict[str, Any] | None]] = [
        ("soak-dispatcher", "assign", {"reporter": "soak-reporter"}),
        ("soak-reporter", "accept", None),
        ("soak-reporter", "check-in", {"lat": 29.8712, "lon": 121.5431}),
        ("soak-reporter", "file", None),
        ("soak-dispatcher", "close", None),
    ]
    for who, step, step_body in steps:
        if not await call(who, f"{path}/{step}", step_body):
            return


async def wall_client(hall: Hall, reconnect_every: float | None) -> None:
    """A wall display: reads every message; with `reconnect_every`, leaves and comes back."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import WebSocketException

    url = hall.base.replace("http", "ws", 1) + "/ws/wall"
    headers = {"Authorization": f"Bearer {hall.tokens['soak-wall']}"}
    while hall.running():
        try:
            async with connect(url, additional_headers=headers, max_size=None) as ws:
                hall.wall_connects += 1
                stay = reconnect_every or (hall.deadline - time.monotonic())
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(stay):
                        async for _ in ws:
                            hall.wall_messages += 1
        except (OSError, WebSocketException) as error:
            hall.errors[f"wall {type(error).__name__}"] += 1
            await asyncio.sleep(2)


async def viewer(hall: Hall, first: int, watch_for: float) -> None:
    """A WHEP viewer going from one source to the next, a while each, undecoded."""
    import httpx

    from tests.support.whep_client import WhepViewer

    turn = first
    while hall.running():
        name = WATCHED[turn % len(WATCHED)]
        turn += 1
        watching = WhepViewer(f"{hall.base}/whep/{name}", hall.tokens["soak-wall"])
        try:
            await watching.start()
        except httpx.HTTPError:
            hall.refused_viewings += 1  # the source is between two streams, or the hub is slow
            await watching.stop(delete=False)
            await asyncio.sleep(3)
            continue
        hall.viewings += 1
        hall.viewers_now += 1
        await asyncio.sleep(min(watch_for, max(0.0, hall.deadline - time.monotonic())))
        hall.viewers_now -= 1
        try:
            await watching.stop()
        except httpx.HTTPError as error:
            hall.errors[f"whep DELETE {type(error).__name__}"] += 1
            await watching.stop(delete=False)
        await asyncio.sleep(2)


async def keep_going(hall: Hall, what: str, job: Callable[[], Awaitable[None]]) -> None:
    """Runs a client of the hall until the deadline; a failure is counted and the client starts
    again (a soak outlives a slow moment of the machine it runs on)."""
    while hall.running():
        try:
            await job()
        except Exception as error:
            hall.errors[f"{what} {type(error).__name__}"] += 1
            print(f"{what}: {error!r}", file=sys.stderr, flush=True)
            await asyncio.sleep(5)


# -- sampling ----------------------------------------------------------------------------------


@dataclass
class Probe:
    """Reads one sample of the hub process from /proc and /metrics."""

    pid: int
    metrics_url: str
    started: float
    cpu_before: float = 0.0
    at_before: float = 0.0
    lag_before: tuple[float, float] = (0.0, 0.0)

    def proc(self) -> dict[str, float]:
        status = Path(f"/proc/{self.pid}/status").read_text()
        rss = int(re.search(r"VmRSS:\s+(\d+)", status)[1])  # type: ignore[index]
        threads = int(re.search(r"Threads:\s+(\d+)", status)[1])  # type: ignore[index]
        return {
            "rss_mb": rss / 1024,
            "threads": threads,
            "fds": len(os.listdir(f"/proc/{self.pid}/fd")),
        }

    def cpu(self) -> float:
        """Share of one core the hub used since the last sample."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        now = time.monotonic()
        share = (seconds - self.cpu_before) / max(1e-9, now - self.at_before)
        self.cpu_before, self.at_before = seconds, now
        return share

    async def metrics(self, http: Any) -> dict[str, float]:
        from prometheus_client.parser import text_string_to_metric_families

        response = await http.get(self.metrics_url, timeout=30)
        response.raise_for_status()
        text = response.text
        found: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                name = sample.name + sample.labels.get("generation", "")
                found[name] = found.get(name, 0.0) + sample.value
        late, wakeups = (
            found["hub_event_loop_late_seconds_total"],
            found["hub_event_loop_wakeups_total"],
        )
        before_late, before_wakeups = self.lag_before
        self.lag_before = (late, wakeups)
        mean = (late - before_late) / max(1.0, wakeups - before_wakeups)
        return {
            "loop_lag_ms": mean * 1000,
            "loop_lag_max_ms": found["hub_event_loop_lag_longest_seconds"] * 1000,
            "model_lag": found["hub_read_model_lag_events"],
            "events": found["hub_log_position"],
            "wall_clients": found.get("hub_wall_clients", 0),
            "viewers": found.get("hub_source_viewers", 0),
            "gc_full": found.get("hub_gc_collections_total2", 0),
            "gc_full_max_ms": found.get("hub_gc_pause_longest_seconds2", 0) * 1000,
        }


async def sample_until(
    hall: Hall, probe: Probe, every: float, out: Path, samples: list[dict[str, float]]
) -> None:
    import httpx

    print(" | ".join(f"{c:>11}" for c in COLUMNS), flush=True)
    with out.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        async with httpx.AsyncClient() as http:
            probe.cpu()
            with contextlib.suppress(httpx.HTTPError, ValueError):
                await probe.metrics(http)
            while hall.running():
                await asyncio.sleep(min(every, max(0.1, hall.deadline - time.monotonic())))
                row: dict[str, float] = {"minutes": (time.monotonic() - probe.started) / 60}
                row |= probe.proc()
                try:
                    row |= await probe.metrics(http)
                except (httpx.HTTPError, ValueError) as error:  # the hub did not answer: a gap
                    hall.errors[f"metrics {type(error).__name__}"] += 1
                    row |= dict.fromkeys(METRIC_COLUMNS, math.nan)
                row |= {"cpu": probe.cpu(), "load": os.getloadavg()[0]}
                row["api_errors"] = sum(hall.errors.values())
                samples.append(row)
                writer.writerow({k: round(v, 3) for k, v in row.items()})
                file.flush()
                print(" | ".join(f"{row[c]:>11.2f}" for c in COLUMNS), flush=True)


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs; pairs with a gap (NaN) are left out."""
    pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if not (math.isnan(x) or math.isnan(y))]
    if len(pairs) < 2:
        return math.nan
    xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


def summary(samples: list[dict[str, float]], warmup: float) -> str:
    after = [s for s in samples if s["minutes"] >= warmup]
    lines = [f"samples: {len(samples)}, after the {warmup:g}-minute warm-up: {len(after)}"]
    if len(after) < 3:
        return "\n".join([*lines, "too few samples after the warm-up for a slope"])
    hours = [s["minutes"] / 60 for s in after]
    lines += [
        "| measure | first after warm-up | last | least | most | slope per hour |",
        "|---|---|---|---|---|---|",
    ]
    for measure in MEASURES:
        values = [s[measure] for s in after]
        per_hour = slope(hours, values)
        seen = [v for v in values if not math.isnan(v)] or [math.nan]
        lines.append(
            f"| {measure} | {values[0]:.2f} | {values[-1]:.2f} | {min(seen):.2f} "
            f"| {max(seen):.2f} | {per_hour:+.2f} |"
        )
    events = [s["events"] for s in after]
    per_k = slope(events, [s["rss_mb"] for s in after]) * 1000
    lines.append(f"memory per 1,000 events: {per_k:+.2f} MB")
    lines.append(
        f"hub CPU mean {sum(s['cpu'] for s in after) / len(after):.0%} of a core; machine load "
        f"mean {sum(s['load'] for s in after) / len(after):.1f} ({os.cpu_count()} cores)"
    )
    return "\n".join(lines)


def what_the_hall_did(hall: Hall) -> str:
    return (
        f"API requests {hall.requests:,}, errors {dict(hall.errors) or 0}; wall connects "
        f"{hall.wall_connects}, messages {hall.wall_messages:,}; WHEP viewings {hall.viewings} "
        f"(refused while a source was between streams: {hall.refused_viewings})"
    )


def read_samples(path: Path) -> list[dict[str, float]]:
    with path.open() as file:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(file)]


async def run(args: argparse.Namespace) -> None:
    data = Path(args.data or tempfile.mkdtemp(prefix="hub-soak-"))
    data.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or f"sqlite:///{data / 'hub.sqlite3'}"
    tokens = child.register(data, database_url, USERS)  # the demo seeds its newsroom beside them
    port = free_port()
    hub = start_hub(data, database_url, port, args)
    base = f"http://127.0.0.1:{port}"
    print(f"hub demo pid {hub.pid} on {base}; data in {data}", flush=True)
    started = time.monotonic()
    hall = Hall(base, tokens, started + args.minutes * 60)
    probe = Probe(hub.pid, f"{base}/metrics", started)
    samples: list[dict[str, float]] = []
    clients: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("commands", lambda: trickle(hall, args.command_every)),
        ("wall", lambda: wall_client(hall, args.reconnect_every)),
    ]
    clients += [("wall", lambda: wall_client(hall, None))] * args.wall_clients
    clients += [("whep", partial(viewer, hall, n, args.view_seconds)) for n in range(args.viewers)]
    jobs = [keep_going(hall, what, job) for what, job in clients]
    try:
        await asyncio.gather(sample_until(hall, probe, args.every, Path(args.csv), samples), *jobs)
    finally:
        hub.terminate()
        try:
            hub.wait(timeout=60)
        except subprocess.TimeoutExpired:
            hub.kill()
    print(summary(samples, args.warmup))
    print(what_the_hall_did(hall))
    print(f"samples in {args.csv}; the hub's log in {data / 'hub.log'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60, help="how long (default 60)")
    parser.add_argument("--every", type=float, default=30, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=10, help="minutes left out of the slopes")
    parser.add_argument("--csv", default="soak.csv", help="where the samples go")
    parser.add_argument("--data", help="the hub's data folder (default: a new temporary one)")
    parser.add_argument("--database-url", help="the store (default: SQLite in the data folder)")
    parser.add_argument("--command-every", type=float, default=2.0, help="seconds between commands")
    parser.add_argument("--wall-clients", type=int, default=3, help="wall clients that stay")
    parser.add_argument(
        "--reconnect-every", type=float, default=30.0, help="the one that comes back"
    )
    parser.add_argument("--viewers", type=int, default=2, help="WHEP viewers")
    parser.add_argument("--view-seconds", type=float, default=45.0, help="how long each viewing")
    parser.add_argument(
        "--stream-seconds", type=float, default=180.0, help="how long a demo stream lasts (900)"
    )
    parser.add_argument("--stall-every", type=float, default=60.0, help="the truck's stalls (150)")
    parser.add_argument("--inventory-every", type=float, default=0, help="seconds; 0: none")
    parser.add_argument("--trace", type=int, default=0, help="tracemalloc frames; 0: off")
    parser.add_argument(
        "--summarise", type=Path, help="print the slopes of a CSV a soak wrote, and stop"
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        args.data = Path(args.data)
        serve(args)
        return
    if args.summarise:
        print(summary(read_samples(args.summarise), args.warmup))
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
