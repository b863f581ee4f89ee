"""The capture library: every upload and recording, whose it is, and the stories that use it.

Editors cut stories from captures ("one capture, many products"): this is where they find them,
by assignment or by kind, with what the file is (type, size, duration, checksum) and where the
media node keeps it. A story's newest version says which captures it uses. The library also
says which uploads were refused (what they were called, what they turned out to be, and why), so
the one who sent a file, and the editors, see that it did not arrive rather than wonder.

Clips are captures cut from captures: each library entry says its `lineage` (the source and the
in and out points), and the library keeps the clip requests and what became of them, so the
editor sees a clip coming and the hub knows, after a restart, which ones it has still to make.
"""

from __future__ import annotations

from typing import Any, ClassVar

from events.assignment import Assignment
from events.capture import KEPT_TYPES, Capture, Upload
from events.clip import Clip
from events.story import Story
from projections.base import SectionsModel, event_fold, iso, kept


class CaptureLibrary(SectionsModel):
    """Captures by id, and for each the stories whose newest version attaches it and the reporter
    of its assignment (who may see it besides whoever registered it)."""

    name: ClassVar[str] = "captures"
    # assignments: id -> {"reporter", "captures": [ids]}, so that a reassignment touches only
    # that assignment's captures
    sections: ClassVar[dict[str, Any]] = {
        "captures": {},
        "stories": {},
        "assignments": {},
        "refused": {},
        "clips": {},
    }

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        super().__init__(state)
        # A checkpoint from before uploads were refused has no such section, and needs none.
        self._s.data.setdefault("refused", {})
        self._s.data.setdefault("clips", {})

    def get(self, capture: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._s.data["captures"].get(capture)
        return found

    def listing(
        self,
        *,
        assignment: str | None = None,
        kind: str | None = None,
        media: str | None = None,
        story: str | None = None,
        reporter: str | None = None,
        words: str | None = None,
        person: str | None = None,
    ) -> list[dict[str, Any]]:
        """Captures, newest first; `person` keeps those they registered or were assigned.

        `media` is what the content is (photo, video, audio, document), `reporter` the reporter
        of the capture's assignment or who registered it, and `words` must each be in its file
        name, title or notes (case ignored).
        """
        wanted = words.casefold().split() if words else []
        found = [
            item
            for item in self._s.data["captures"].values()
            if (assignment is None or item["assignment"] == assignment)
            and (kind is None or item["kind"] == kind)
            and (media is None or media_of(item["content_type"]) == media)
            and (story is None or story in item["stories"])
            and (reporter is None or reporter in (item["owner"], item["reporter"]))
            and (person is None or person in (item["owner"], item["reporter"]))
            and all(word in _searched(item) for word in wanted)
        ]
        return sorted(found, key=lambda item: item["registered_at"], reverse=True)

    def clips(
        self,
        *,
        state: str | None = None,
        source: str | None = None,
        person: str | None = None,
    ) -> list[dict[str, Any]]:
        """Clip requests, newest first; `person` keeps those of their captures or asked by them."""
        found = [
            item
            for item in self._s.data["clips"].values()
            if (state is None or item["state"] == state)
            and (source is None or item["source"] == source)
            and (person is None or person in (item["requested_by"], *self._people_of(item)))
        ]
        return sorted(found, key=lambda item: item["requested_at"], reverse=True)

    def _people_of(self, clip: dict[str, Any]) -> tuple[str | None, ...]:
        source = self.get(clip["source"])
        return (source["owner"], source["reporter"]) if source else ()

    def refusals(self, *, person: str | None = None) -> list[dict[str, Any]]:
        """Refused uploads, newest first; `person` keeps those they sent."""
        found = [
            item
            for item in self._s.data["refused"].values()
            if person is None or item["owner"] == person
        ]
        return sorted(found, key=lambda item: item["refused_at"], reverse=True)

    _on = event_fold()

    def _assignment(self, assignment: str) -> dict[str, Any]:
        known: dict[str, Any] = self._s.data["assignments"].setdefault(
            assignment, {"reporter": None, "captures": []}
        )
        return known

    @_on.register
    def _(self, e: Assignment.ReporterAssigned) -> None:
        known = self._assignment(str(e.originator_id))
        known["reporter"] = e.reporter
        for capture in known["captures"]:
            self._s.update("captures", capture, reporter=e.reporter)

    @_on.register
    def _(self, e: Capture.Registered) -> None:
        key = str(e.originator_id)
        assignment = str(e.assignment) if e.assignment else None
        reporter = None
        if assignment is not None:
            known = self._assignment(assignment)
            known["captures"].append(key)
            reporter = known["reporter"]
        self._s.set(
            "captures",
            key,
            {
                "id": key,
                "assignment": assignment,
                "reporter": reporter,
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
                "lineage": e.details.get("lineage"),
                "title": str(e.details.get("title") or ""),
                "notes": str(e.details.get("notes") or ""),
                "stories": [],
            },
        )

    @_on.register
    def _(self, e: Clip.Requested) -> None:
        self._add(
            "clips",
            e,
            {
                **kept(e),
                "requested_by": e.actor,
                "requested_at": iso(e.timestamp),
                "state": "requested",
                "capture": None,
                "reason": None,
                "finished_at": None,
            },
        )

    @_on.register
    def _(self, e: Clip.Made) -> None:
        self._finish_clip(e, "made", capture=str(e.capture))

    @_on.register
    def _(self, e: Clip.Failed) -> None:
        self._finish_clip(e, "failed", reason=e.reason)

    def _finish_clip(self, e: Clip.Made | Clip.Failed, state: str, **fields: Any) -> None:
        self._mark("clips", e, state=state, **fields, finished_at=iso(e.timestamp))

    @_on.register
    def _(self, e: Upload.Refused) -> None:
        key = e.originator_id.hex  # as the upload's address (/api/uploads/{id}) spells it
        self._s.set(
            "refused",
            key,
            {
                "id": key,
                **kept(e),
                "owner": e.actor,
                "refused_at": iso(e.timestamp),
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


PREFIXES = {"image": "photo", "video": "video", "audio": "audio"}


def media_of(content_type: str) -> str:
    """What a capture's content is: photo, video, audio or document (by its type)."""
    prefix = content_type.split("/")[0]
    return KEPT_TYPES.get(content_type) or PREFIXES.get(prefix, "document")


def _searched(item: dict[str, Any]) -> str:
    """The words a library search looks in."""
    return " ".join((item["filename"], item.get("title") or "", item.get("notes") or "")).casefold()
