"""A job the hub does itself in rounds as long as it runs: the follow-up of overdue leads
(hub/followup.py), the scheduled publication (hub/scheduler.py).

A round looks at what the read models say is due and sends commands as the hub; it runs in a
worker thread. A round the hub refuses (a HubError: the store is away, say) is skipped with a
warning, one that fails otherwise is logged with its traceback, and either way the next round,
`every` seconds later, tries again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar

from hub.errors import HubError
from hub.newsroom import Newsroom
from hub.readmodels import ReadModels

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Rounds:
    """Does `round` every `every` seconds (`run`); the first one at once when `first_at_once`."""

    every: float  # seconds between rounds: each job's own, unless the constructor is given others
    first_at_once: ClassVar[bool] = False
    what: ClassVar[str]  # how the log names a round

    def __init__(
        self,
        newsroom: Newsroom,
        models: ReadModels,
        *,
        every: float | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.newsroom = newsroom
        self.models = models
        if every is not None:
            self.every = every
        self.clock = clock

    def round(self) -> object:
        raise NotImplementedError

    async def run(self) -> None:
        """Does the rounds until cancelled."""
        if not self.first_at_once:
            await asyncio.sleep(self.every)
        while True:
            try:
                await asyncio.to_thread(self.round)
            except HubError as error:  # the store is away: the next round tries again
                log.warning("%s skipped: %s", self.what, error)
            except Exception:  # one bad round must not stop the job for good
                log.exception("%s failed; the next one tries again", self.what)
            await asyncio.sleep(self.every)
