"""Headless Debian Chromium driving a real hub that can be stopped and started on the same port."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import uvicorn
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from events.base import Location
from hub.commands.assignments import AcceptAssignment, AssignReporter, PlanAssignment
from hub.config import Settings
from hub.credentials import Passwords
from hub.newsroom import Newsroom, Request
from tests.conftest import Clock, Staff, capture_of_file
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.web.server import start_server, stop_server
from web.app import create_app
from web.runtime import Runtime

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
        self.server, self.thread, self.port = start_server(self.app, self.port)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            stop_server(self.server, self.thread, timeout=20)
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


def an_assignment(
    hub: LiveHub,
    staff: Staff,
    title: str,
    location: Location,
    *,
    reporter: str = "rui",
    accept: bool = True,
    **plan: Any,
) -> UUID:
    """dana's assignment, given to `reporter`, who accepts it unless told not to."""
    newsroom = hub.rt.newsroom
    planned = PlanAssignment(title=title, brief=plan.pop("brief", ""), location=location, **plan)
    assignment = newsroom.handle(now(staff, "dana"), planned).id
    newsroom.handle(now(staff, "dana"), AssignReporter(id=assignment, reporter=reporter))
    if accept:
        newsroom.handle(now(staff, reporter), AcceptAssignment(id=assignment))
    return assignment


def an_upload(
    hub: LiveHub,
    staff: Staff,
    data: bytes,
    filename: str,
    content_type: str,
    *,
    stored_as: str | None = None,
    assignment: UUID | None = None,
) -> UUID:
    """rui's upload of `data`, kept in the hub's uploads folder as `stored_as` (by default its
    SHA-256) and registered as a capture."""
    data_dir = hub.settings.data_dir
    stored = data_dir / "uploads" / (stored_as or hashlib.sha256(data).hexdigest())
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(data)
    capture = capture_of_file(
        stored, data_dir, content_type, filename=filename, assignment=assignment
    )
    return hub.rt.newsroom.handle(now(staff, "rui"), capture).id


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


def fill(form: Locator, **fields: str) -> None:
    """Types each value into the form's field of that name."""
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)


def shoot(page: Page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
