"""The publishing matrix: every story against every channel (one capture, many products).

A story's row holds what is live where (the story's own publications) and its products, one
per channel, each with its state, the review level waiting, how it was cleared (three reviews or
the fast track) and its scheduled time. The products also stand in their own section by id, and
the scheduled ones in `scheduled`, which the scheduler (hub/scheduler.py) reads.
"""

from __future__ import annotations

from typing import Any, ClassVar

from events.delivery import Delivery
from events.product import Product
from events.roles import REVIEW_LEVEL_NAMES
from events.story import Story
from projections.base import SectionsModel, event_fold, iso


class PublishingMatrix(SectionsModel):
    """Story × channel: what is live where, which version, since when and by whom."""

    name: ClassVar[str] = "matrix"
    sections: ClassVar[dict[str, Any]] = {"stories": {}, "products": {}, "scheduled": {}}
    _on = event_fold()

    @_on.register
    def _(self, e: Story.Drafted) -> None:
        self._add(
            "stories",
            e,
            {
                "title": e.title,
                "assignment": str(e.assignment) if e.assignment else None,
                "revision": 1,
                "state": "draft",
                "review": None,
                "captures": [str(c) for c in e.captures],
                "channels": {},
                "products": {},
                "created_at": iso(e.timestamp),
                "author": e.actor,
            },
        )

    @_on.register
    def _(self, e: Story.Revised) -> None:
        self._mark(
            "stories",
            e,
            title=e.title,
            revision=e.revision,
            state="draft",
            review=None,
            captures=[str(c) for c in e.captures],
        )

    @_on.register
    def _(self, e: Story.Submitted) -> None:
        self._mark("stories", e, state="in_review", review=REVIEW_LEVEL_NAMES[0])

    @_on.register
    def _(self, e: Story.Approved) -> None:
        final = e.level == len(REVIEW_LEVEL_NAMES)
        self._mark(
            "stories",
            e,
            state="approved" if final else "in_review",
            review=None if final else REVIEW_LEVEL_NAMES[e.level],
        )

    @_on.register
    def _(self, e: Story.Rejected) -> None:
        self._mark("stories", e, state="returned", review=None)

    @_on.register
    def _(self, e: Story.Published) -> None:
        self._story_cells(e, state="live", revision=e.revision, at=iso(e.timestamp), by=e.actor)

    @_on.register
    def _(self, e: Story.Retracted) -> None:
        self._story_cells(
            e, keep=True, state="retracted", at=iso(e.timestamp), by=e.actor, reason=e.reason
        )

    def _story_cells(
        self, e: Story.Published | Story.Retracted, keep: bool = False, **fields: Any
    ) -> None:
        """Sets the story's cell of each channel the event names to `fields`, over what the cell
        held where `keep` says."""
        story = self._s.data["stories"].get(str(e.originator_id))
        if story is None:
            return
        for channel in e.channels:
            held = story["channels"].get(channel, {}) if keep else {}
            story["channels"][channel] = {**held, **fields}
        self._s.update("stories", story["id"])

    # -- deliveries: each outlet's delivery of the cell's product (docs/delivery.md) ------------

    @_on.register
    def _(self, e: Delivery.Queued) -> None:
        if e.story is None or e.channel is None:
            return  # a decision sent back to an origin: no cell of this hub's
        index = self._s.data.setdefault("delivery_cells", {})
        index[str(e.originator_id)] = [str(e.story), e.channel, e.outlet_name, str(e.subject)]
        self._delivery(
            e,
            kind=e.kind,
            action=e.action,
            publication=e.publication,
            state="queued",
            attempts=0,
            reason=None,
            next_at=None,
            decision=None,
        )

    @_on.register
    def _(self, e: Delivery.Attempted) -> None:
        self._delivery(e, state="attempting", attempts=e.attempt)

    @_on.register
    def _(self, e: Delivery.Delivered) -> None:
        self._delivery(e, state="delivered", reason=None, next_at=None)

    @_on.register
    def _(self, e: Delivery.Failed) -> None:
        self._delivery(e, state="failed", reason=e.reason, next_at=iso(e.next_at))

    @_on.register
    def _(self, e: Delivery.GaveUp) -> None:
        self._delivery(e, state="gave_up", reason=e.reason, next_at=None)

    @_on.register
    def _(self, e: Delivery.Decided) -> None:
        decision = {"adopted": e.adopted, "reason": e.reason, "by": e.by}
        self._delivery(e, decision=decision)

    def _delivery(self, e: Any, **fields: Any) -> None:
        """Updates the outlet's line in the cell of the delivered product: the product's own
        cell (mirrored into its story's row) where the matrix holds products, else the story's
        cell of the channel."""
        found = self._s.data.get("delivery_cells", {}).get(str(e.originator_id))
        if found is None:
            return
        story_id, channel, outlet, subject = found
        product = self._s.data.get("products", {}).get(subject)
        story = self._s.data["stories"].get(story_id)
        cell = product
        if cell is None and story is not None:
            cell = story["channels"].setdefault(channel, {"state": "live"})
        if cell is None:
            return
        line = cell.setdefault("deliveries", {}).setdefault(outlet, {})
        line.update(fields, at=iso(e.timestamp))
        if product is not None:
            self._s.update("products", subject)
            if story is not None:
                story.setdefault("products", {})[channel] = dict(product)
        if story is not None:
            self._s.update("stories", story_id)

    # -- products ---------------------------------------------------------------------------------

    def _product(self, e: Any, **fields: Any) -> None:
        """Updates a product's cell, in its own section and in its story's row."""
        key = str(e.originator_id)
        cell = self._s.update("products", key, version=e.originator_version, **fields)
        if cell is not None:
            self._mirror(cell)

    def _mirror(self, cell: dict[str, Any]) -> None:
        story = self._s.data["stories"].get(cell["story"])
        if story is not None:
            story.setdefault("products", {})[cell["channel"]] = dict(cell)
            self._s.update("stories", story["id"])

    @_on.register
    def _(self, e: Product.Made) -> None:
        key = str(e.originator_id)
        cell = {
            "id": key,
            "story": str(e.story),
            "channel": e.channel,
            "title": e.title,
            "version": e.originator_version,
            "revision": 1,
            "state": "draft",
            "review": None,
            "cleared": None,
            "fast_track": None,
            "publish_at": None,
            "publications": 0,
            "digest": e.digest,
            "by": e.actor,
            "at": iso(e.timestamp),
        }
        self._s.set("products", key, cell)
        self._mirror(cell)

    @_on.register
    def _(self, e: Product.Edited) -> None:
        cell = self._s.data["products"].get(str(e.originator_id))
        if cell is None:
            return
        changed = e.digest != cell["digest"]
        fields: dict[str, Any] = {"title": e.title, "revision": e.revision, "digest": e.digest}
        if changed:
            fields |= {"cleared": None, "fast_track": None}
            if cell["state"] != "draft" and cell["state"] != "returned":
                fields |= {"state": "in_review", "review": REVIEW_LEVEL_NAMES[0]}
        if e.unscheduled:
            fields["publish_at"] = None
            self._s.delete("scheduled", cell["id"])
        self._product(e, **fields)

    @_on.register
    def _(self, e: Product.Submitted) -> None:
        self._product(e, state="in_review", review=REVIEW_LEVEL_NAMES[0])

    @_on.register
    def _(self, e: Product.Approved) -> None:
        final = e.level == len(REVIEW_LEVEL_NAMES)
        self._product(
            e,
            state="approved" if final else "in_review",
            review=None if final else REVIEW_LEVEL_NAMES[e.level],
            cleared="review" if final else None,
        )

    @_on.register
    def _(self, e: Product.Rejected) -> None:
        self._product(e, state="returned", review=None, cleared=None, reason=e.reason)

    @_on.register
    def _(self, e: Product.FastTracked) -> None:
        flag = {"by": e.actor, "reason": e.reason, "at": iso(e.timestamp)}
        self._product(e, state="approved", review=None, cleared="fast_track", fast_track=flag)

    @_on.register
    def _(self, e: Product.Scheduled) -> None:
        key = str(e.originator_id)
        self._product(e, state="scheduled", publish_at=iso(e.publish_at), scheduled_by=e.actor)
        self._s.set("scheduled", key, {"id": key, "publish_at": iso(e.publish_at)})

    @_on.register
    def _(self, e: Product.ScheduleCancelled) -> None:
        self._product(e, state="approved", publish_at=None)
        self._s.delete("scheduled", str(e.originator_id))

    @_on.register
    def _(self, e: Product.Published) -> None:
        self._s.delete("scheduled", str(e.originator_id))
        self._product(
            e,
            state="published",
            publish_at=None,
            publications=e.publication,
            published_at=iso(e.timestamp),
            published_by=e.on_behalf_of or e.actor,
        )

    @_on.register
    def _(self, e: Product.Retracted) -> None:
        self._product(e, state="retracted", reason=e.reason, retracted_at=iso(e.timestamp))
