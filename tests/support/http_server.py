"""A small HTTP server on 127.0.0.1 for a test to talk to (a webhook receiver, a feed, a proxy)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing (the test says what went wrong)."""

    def body(self) -> bytes:
        """The request's body, as long as its Content-Length says."""
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def local_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serves with `handler` on a free port, in a thread, until the block ends; yields the
    server's address (`http://127.0.0.1:<port>`)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
