"""Headless Debian Chromium driving a real hub that can be stopped and started on the same port."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from hub.config import Settings
from hub.credentials import Passwords
from hub.newsroom import Newsroom, Request
from tests.conftest import Clock, Staff
from web.app import create_app
from web.runtime import Runtime

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


class LiveHub:
    """A hub under uvicorn in a thread; `restart()` brings a new one up on the same port."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = 0
        self.app: Any = None
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def rt(self) -> Runtime:
        rt: Runtime = self.app.state.runtime
        return rt

    def start(self) -> None:
        self.app = create_app(self.settings)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the hub did not start")
            time.sleep(0.02)
        self.port = server.servers[0].sockets[0].getsockname()[1]
        self.server, self.thread = server, thread

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=20)
            assert not self.thread.is_alive(), "the hub did not stop"
        self.server = self.thread = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for this package's tests.

    Sync Playwright keeps its event loop marked as running in the main thread while it is open,
    so it must close before any asyncio test outside this package runs: package scope, not session.
    """
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A hub without live media: these tests play the media engine's facts themselves."""
    return Settings(
        data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'hub.db'}", media=False
    )


@pytest.fixture
def newsroom(settings: Settings) -> Iterator[Newsroom]:
    app = Newsroom(settings, passwords=Passwords(time_cost=1, memory_cost=1024))
    yield app
    app.close()


@pytest.fixture
def staff(newsroom: Newsroom) -> Staff:
    return Staff(newsroom, Clock(datetime.now(UTC)))


@pytest.fixture
def hub(settings: Settings, staff: Staff) -> Iterator[LiveHub]:
    live = LiveHub(settings)
    live.start()
    yield live
    live.stop()


def now(staff: Staff, name: str) -> Request:
    """A request by one of the staff at the real time (the wall shows ages against the clock)."""
    return Request(staff.actor(name), datetime.now(UTC))


def sign_in(browser: Browser, hub: LiveHub, name: str, page: str, **context: Any) -> Page:
    """A new browser context signed in as `name` through the sign-in form, on `page`."""
    tab = browser.new_context(**context).new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(f"{hub.url}/login?next=/{page}")
    tab.fill("input[name=name]", name)
    tab.fill("input[name=password]", f"{name}-password")
    tab.click("button[type=submit]")
    tab.wait_for_url(f"**/{page}")
    tab.page_errors = errors  # type: ignore[attr-defined]
    return tab


def shoot(page: Page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
