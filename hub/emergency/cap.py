"""An approved alert as a CAP 1.2 document, and the Atom feed that lists them.

CAP's dateTime has whole seconds and a numeric zone (`2026-12-07T08:00:00+08:00`; no `Z`), and
a reference is `sender,identifier,sent` of the message it refers to. The documents are built
from the read model (projections/alerts.py), so they say what was approved, as approved.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.etree import ElementTree as ET

from events.alert import EmergencyAlert

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CHINA = timezone(timedelta(hours=8))
CAP_TYPE = "application/cap+xml"


def cap_time(value: str | datetime, zone: timezone = CHINA) -> str:
    """A time as CAP writes it: whole seconds, numeric zone."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.astimezone(zone).replace(microsecond=0).isoformat()


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    child.text = text
    return child


def alert_record(a: EmergencyAlert) -> dict[str, Any]:
    """An alert aggregate in the read model's shape (projections/alerts.py), for `cap_document`
    where the read model may not have folded it yet."""
    return {
        "id": str(a.id),
        "msg_type": a.msg_type,
        "references": [str(r) for r in a.references],
        "category": a.category,
        "event": a.event,
        "urgency": a.urgency,
        "severity": a.severity,
        "certainty": a.certainty,
        "headline": a.headline,
        "description": a.description,
        "instruction": a.instruction,
        "area": a.area,
        "effective": a.effective.isoformat(),
        "expires": a.expires.isoformat(),
        "approved_at": a.approved_at.isoformat() if a.approved_at else None,
        "state": a.state,
    }


def cap_document(alert: dict[str, Any], alerts: dict[str, Any], *, sender: str, name: str) -> bytes:
    """The CAP 1.2 XML of an approved alert; `alerts` is every alert by id (for references)."""
    ET.register_namespace("", CAP_NS)
    root = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(root, "identifier", alert["id"])
    _sub(root, "sender", sender)
    _sub(root, "sent", cap_time(alert["approved_at"]))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", alert["msg_type"])
    _sub(root, "scope", "Public")
    refs = [alerts[r] for r in alert["references"] if r in alerts]
    if refs:
        _sub(
            root,
            "references",
            " ".join(f"{sender},{r['id']},{cap_time(r['approved_at'])}" for r in refs),
        )
    info = _sub(root, "info", "")
    info.text = None
    _sub(info, "language", "zh-CN")
    _sub(info, "category", alert["category"])
    _sub(info, "event", alert["event"])
    _sub(info, "urgency", alert["urgency"])
    _sub(info, "severity", alert["severity"])
    _sub(info, "certainty", alert["certainty"])
    _sub(info, "effective", cap_time(alert["effective"]))
    _sub(info, "expires", cap_time(alert["expires"]))
    _sub(info, "senderName", name)
    _sub(info, "headline", alert["headline"])
    _sub(info, "description", alert["description"])
    if alert["instruction"]:
        _sub(info, "instruction", alert["instruction"])
    area = _sub(info, "area", "")
    area.text = None
    _sub(area, "areaDesc", alert["area"])
    body: bytes = ET.tostring(root, encoding="utf-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def published(alerts: dict[str, Any]) -> list[dict[str, Any]]:
    """The approved alerts, newest first: what the feed lists."""
    approved = [a for a in alerts.values() if a["state"] == "approved"]
    return sorted(approved, key=lambda a: datetime.fromisoformat(a["approved_at"]), reverse=True)


def atom_feed(alerts: dict[str, Any], *, base_url: str, name: str, limit: int = 50) -> bytes:
    """An Atom feed (RFC 4287) of the approved alerts, each entry linking its CAP document."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        child = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        child.text = text
        return child

    entries = published(alerts)[:limit]
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", f"{base_url}/cap/feed.atom")
    sub(feed, "title", f"{name} 应急广播")
    updated = entries[0]["approved_at"] if entries else datetime(2000, 1, 1, tzinfo=UTC)
    sub(feed, "updated", cap_time(updated, UTC))
    sub(feed, "link", rel="self", href=f"{base_url}/cap/feed.atom")
    author = sub(feed, "author")
    sub(author, "name", name)
    for alert in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:uuid:{alert['id']}")
        sub(entry, "title", alert["headline"])
        sub(entry, "updated", cap_time(alert["approved_at"], UTC))
        sub(entry, "summary", f"{alert['area']}: {alert['description']}")
        sub(entry, "link", rel="alternate", type=CAP_TYPE, href=f"{base_url}/cap/{alert['id']}.xml")
    body: bytes = ET.tostring(feed, encoding="utf-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body
