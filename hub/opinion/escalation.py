"""Escalation: an orange or red warning nobody on duty acknowledged in time goes to the leader.

Who leads is the roster's answer at that moment; with no shift running the escalation says so
(the wall shows it) rather than waiting for someone who is not there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from events.opinion import ESCALATING
from events.roles import SYSTEM_ACTOR
from hub import duty
from hub.commands.opinion import EscalateWarning
from hub.newsroom import Newsroom, Request
from projections.duty import moment_of

log = logging.getLogger(__name__)


@dataclass
class Escalator:
    """Looks for overdue warnings every `tick` seconds."""

    newsroom: Newsroom
    after: float  # seconds a warning may wait unacknowledged
    tick: float = 2.0
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def due(self, at: datetime) -> list[dict[str, Any]]:
        with self.newsroom.read_models.reading() as models:
            items = models.opinion.state()["items"].values()
            return [
                dict(i)
                for i in items
                if i["state"] == "raised"
                and i["level"] in ESCALATING
                and (at - moment_of(i["raised_at"])).total_seconds() >= self.after
            ]

    def sweep(self) -> int:
        """Escalates every overdue warning; returns how many (call from a worker thread)."""
        at = self.now()
        count = 0
        for item in self.due(at):
            leader = duty.now(self.newsroom, at)["leader"]
            waited = int((at - moment_of(item["raised_at"])).total_seconds())
            self.newsroom.handle(
                Request(SYSTEM_ACTOR, at), EscalateWarning(id=item["id"], to=leader, after=waited)
            )
            count += 1
        if count:
            self.newsroom.read_models.catch_up()
        return count

    async def run(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.sweep)
            except RuntimeError:  # the loop's threads are shutting down: so is the hub
                return
            except Exception:  # the store may be away; the next sweep tries again
                log.exception("escalation sweep failed")
            await asyncio.sleep(self.tick)
