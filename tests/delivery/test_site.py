"""The public site through a running hub: listed, one page each, an Atom feed, 410 once
retracted; hostile words show as text."""

from __future__ import annotations

import time
from collections.abc import Callable
from xml.etree import ElementTree as ET

import httpx

from events.roles import SYSTEM_ACTOR
from hub.commands.outlets import AddOutlet
from hub.newsroom import Request
from tests.conftest import Staff
from tests.delivery.products import published, retract

HOSTILE = '<img src=x onerror=alert(1)> 桥 & "通车"'
ATOM = "{http://www.w3.org/2005/Atom}"


def eventually(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.1)


def test_the_public_site_shows_what_was_delivered_to_it(staff: Staff, client: httpx.Client) -> None:
    staff.newsroom.handle(
        Request(SYSTEM_ACTOR, staff.clock.tick()),
        AddOutlet(name="site", kind="site", channel="website"),
    )
    product = published(staff, "website", HOSTILE, f"{HOSTILE}\n\nsecond paragraph")
    not_on_site = published(staff, "weibo", "Weibo only")
    eventually(lambda: str(product) in client.get("/p/").text)
    listing = client.get("/p/")
    assert listing.status_code == 200 and str(not_on_site) not in listing.text
    assert HOSTILE not in listing.text and "&lt;img src=x onerror=alert(1)&gt;" in listing.text

    page = client.get(f"/p/{product}")
    assert page.status_code == 200
    assert HOSTILE not in page.text and "<p>second paragraph</p>" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]

    feed = client.get("/p/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    entries = ET.fromstring(feed.content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [HOSTILE]

    retract(staff, product, "<b>wrong</b> photo")
    eventually(lambda: client.get(f"/p/{product}").status_code == 410)
    gone = client.get(f"/p/{product}")
    assert "&lt;b&gt;wrong&lt;/b&gt; photo" in gone.text
    assert str(product) not in client.get("/p/").text
    assert client.get(f"/p/{not_on_site}").status_code == 404
