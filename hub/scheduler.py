"""Scheduled publication (定时发布): publishes each scheduled product once its time has come.

The worklist is the publishing matrix's `scheduled` section, so a hub that starts reads every
schedule from the log (through its read models) and publishes at once what fell due while it
was down; a cancelled or re-edited product leaves the worklist. Publishing is a command like any
other (`PublishScheduled`), sent by the hub on behalf of whoever scheduled it. Several hub nodes
may run a scheduler: the idempotency key names the product and its time, so a second node's
attempt answers the first one's result and stores nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from starlette.concurrency import run_in_threadpool

from events.errors import DomainError
from events.roles import SYSTEM_ACTOR
from hub.commands.products import PublishScheduled
from hub.errors import HubError
from hub.newsroom import Newsroom, Request
from hub.product_queries import due_schedules
from hub.readmodels import ReadModels

log = logging.getLogger(__name__)
INTERVAL = 1.0  # seconds between looks at the worklist


def utc_now() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    """Looks at the scheduled products every `interval` seconds and publishes the due ones."""

    def __init__(
        self,
        newsroom: Newsroom,
        models: ReadModels,
        *,
        clock: Callable[[], datetime] = utc_now,
        interval: float = INTERVAL,
    ) -> None:
        self.newsroom = newsroom
        self.models = models
        self.clock = clock
        self.interval = interval
        self.published = 0

    def due(self, now: datetime) -> list[tuple[UUID, str]]:
        """The products whose time has come, with the time they were scheduled for."""
        with self.models.reading() as models:
            items = due_schedules(models)
        return [
            (UUID(item["id"]), item["publish_at"])
            for item in items
            if datetime.fromisoformat(item["publish_at"]) <= now
        ]

    def publish_due(self, now: datetime | None = None) -> list[UUID]:
        """Publishes what is due now; returns the products this call published."""
        now = now or self.clock()
        done = []
        for product, publish_at in self.due(now):
            request = Request(SYSTEM_ACTOR, now, key=f"schedule:{product}:{publish_at}")
            try:
                self.newsroom.handle(request, PublishScheduled(id=product))
            except (DomainError, HubError) as refused:
                # Cancelled, edited or published meanwhile (by another node): nothing is due.
                log.info("scheduled publication of %s not made: %s", product, refused)
                continue
            done.append(product)
        self.published += len(done)
        return done

    async def run(self) -> None:
        """Publishes due products until cancelled; a store outage is waited out."""
        while True:
            try:
                await run_in_threadpool(self.publish_due)
            except Exception:  # one bad pass must not stop publication for good
                log.exception("the scheduler's pass failed; it tries again")
            await asyncio.sleep(self.interval)
