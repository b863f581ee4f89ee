"""A webhook receiver on 127.0.0.1 that verifies Standard Webhooks signatures (with the
`standardwebhooks` package, as a platform's gateway would) and keeps one copy per webhook-id."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.support.http_server import QuietHandler, local_server


class Receiver:
    """What arrived: every request, and the verified messages by id."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.requests = 0
        self.refused = 0
        self.messages: dict[str, Any] = {}
        self.fail_next = 0  # answer 503 to this many verified requests first
        self.lock = threading.Lock()
        self.url = ""

    def take(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.requests += 1
            try:
                message = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError:
                self.refused += 1
                return 401
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503
            self.messages.setdefault(headers["webhook-id"], message)
            return 204


@contextmanager
def receiving(secret: str) -> Iterator[Receiver]:
    receiver = Receiver(secret)

    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            status = receiver.take(dict(self.headers.items()), self.body())
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    with local_server(Handler) as address:
        receiver.url = f"{address}/hook"
        yield receiver


def as_json(message: Any) -> str:
    return json.dumps(message, ensure_ascii=False)
