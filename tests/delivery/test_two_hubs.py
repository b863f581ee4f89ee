"""Two hubs on 127.0.0.1, each with its own store: a county hub's publication goes up to the
prefecture's hub as a signed submission; the county hub is killed mid-delivery and restarted,
and the prefecture holds exactly one copy; its decision (采用) comes back signed and becomes an
event of the county's delivery."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from events.delivery import Delivery, delivery_id
from events.roles import SYSTEM_ACTOR
from hub.commands.outlets import AddOutlet
from hub.commands.people import RegisterUser
from hub.commands.submissions import RegisterOrigin
from hub.config import Settings
from hub.credentials import Passwords
from hub.delivery.listing import submissions
from hub.newsroom import Newsroom, Request
from tests.conftest import Staff
from tests.delivery.products import published
from tests.support.http_server import QuietHandler, local_server
from tests.web.server import serving
from web.app import create_app

HUB = str(Path(sys.executable).parent / "hub")


def eventually(check: Callable[[], Any], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.2)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Holding:
    """A proxy in front of the prefecture: it passes each request on and, while `hold` is set,
    keeps the answer from the county hub (which is then killed waiting for it)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.hold = True
        self.passed = 0
        self.released = threading.Event()
        self.url = ""


@contextmanager
def holding(upstream: str) -> Iterator[Holding]:
    proxy = Holding(upstream)

    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            body = self.body()
            sent = {
                k: v
                for k, v in self.headers.items()
                if k.lower().startswith(("webhook-", "content-type"))
            }
            answer = httpx.post(proxy.upstream + self.path, content=body, headers=sent, timeout=30)
            proxy.passed += 1
            if proxy.hold:
                proxy.released.wait(60)
                return
            self.send_response(answer.status_code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

    with local_server(Handler) as address:
        proxy.url = address
        try:
            yield proxy
        finally:
            proxy.released.set()


@contextmanager
def county_hub(settings: Settings, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """The county hub as its own process (`hub serve`), so that it can be killed."""
    env = {
        **os.environ,
        "HUB_DATABASE_URL": settings.database_url,
        "HUB_DATA_DIR": str(settings.data_dir),
        "HUB_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "HUB_NODE_NAME": "county-1",
        "HUB_MEDIA": "off",
    }
    process = subprocess.Popen(
        [HUB, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        eventually(lambda: _answers(f"http://127.0.0.1:{port}/api/health"))
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def prefecture(tmp_path: Path, county_url: str, secret: str) -> tuple[Settings, str]:
    """The prefecture's store, which knows the county as an origin; an editor's token."""
    settings = Settings(
        data_dir=tmp_path / "prefecture", database_url=f"sqlite:///{tmp_path / 'prefecture.db'}"
    )
    settings.ensure_data_dir()
    app = Newsroom(settings, passwords=Passwords(time_cost=1, memory_cost=1024))
    system = Request(SYSTEM_ACTOR, app_time())
    editor = app.handle(system, RegisterUser(name="pei", roles=["editor"]))
    app.handle(system, RegisterOrigin(name="county", url=county_url, secret=secret))
    app.close()
    return settings, str(editor.extra["token"])


def app_time() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_a_submission_goes_up_once_across_a_kill_and_its_adoption_comes_back(
    settings: Settings, staff: Staff, tmp_path: Path
) -> None:
    port = free_port()
    county_url = f"http://127.0.0.1:{port}"
    county = staff.newsroom
    with holding("") as proxy:
        secret = county.handle(
            Request(SYSTEM_ACTOR, staff.clock.tick()),
            AddOutlet(
                name="prefecture",
                kind="hub",
                url=f"{proxy.url}/hooks/origins/county/submissions",
            ),
        ).extra["token"]
        pref_settings, editor_token = prefecture(tmp_path, county_url, secret)
        with (
            serving(create_app(pref_settings)) as pref_url,
            httpx.Client(
                base_url=pref_url, headers={"Authorization": f"Bearer {editor_token}"}
            ) as pref,
        ):
            proxy.upstream = pref_url
            with county_hub(settings, port) as first:
                product = published(staff, "app", "县城大桥通车", "今日上午，大桥正式通车。")
                eventually(lambda: pref.get("/api/submissions").json()["submissions"])
                first.send_signal(signal.SIGKILL)  # the answer was held: the hub died waiting
                first.wait(30)
            outlet = county.outlet("prefecture").id
            did = delivery_id(product, 1, "publish", outlet)
            assert county.get(Delivery, did).state == "attempting"
            proxy.hold = False
            with county_hub(settings, port):
                eventually(lambda: county.get(Delivery, did).state == "delivered")
                assert proxy.passed == 2
                (only,) = pref.get("/api/submissions").json()["submissions"]
                assert (only["origin"], only["headline"]) == ("county", "县城大桥通车")
                decided = pref.post(
                    f"/api/submissions/{only['id']}/decision", json={"adopted": True}
                )
                assert decided.status_code == 200, decided.text
                back = eventually(lambda: county.get(Delivery, did).decision)
                assert back == {"adopted": True, "reason": "", "by": pref_settings.centre_name}
    prefecture_store = Newsroom(pref_settings)
    try:
        assert len(submissions(prefecture_store)) == 1
    finally:
        prefecture_store.close()
