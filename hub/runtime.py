"""What one hub process runs: the application and its read models, shared by everything that
serves them (web/runtime.py adds what the web application keeps)."""

from __future__ import annotations

from dataclasses import dataclass

from hub.config import Settings
from hub.newsroom import Newsroom
from hub.readmodels import ReadModels


@dataclass
class HubRuntime:
    """The settings, the application and its read models."""

    settings: Settings
    newsroom: Newsroom
    models: ReadModels
