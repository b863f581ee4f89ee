"""The public site (/p/): the products delivered to a site outlet, live or withdrawn.

A product is on the site once its publication's delivery to a site outlet is delivered, and
gone (410) once its retraction's is; a later publication brings it back.
"""

from __future__ import annotations

from typing import Any

from events.delivery import Delivery
from projections.base import Logged, by_event_type, event_fold, iso


class PublicSite:
    """What the public site shows, folded from the deliveries to site outlets."""

    def __init__(self) -> None:
        self.position = 0
        self.products: dict[str, dict[str, Any]] = {}
        self._queued: dict[str, dict[str, Any]] = {}

    def apply(self, logged: Logged) -> None:
        _fold(self, logged.event)
        self.position = logged.position

    def listing(self, limit: int = 50) -> list[dict[str, Any]]:
        """The live products, newest first."""
        live = [p for p in self.products.values() if p["state"] == "live"]
        return sorted(live, key=lambda p: p["at"], reverse=True)[:limit]

    def product(self, key: str) -> dict[str, Any] | None:
        return self.products.get(key)

    _on = event_fold()

    @_on.register
    def _(self, e: Delivery.Queued) -> None:
        if e.kind == "site":
            self._queued[str(e.originator_id)] = {
                "product": str(e.subject),
                "version": e.subject_version,
                "channel": e.channel,
                "publication": e.publication,
                "action": e.action,
                "headline": e.headline,
                "note": e.note,
            }

    @_on.register
    def _(self, e: Delivery.Delivered) -> None:
        queued = self._queued.pop(str(e.originator_id), None)
        if queued is None:
            return
        key = queued["product"]
        if queued["action"] == "publish":
            self.products[key] = {**queued, "state": "live", "at": iso(e.timestamp)}
            return
        shown = self.products.get(key)
        if shown is not None and shown["publication"] == queued["publication"]:
            shown.update(state="retracted", note=queued["note"], retracted_at=iso(e.timestamp))

    @_on.register
    def _(self, e: Delivery.GaveUp) -> None:
        self._queued.pop(str(e.originator_id), None)


_fold = by_event_type(vars(PublicSite)["_on"])
