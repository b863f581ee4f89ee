"""A hub in a child process for the benches: its store's users, a free port, its start-up, and
its CPU time."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path


def register(data: Path, database_url: str, users: dict[str, str]) -> dict[str, str]:
    """Registers `users` (name: role) in the store before the hub starts; answers their tokens."""
    from events.roles import SYSTEM_ACTOR
    from hub.commands.people import RegisterUser
    from hub.config import Settings
    from hub.newsroom import Newsroom, Request

    newsroom = Newsroom(Settings(data_dir=data, database_url=database_url))
    tokens = {}
    for name, role in users.items():
        command = RegisterUser(name=name, roles=[role])
        tokens[name] = newsroom.handle(Request(SYSTEM_ACTOR, datetime.now(UTC)), command).extra[
            "token"
        ]
    newsroom.close()
    return tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_hub(
    command: list[str], env: dict[str, str], data: Path, port: int, *, wait: float, poll: float
) -> subprocess.Popen[bytes]:
    """Runs `command`, a hub that answers on `port` and logs to data/hub.log, and returns once its
    /api/health answers; polls every `poll` seconds and gives up after `wait`."""
    import httpx

    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(data / "hub.log", "wb"),  # noqa: SIM115 - lives as long as the process
    )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code < 500:
                return process
        except httpx.HTTPError:
            time.sleep(poll)
    process.kill()
    raise SystemExit(f"the hub did not start; see {data / 'hub.log'}")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far, all threads, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
