"""The public site (/p/): the products delivered to the hub's site outlets, for anyone.

No sign-in. Each page shows a product's text as text (autoescaped; the strict page policy runs
no script but the hub's own), its media from /p/{product}/media/{capture} served inert, an Atom
feed at /p/feed.atom, and a retracted product answers 410 Gone with the retraction note. What is
shown is what was published: the product as it was at its publication.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID
from xml.etree import ElementTree as ET

from eventsourcing.application import AggregateNotFoundError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from events.capture import Capture
from hub.delivery.ninjs import item_uri
from hub.delivery.outbox import Outbox
from web.api_captures import located
from web.errors import ApiError
from web.file_types import Served, read_head
from web.pages import render
from web.ranges import RangedFile
from web.runtime import runtime

ATOM = "http://www.w3.org/2005/Atom"


def outbox_of(request: Request) -> Outbox:
    found = runtime(request).outbox
    if found is None:
        raise ApiError(503, "not_ready", "the public site is starting")
    return found


def shown(request: Request, key: str) -> dict[str, Any] | None:
    outbox = outbox_of(request)
    with outbox.lock:
        found = outbox.site.product(key)
        return dict(found) if found is not None else None


def product_as_published(request: Request, entry: dict[str, Any]) -> Any:
    newsroom = runtime(request).newsroom
    return newsroom.repository.get(UUID(entry["product"]), version=entry["version"])


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]


async def listing(request: Request) -> Response:
    outbox = outbox_of(request)
    with outbox.lock:
        items = outbox.site.listing()
    return render(request, "site_list.html", None, items=items, page="")


async def product_page(request: Request) -> Response:
    key = request.path_params["product"]
    entry = shown(request, key)
    if entry is None:
        return render(request, "site_gone.html", None, status_code=404, entry=None)
    if entry["state"] != "live":
        return render(request, "site_gone.html", None, status_code=410, entry=entry)
    product = product_as_published(request, entry)
    media = [str(m) for m in getattr(product, "media", [])]
    return render(
        request,
        "site_item.html",
        None,
        entry=entry,
        title=product.title,
        paragraphs=paragraphs(product.body),
        media=media,
    )


async def media_file(request: Request) -> Response:
    key, capture_id = request.path_params["product"], request.path_params["capture"]
    entry = shown(request, key)
    if entry is None or entry["state"] != "live":
        return Response(status_code=404)
    product = product_as_published(request, entry)
    if capture_id not in {str(m) for m in getattr(product, "media", [])}:
        return Response(status_code=404)
    rt = runtime(request)
    try:
        capture: Any = rt.newsroom.repository.get(UUID(capture_id))
    except (AggregateNotFoundError, ValueError):
        return Response(status_code=404)
    if not isinstance(capture, Capture) or not capture.details.get("path"):
        return Response(status_code=404)
    path = located(rt.settings.data_dir, capture.details["path"], capture.id)
    served = Served.of(read_head(path))
    return RangedFile(
        path,
        media_type=served.media_type,
        headers={"Cache-Control": "public, max-age=300", **served.headers(capture.filename)},
    )


async def feed(request: Request) -> Response:
    """The live products as an Atom feed (RFC 4287), newest first."""
    rt = runtime(request)
    outbox = outbox_of(request)
    with outbox.lock:
        items = outbox.site.listing()
    base = rt.settings.public_url
    root = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(root, "title").text = rt.settings.centre_name
    ET.SubElement(root, "id").text = f"{base}/p/"
    ET.SubElement(root, "updated").text = items[0]["at"] if items else "1970-01-01T00:00:00Z"
    ET.SubElement(root, "link", rel="self", href=f"{base}/p/feed.atom")
    ET.SubElement(ET.SubElement(root, "author"), "name").text = rt.settings.centre_name
    for item in items:
        entry = ET.SubElement(root, "entry")
        uri = item_uri(base, UUID(item["product"]))
        ET.SubElement(entry, "title").text = item["headline"]
        ET.SubElement(entry, "id").text = f"{uri}#{item['publication']}"
        ET.SubElement(entry, "link", rel="alternate", href=uri)
        ET.SubElement(entry, "updated").text = item["at"]
        product = product_as_published(request, item)
        ET.SubElement(entry, "summary").text = product.body[:500]
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


routes: list[BaseRoute] = [
    Route("/p/", listing, methods=["GET"]),
    Route("/p/feed.atom", feed, methods=["GET"]),
    Route("/p/{product}", product_page, methods=["GET"]),
    Route("/p/{product}/media/{capture}", media_file, methods=["GET"]),
]
