"""Follow-up (督办): the hub's clock looks for routed leads past their due date.

Every minute the check finds, in the lead book, each routed lead whose overdue level
(events/lead.py `overdue_level`) is above the one recorded, and sends `EscalateLead` as the hub;
the lead itself decides whether there is a new level to record, so several hub nodes checking at
once record each level once. The wall shows each new level as an alert.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from events.lead import overdue_level
from events.roles import SYSTEM_ACTOR
from hub.commands.leads import EscalateLead
from hub.errors import HubError
from hub.newsroom import Newsroom, Request
from hub.readmodels import ReadModels

log = logging.getLogger(__name__)
EVERY = 60.0  # seconds between checks


def now_utc() -> datetime:
    return datetime.now(UTC)


class FollowUp:
    """Escalates overdue leads, on demand (`check`) or every `every` seconds (`run`)."""

    def __init__(
        self,
        newsroom: Newsroom,
        models: ReadModels,
        *,
        every: float = EVERY,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.newsroom = newsroom
        self.models = models
        self.every = every
        self.clock = clock

    def due(self, now: datetime) -> list[UUID]:
        """The leads with a new overdue level at `now`."""
        with self.models.reading() as models:
            found = models.leads.overdue(now)
            return [
                UUID(lead["id"])
                for lead in found
                if overdue_level(datetime.fromisoformat(lead["due"]), now) > lead["level"]
            ]

    def check(self, now: datetime | None = None) -> int:
        """Sends the escalations due now; returns how many leads were looked at."""
        moment = now or self.clock()
        leads = self.due(moment)
        for lead in leads:
            self.newsroom.handle(Request(SYSTEM_ACTOR, moment), EscalateLead(id=lead))
        return len(leads)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await asyncio.to_thread(self.check)
            except HubError as error:  # the store is away: the next check tries again
                log.warning("follow-up check skipped: %s", error)
            except Exception:
                log.exception("follow-up check failed")
