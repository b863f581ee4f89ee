"""Recording what the media side observes as events, with the hub as the actor."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool

from events.errors import DomainError
from events.roles import SYSTEM_ACTOR
from hub.commands.base import Command
from hub.errors import HubError
from hub.newsroom import Done, Request
from hub.runtime import HubRuntime

log = logging.getLogger(__name__)


async def record(rt: HubRuntime, command: Callable[[Request], Done]) -> Done | None:
    """Records a fact; a refusal by the store is logged loudly and does not stop the media."""
    try:
        return await run_in_threadpool(command, Request(SYSTEM_ACTOR, datetime.now(UTC)))
    except (HubError, DomainError) as error:
        log.error("a media fact was refused by the store: %s", error)
        return None


async def tell(rt: HubRuntime, fact: Command) -> Done | None:
    """Records `fact`, a command the hub sends itself (see `record`)."""
    return await record(rt, lambda r: rt.newsroom.handle(r, fact))
