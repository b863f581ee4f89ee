"""The publishing matrix: every story against every channel (one capture, many products)."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any, ClassVar

from events.roles import REVIEW_LEVEL_NAMES
from events.story import Story
from projections.base import SectionsModel, iso


class PublishingMatrix(SectionsModel):
    """Story × channel: what is live where, which version, since when and by whom."""

    name: ClassVar[str] = "matrix"

    @staticmethod
    def empty() -> dict[str, Any]:
        return {"position": 0, "stories": {}}

    @singledispatchmethod
    def _on(self, event: Any) -> None:
        """Other events do not touch the matrix."""

    @_on.register
    def _(self, e: Story.Drafted) -> None:
        key = str(e.originator_id)
        self._s.set(
            "stories",
            key,
            {
                "id": key,
                "title": e.title,
                "assignment": str(e.assignment) if e.assignment else None,
                "revision": 1,
                "state": "draft",
                "review": None,
                "captures": [str(c) for c in e.captures],
                "channels": {},
                "created_at": iso(e.timestamp),
                "author": e.actor,
            },
        )

    @_on.register
    def _(self, e: Story.Revised) -> None:
        self._s.update(
            "stories",
            str(e.originator_id),
            title=e.title,
            revision=e.revision,
            state="draft",
            review=None,
            captures=[str(c) for c in e.captures],
        )

    @_on.register
    def _(self, e: Story.Submitted) -> None:
        self._s.update(
            "stories", str(e.originator_id), state="in_review", review=REVIEW_LEVEL_NAMES[0]
        )

    @_on.register
    def _(self, e: Story.Approved) -> None:
        final = e.level == len(REVIEW_LEVEL_NAMES)
        self._s.update(
            "stories",
            str(e.originator_id),
            state="approved" if final else "in_review",
            review=None if final else REVIEW_LEVEL_NAMES[e.level],
        )

    @_on.register
    def _(self, e: Story.Rejected) -> None:
        self._s.update("stories", str(e.originator_id), state="returned", review=None)

    @_on.register
    def _(self, e: Story.Published) -> None:
        story = self._s.data["stories"].get(str(e.originator_id))
        if story is None:
            return
        for channel in e.channels:
            story["channels"][channel] = {
                "state": "live",
                "revision": e.revision,
                "at": iso(e.timestamp),
                "by": e.actor,
            }
        self._s.update("stories", story["id"])

    @_on.register
    def _(self, e: Story.Retracted) -> None:
        story = self._s.data["stories"].get(str(e.originator_id))
        if story is None:
            return
        for channel in e.channels:
            cell = story["channels"].get(channel, {})
            story["channels"][channel] = {
                **cell,
                "state": "retracted",
                "at": iso(e.timestamp),
                "by": e.actor,
                "reason": e.reason,
            }
        self._s.update("stories", story["id"])
