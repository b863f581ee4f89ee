"""Recording what the media side observes as events, with the hub as the actor."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool

from events.errors import DomainError
from events.roles import SYSTEM_ACTOR
from hub.commands.base import Command
from hub.errors import HubError
from hub.newsroom import Done, Request
from hub.runtime import HubRuntime

log = logging.getLogger(__name__)


async def tell(rt: HubRuntime, fact: Command, *, key: str | None = None) -> Done | None:
    """Records `fact`, a command the hub sends itself, with the hub as the actor (`key`: an
    idempotency key, so that a fact told again is recorded once). A refusal by the store is
    logged loudly and does not stop the media."""
    request = Request(SYSTEM_ACTOR, datetime.now(UTC), key=key)
    try:
        return await run_in_threadpool(rt.newsroom.handle, request, fact)
    except (HubError, DomainError) as error:
        log.error("a media fact was refused by the store: %s", error)
        return None
