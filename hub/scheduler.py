"""Scheduled publication (定时发布): publishes each scheduled product once its time has come.

The worklist is the publishing matrix's `scheduled` section, so a hub that starts reads every
schedule from the log (through its read models) and publishes at once what fell due while it
was down; a cancelled or re-edited product leaves the worklist. Publishing is a command like any
other (`PublishScheduled`), sent by the hub on behalf of whoever scheduled it. Several hub nodes
may run a scheduler: the idempotency key names the product and its time, so a second node's
attempt answers the first one's result and stores nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from events.errors import DomainError
from events.roles import SYSTEM_ACTOR
from hub.commands.products import PublishScheduled
from hub.errors import HubError
from hub.newsroom import Request
from hub.product_queries import due_schedules
from hub.rounds import Rounds

log = logging.getLogger(__name__)
INTERVAL = 1.0  # seconds between looks at the worklist


class Scheduler(Rounds):
    """Looks at the scheduled products every `every` seconds and publishes the due ones."""

    every = INTERVAL
    first_at_once = True  # what fell due while the hub was down is published at once
    what = "the scheduled publication's round"
    published = 0

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

    def round(self) -> list[UUID]:
        return self.publish_due()
