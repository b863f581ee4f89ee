"""The capture library: every upload and recording, whose it is, and the stories that use it.

Editors cut stories from captures ("one capture, many products"): this is where they find them,
by assignment or by kind, with what the file is (type, size, duration, checksum) and where the
media node keeps it. A story's newest version says which captures it uses.
"""

from __future__ import annotations

import copy
from functools import singledispatchmethod
from typing import Any, ClassVar

from events.assignment import Assignment
from events.capture import Capture
from events.story import Story
from projections.base import Change, Logged, Sections, by_event_type, iso


class CaptureLibrary:
    """Captures by id, and for each the stories whose newest version attaches it and the reporter
    of its assignment (who may see it besides whoever registered it)."""

    name: ClassVar[str] = "captures"

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        empty = {"position": 0, "captures": {}, "stories": {}, "reporters": {}}
        self._s = Sections(state if state is not None else empty)

    @property
    def position(self) -> int:
        return int(self._s.data["position"])

    def state(self) -> dict[str, Any]:
        return self._s.data

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self._s.data)

    def get(self, capture: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._s.data["captures"].get(capture)
        return found

    def listing(
        self,
        *,
        assignment: str | None = None,
        kind: str | None = None,
        story: str | None = None,
        person: str | None = None,
    ) -> list[dict[str, Any]]:
        """Captures, newest first; `person` keeps those they registered or were assigned."""
        found = [
            item
            for item in self._s.data["captures"].values()
            if (assignment is None or item["assignment"] == assignment)
            and (kind is None or item["kind"] == kind)
            and (story is None or story in item["stories"])
            and (person is None or person in (item["owner"], item["reporter"]))
        ]
        return sorted(found, key=lambda item: item["registered_at"], reverse=True)

    def apply(self, logged: Logged) -> list[Change]:
        _fold(self, logged.event)
        self._s.data["position"] = logged.position
        return self._s.take_changes()

    @singledispatchmethod
    def _on(self, event: Any) -> None:
        """Other events do not touch the library."""

    @_on.register
    def _(self, e: Assignment.ReporterAssigned) -> None:
        assignment = str(e.originator_id)
        self._s.data["reporters"][assignment] = e.reporter
        for item in list(self._s.data["captures"].values()):
            if item["assignment"] == assignment:
                self._s.update("captures", item["id"], reporter=e.reporter)

    @_on.register
    def _(self, e: Capture.Registered) -> None:
        key = str(e.originator_id)
        assignment = str(e.assignment) if e.assignment else None
        self._s.set(
            "captures",
            key,
            {
                "id": key,
                "assignment": assignment,
                "reporter": self._s.data["reporters"].get(assignment) if assignment else None,
                "kind": e.kind,
                "filename": e.filename,
                "content_type": e.content_type,
                "size": e.size,
                "sha256": e.sha256,
                "duration": e.duration,
                "source": e.source,
                "location": e.location,
                "owner": e.actor,
                "registered_at": iso(e.timestamp),
                "path": e.details.get("path"),
                "stories": [],
            },
        )

    @_on.register
    def _(self, e: Story.Drafted) -> None:
        self._attach(str(e.originator_id), [str(c) for c in e.captures])

    @_on.register
    def _(self, e: Story.Revised) -> None:
        self._attach(str(e.originator_id), [str(c) for c in e.captures])

    def _attach(self, story: str, captures: list[str]) -> None:
        """The story now uses exactly these captures (its newest version)."""
        before = set(self._s.data["stories"].get(story, []))
        self._s.data["stories"][story] = captures
        for capture in before - set(captures):
            item = self.get(capture)
            if item is not None:
                kept = [s for s in item["stories"] if s != story]
                self._s.update("captures", capture, stories=kept)
        for capture in captures:
            item = self.get(capture)
            if item is not None and story not in item["stories"]:
                self._s.update("captures", capture, stories=[*item["stories"], story])


_fold = by_event_type(vars(CaptureLibrary)["_on"])
