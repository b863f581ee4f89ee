"""Runs an ASGI application under a real uvicorn server on an ephemeral port, in a thread."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from web.server import WEBSOCKETS


def start_server(
    app: Any, port: int = 0, **config: Any
) -> tuple[uvicorn.Server, threading.Thread, int]:
    """Starts `app` on 127.0.0.1:`port` (0: any free one) and answers once it listens: the server,
    the thread it runs in and the port."""
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **config
        )
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the hub did not start")
        time.sleep(0.02)
    return server, thread, server.servers[0].sockets[0].getsockname()[1]


def stop_server(server: uvicorn.Server, thread: threading.Thread, timeout: float) -> None:
    """Asks the server to exit and waits up to `timeout` seconds for its thread."""
    server.should_exit = True
    thread.join(timeout=timeout)


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Yields the base URL (http://127.0.0.1:PORT) while the server runs."""
    server, thread, port = start_server(app, ws=WEBSOCKETS)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(server, thread, timeout=15)
