"""Follow-up (督办): the hub's clock looks for routed leads past their due date.

Every minute the check finds, in the lead book, each routed lead whose overdue level
(events/lead.py `overdue_level`) is above the one recorded, and sends `EscalateLead` as the hub;
the lead itself decides whether there is a new level to record, so several hub nodes checking at
once record each level once. The wall shows each new level as an alert.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from events.lead import overdue_level
from events.roles import SYSTEM_ACTOR
from hub.commands.leads import EscalateLead
from hub.newsroom import Request
from hub.rounds import Rounds

EVERY = 60.0  # seconds between checks


class FollowUp(Rounds):
    """Escalates overdue leads, on demand (`check`) or every `every` seconds (`run`)."""

    every = EVERY
    what = "the follow-up check"

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

    def round(self) -> int:
        return self.check()
