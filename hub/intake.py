"""The systems that send leads (the 12345 hotline, a partner app) and their shared secrets.

A source's secret signs its webhooks (Standard Webhooks: `whsec_` and base64) and is its Open311
api_key. It lives in its own table, outside the event log; adding a source again replaces its
secret, so the old one stops working at once.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from datetime import datetime

from hub.store.recorder import HubRecorder
from hub.store.times import to_micros

SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
PREFIX = "whsec_"


class IntakeSources:
    """The hub_intake_secrets table of one store."""

    def __init__(self, store: HubRecorder) -> None:
        self.store = store

    def add(self, source: str, at: datetime) -> str:
        """Makes (or replaces) the source's secret and returns it, to be shown once."""
        if not SOURCE_NAME.match(source):
            raise ValueError("a source name is 1-40 characters of a-z, 0-9, '.', '-', '_'")
        secret = PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()
        sql = self.store.sql.placeholders
        with self.store.write_cursor() as cur:
            cur.execute(sql("DELETE FROM hub_intake_secrets WHERE source = ?"), (source,))
            cur.execute(
                sql("INSERT INTO hub_intake_secrets (source, secret, created_at) VALUES (?, ?, ?)"),
                (source, secret, to_micros(at)),
            )
        return secret

    def secret_of(self, source: str) -> str | None:
        sql = self.store.sql.placeholders
        with self.store.read_cursor() as cur:
            cur.execute(sql("SELECT secret FROM hub_intake_secrets WHERE source = ?"), (source,))
            row = cur.fetchone()
        return None if row is None else str(row[0])

    def source_with_key(self, api_key: str) -> str | None:
        """The source whose secret is this Open311 api_key (compared in constant time)."""
        with self.store.read_cursor() as cur:
            cur.execute("SELECT source, secret FROM hub_intake_secrets")
            rows = cur.fetchall()
        found = None
        for source, secret in rows:
            if hmac.compare_digest(str(secret).encode(), api_key.encode()):
                found = str(source)
        return found

    def names(self) -> list[str]:
        with self.store.read_cursor() as cur:
            cur.execute("SELECT source FROM hub_intake_secrets ORDER BY source")
            return [str(row[0]) for row in cur.fetchall()]
