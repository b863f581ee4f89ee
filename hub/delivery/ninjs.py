"""A product as an IPTC ninjs 2.0 document (News in JSON), so any newsroom system can read it.

Pure: the item's facts and the hub's public address come in; a dict goes out. The fields used
are those of the ninjs 2.0 schema (uri is the only required one): uri, standard, version, type,
pubstatus, firstcreated, versioncreated, language, headlines, bodies, renditions, subjects,
places, altids, by, copyrightholder and, for a retraction, ednote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json"
KIND_TYPES = {"photo": "picture", "video": "video", "audio": "audio"}


@dataclass(frozen=True, slots=True)
class Rendition:
    """One medium of the product, reachable by URL."""

    name: str
    href: str
    contenttype: str
    sizeinbytes: int | None = None
    duration: float | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """What a delivery says about one publication (or retraction) of a product."""

    product: UUID
    story: UUID | None
    channel: str
    publication: int
    version: int
    title: str
    body: str
    first_created: datetime
    version_created: datetime
    by: str = ""
    media: tuple[Rendition, ...] = ()
    subjects: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    retraction: str | None = None  # the note, when the publication is withdrawn
    extra: dict[str, Any] = field(default_factory=dict)


def rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def item_uri(base_url: str, product: UUID) -> str:
    """A product's global identifier: its page on the hub's public site."""
    return f"{base_url.rstrip('/')}/p/{product}"


def document(item: Item, *, base_url: str, centre: str, language: str = "zh-CN") -> dict[str, Any]:
    """The ninjs 2.0 document of the item."""
    doc: dict[str, Any] = {
        "uri": item_uri(base_url, item.product),
        "standard": {"name": "ninjs", "version": "2.0", "schema": SCHEMA},
        "version": str(item.version),
        "type": "composite" if item.media else "text",
        "pubstatus": "canceled" if item.retraction is not None else "usable",
        "firstcreated": rfc3339(item.first_created),
        "versioncreated": rfc3339(item.version_created),
        "language": language,
        "headlines": [{"role": "main", "value": item.title}],
        "bodies": [
            {
                "role": "main",
                "contenttype": "text/plain",
                "value": item.body,
                "charcount": len(item.body),
            }
        ],
        "copyrightholder": centre,
        "altids": [
            {"role": "product", "value": str(item.product)},
            {"role": "channel", "value": item.channel},
            {"role": "publication", "value": str(item.publication)},
        ],
    }
    if item.story is not None:
        doc["altids"].append({"role": "story", "value": str(item.story)})
    if item.by:
        doc["by"] = item.by
    if item.media:
        doc["renditions"] = [_rendition(r) for r in item.media]
    if item.subjects:
        doc["subjects"] = [{"name": name} for name in item.subjects]
    if item.places:
        doc["places"] = [{"name": name} for name in item.places]
    if item.retraction is not None:
        doc["ednote"] = item.retraction
    return doc


def _rendition(r: Rendition) -> dict[str, Any]:
    found: dict[str, Any] = {"name": r.name, "href": r.href, "contenttype": r.contenttype}
    if r.sizeinbytes is not None:
        found["sizeinbytes"] = r.sizeinbytes
    if r.duration is not None:
        found["duration"] = r.duration
    return found
