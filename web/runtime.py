"""What one hub process runs, built in the Starlette lifespan and reached through `app.state`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection

from hub.config import Settings
from hub.newsroom import Newsroom
from hub.readmodels import ReadModels


@dataclass
class Runtime:
    """The application, its read models, and (once started) the media engine and the wall feed."""

    settings: Settings
    newsroom: Newsroom
    models: ReadModels
    extras: dict[str, Any] = field(default_factory=dict)


def runtime(conn: HTTPConnection) -> Runtime:
    rt: Runtime = conn.app.state.runtime
    return rt
