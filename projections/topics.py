"""The topic book: every proposal, the meeting's decisions on it, and the assignments made from
it; read a day at a time as that day's meeting and its minutes (会议纪要)."""

from __future__ import annotations

from typing import Any, ClassVar

from events.assignment import Assignment
from events.topic import Topic
from projections.base import SectionsModel, event_fold, iso

# What each assignment event makes of an assignment made from a topic.
ASSIGNMENT_STATES: dict[type, str] = {
    Assignment.ReporterAssigned: "assigned",
    Assignment.Accepted: "accepted",
    Assignment.Declined: "declined",
    Assignment.CheckedIn: "on_scene",
    Assignment.Filed: "filed",
    Assignment.Closed: "closed",
    Assignment.Cancelled: "cancelled",
}


class TopicBook(SectionsModel):
    """Topics by id, and which topic each assignment made from one belongs to."""

    name: ClassVar[str] = "topics"
    sections: ClassVar[dict[str, Any]] = {"topics": {}, "assignments": {}}
    _on = event_fold()

    @_on.register
    def _(self, e: Topic.Proposed) -> None:
        self._add(
            "topics",
            e,
            {
                "version": e.originator_version,
                "title": e.title,
                "angle": e.angle,
                "channels": list(e.channels),
                "resources": e.resources,
                "day": e.day,
                "proposed_for": e.day,
                "origin": e.origin,
                "lead": str(e.lead) if e.lead else None,
                "proposer": e.actor,
                "proposed_at": iso(e.timestamp),
                "state": "proposed",
                "decisions": [],
                "assignments": [],
            },
        )

    @_on.register
    def _(self, e: Topic.Decided) -> None:
        topic = self._s.data["topics"].get(str(e.originator_id))
        if topic is None:
            return
        topic["decisions"].append(
            {
                "decision": e.decision,
                "reason": e.reason,
                "by": e.actor,
                "at": iso(e.timestamp),
                "day": e.day,
                "next_day": e.next_day,
            }
        )
        state = {"approve": "approved", "defer": "deferred", "drop": "dropped"}[e.decision]
        self._s.update(
            "topics",
            topic["id"],
            state=state,
            day=e.next_day or topic["day"],
            version=e.originator_version,
        )

    @_on.register
    def _(self, e: Assignment.Planned) -> None:
        if e.topic is None:
            return
        key, topic_id = str(e.originator_id), str(e.topic)
        topic = self._s.data["topics"].get(topic_id)
        if topic is None:
            return
        self._s.data["assignments"][key] = topic_id
        topic["assignments"].append(
            {
                "id": key,
                "title": e.title,
                "reporter": None,
                "state": "planned",
                "channels": list(e.channels),
                "planned_by": e.actor,
                "planned_at": iso(e.timestamp),
            }
        )
        self._s.update("topics", topic_id)

    def _progress(self, e: Any) -> None:
        """An assignment made from a topic moved on."""
        state = ASSIGNMENT_STATES.get(type(e))
        topic_id = self._s.data["assignments"].get(str(e.originator_id))
        if state is None or topic_id is None:
            return
        topic = self._s.data["topics"][topic_id]
        for item in topic["assignments"]:
            if item["id"] == str(e.originator_id):
                item["state"] = state
                if isinstance(e, Assignment.ReporterAssigned):
                    item["reporter"] = e.reporter
        self._s.update("topics", topic_id)


for _kind in ASSIGNMENT_STATES:
    vars(TopicBook)["_on"].register(_kind, TopicBook._progress)


def meeting(state: dict[str, Any], day: str) -> dict[str, Any]:
    """The meeting of `day`: the topics before it (proposed for it, deferred to it, or decided
    at it), oldest proposal first, and its minutes (the decisions taken that day, in order)."""
    topics = [
        t
        for t in state["topics"].values()
        if t["day"] == day
        or t["proposed_for"] == day
        or any(d["day"] == day for d in t["decisions"])
    ]
    topics.sort(key=lambda t: t["proposed_at"])
    minutes = [
        {
            "topic": t["id"],
            "title": t["title"],
            "proposer": t["proposer"],
            "channels": t["channels"],
            **d,
            "assignments": t["assignments"] if d["decision"] == "approve" else [],
        }
        for t in topics
        for d in t["decisions"]
        if d["day"] == day
    ]
    minutes.sort(key=lambda m: m["at"])
    return {"day": day, "topics": topics, "minutes": minutes}


def proposals_of(state: dict[str, Any], person: str, limit: int = 50) -> list[dict[str, Any]]:
    """One person's proposals, newest first."""
    mine = [t for t in state["topics"].values() if t["proposer"] == person]
    mine.sort(key=lambda t: t["proposed_at"], reverse=True)
    return mine[:limit]
