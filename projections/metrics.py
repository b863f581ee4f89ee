"""Metrics of the loop: time from assignment to first publication, products per capture, and
publications per channel per day."""

from __future__ import annotations

import copy
import statistics
from datetime import datetime
from functools import singledispatchmethod
from typing import Any, ClassVar

from events.assignment import Assignment
from events.capture import Capture
from events.story import Story
from projections.base import Change, Logged, by_event_type, iso


class NewsroomMetrics:
    """Counts and durations for evaluating the work (评)."""

    name: ClassVar[str] = "metrics"

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self._d: dict[str, Any] = state or {
            "position": 0,
            "planned_at": {},  # assignment -> ISO time
            "first_published": {},  # assignment -> seconds from planning to first publication
            "story_assignment": {},  # story -> assignment
            "story_captures": {},  # story -> [capture]
            "products": {},  # capture -> number of (story, channel) publications
            "per_day": {},  # "YYYY-MM-DD" -> {channel: count}
            "captures": 0,
        }

    @property
    def position(self) -> int:
        return int(self._d["position"])

    def state(self) -> dict[str, Any]:
        return self._d

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self._d)

    def apply(self, logged: Logged) -> list[Change]:
        changed = _fold(self, logged.event)
        self._d["position"] = logged.position
        return [["set", "metrics", "summary", self.summary()]] if changed else []

    @singledispatchmethod
    def _on(self, event: Any) -> bool:
        return False

    @_on.register
    def _(self, e: Assignment.Planned) -> bool:
        self._d["planned_at"][str(e.originator_id)] = iso(e.timestamp)
        return False

    @_on.register
    def _(self, e: Capture.Registered) -> bool:
        self._d["products"].setdefault(str(e.originator_id), 0)
        self._d["captures"] += 1
        return True

    @_on.register
    def _(self, e: Story.Drafted) -> bool:
        key = str(e.originator_id)
        if e.assignment:
            self._d["story_assignment"][key] = str(e.assignment)
        self._d["story_captures"][key] = [str(c) for c in e.captures]
        return False

    @_on.register
    def _(self, e: Story.Revised) -> bool:
        self._d["story_captures"][str(e.originator_id)] = [str(c) for c in e.captures]
        return False

    @_on.register
    def _(self, e: Story.Published) -> bool:
        key = str(e.originator_id)
        day = e.timestamp.date().isoformat()
        per_channel = self._d["per_day"].setdefault(day, {})
        for channel in e.channels:
            per_channel[channel] = per_channel.get(channel, 0) + 1
        for capture in self._d["story_captures"].get(key, []):
            products = self._d["products"]
            products[capture] = products.get(capture, 0) + len(e.channels)
        assignment = self._d["story_assignment"].get(key)
        planned = self._d["planned_at"].get(assignment) if assignment else None
        if assignment and planned and assignment not in self._d["first_published"]:
            started = datetime.fromisoformat(planned.replace("Z", "+00:00"))
            self._d["first_published"][assignment] = (e.timestamp - started).total_seconds()
        return True

    def summary(self) -> dict[str, Any]:
        """The figures a producer looks at."""
        durations = sorted(self._d["first_published"].values())
        products = list(self._d["products"].values())
        return {
            "assignments_published": len(durations),
            "assignment_to_first_publication_s": {
                "median": statistics.median(durations) if durations else None,
                "mean": statistics.fmean(durations) if durations else None,
                "max": durations[-1] if durations else None,
            },
            "captures": self._d["captures"],
            "products_per_capture": statistics.fmean(products) if products else 0.0,
            "per_channel_per_day": self._d["per_day"],
        }


_fold = by_event_type(vars(NewsroomMetrics)["_on"])
