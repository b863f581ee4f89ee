"""A running hub (real uvicorn on an ephemeral port) with a registered staff."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from hub.config import Settings
from tests.conftest import Staff
from tests.web.server import serving
from web.app import create_app


@pytest.fixture
def hub_url(settings: Settings, staff: Staff) -> Iterator[str]:
    """The base URL of a hub serving a fresh store where `staff` are registered."""
    with serving(create_app(settings)) as base:
        yield base


@pytest.fixture
def client(hub_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub_url) as client:
        yield client


def bearer(staff: Staff, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff.tokens[name]}"}
