"""The lead book: every lead with its triage and answer, the departments, and the figures.

Leads are found by id, by the hash of their tracking code (the code itself is never kept) and by
their source's own id. What a citizen reads on the tracking page is `public_view`: the kind, the
progress with the department's name and its answer, never the contact, the staff or the notes.
Figures that depend on the clock (overdue, on time by now) take `now` as an argument.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

from events.lead import OPEN_STATES, Department, Lead
from events.messages import N_, Message
from projections.base import SectionsModel, event_fold, iso

COUNTY_TIME = timezone(timedelta(hours=8))  # months are counted in the county's own time


class LeadBook(SectionsModel):
    """The read model of leads and departments."""

    name: ClassVar[str] = "leads"
    sections: ClassVar[dict[str, Any]] = {"leads": {}, "departments": {}, "codes": {}, "refs": {}}
    _on = event_fold()

    @_on.register
    def _(self, e: Lead.Received) -> None:
        key = str(e.originator_id)
        self._s.data["codes"][e.code_hash] = key
        if e.source_ref:
            self._s.data["refs"][f"{e.source}:{e.source_ref}"] = key
        self._s.set(
            "leads",
            key,
            {
                "id": key,
                "kind": e.kind,
                "text": e.text,
                "contact": e.contact,
                "location": e.location,
                "channel": e.channel,
                "source": e.source,
                "source_ref": e.source_ref,
                "attachments": e.attachments,
                "received_at": iso(e.timestamp),
                "updated_at": iso(e.timestamp),
                "state": "received",
                "department": None,
                "department_name": None,
                "due": None,
                "routed_at": None,
                "note": "",
                "level": 0,
                "answer": None,
                "answered_at": None,
                "on_time": None,
                "duplicate_of": None,
                "assignment": None,
                "topic": None,
                "version": 1,
                "steps": [_step(e, "received")],
            },
        )

    @_on.register
    def _(self, e: Lead.MarkedDuplicate) -> None:
        self._lead(e, state="duplicate", duplicate_of=e.of)

    @_on.register
    def _(self, e: Lead.BecameAssignment) -> None:
        self._lead(e, state="assignment", assignment=e.assignment)

    @_on.register
    def _(self, e: Lead.BecameTopic) -> None:
        self._lead(e, state="topic", topic=e.topic)

    @_on.register
    def _(self, e: Lead.Routed) -> None:
        self._lead(
            e,
            step={"department": e.department_name, "due": iso(e.due)},
            state="routed",
            department=e.department,
            department_name=e.department_name,
            due=iso(e.due),
            routed_at=iso(e.timestamp),
            note=e.note,
            level=0,
        )

    @_on.register
    def _(self, e: Lead.Escalated) -> None:
        self._lead(e, step={"level": e.level}, level=e.level)

    @_on.register
    def _(self, e: Lead.Answered) -> None:
        self._lead(
            e,
            state="answered",
            answer=e.answer,
            answered_at=iso(e.timestamp),
            on_time=e.on_time,
        )

    @_on.register
    def _(self, e: Department.Added) -> None:
        key = str(e.originator_id)
        self._s.set("departments", key, {"id": key, "name": e.name, "contacts": e.contacts})

    @_on.register
    def _(self, e: Department.ContactsChanged) -> None:
        self._mark("departments", e, contacts=e.contacts)

    def _lead(self, e: Any, *, step: dict[str, Any] | None = None, **fields: Any) -> None:
        key = str(e.originator_id)
        item = self._s.data["leads"].get(key)
        if item is None:
            return
        what = _STEP_OF[type(e)]
        steps = [*item["steps"], _step(e, what, **(step or {}))]
        self._s.update(
            "leads",
            key,
            **fields,
            steps=steps,
            updated_at=iso(e.timestamp),
            version=e.originator_version,
        )

    # -- finding --------------------------------------------------------------------------------

    def by_code_hash(self, code_hash: str) -> dict[str, Any] | None:
        key = self._s.data["codes"].get(code_hash)
        return None if key is None else self._s.data["leads"].get(key)

    def by_ref(self, source: str, ref: str) -> dict[str, Any] | None:
        key = self._s.data["refs"].get(f"{source}:{ref}")
        return None if key is None else self._s.data["leads"].get(key)

    def lead(self, key: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._s.data["leads"].get(key)
        return found

    def leads(self) -> list[dict[str, Any]]:
        return list(self._s.data["leads"].values())

    def departments(self) -> list[dict[str, Any]]:
        return sorted(self._s.data["departments"].values(), key=lambda d: d["name"])

    def overdue(self, now: datetime) -> list[dict[str, Any]]:
        """Routed leads past their due date (whether or not the check has escalated them yet)."""
        return [
            lead
            for lead in self._s.data["leads"].values()
            if lead["state"] == "routed" and lead["due"] and moment(lead["due"]) < now
        ]


_STEP_OF: dict[type, str] = {
    Lead.MarkedDuplicate: "duplicate",
    Lead.BecameAssignment: "assignment",
    Lead.BecameTopic: "topic",
    Lead.Routed: "routed",
    Lead.Escalated: "escalated",
    Lead.Answered: "answered",
}


def _step(e: Any, what: str, **extra: Any) -> dict[str, Any]:
    return {"what": what, "at": iso(e.timestamp), **extra}


def public_view(lead: dict[str, Any]) -> dict[str, Any]:
    """What the sender reads with the tracking code: no contact, no staff, no internal note."""
    steps = [
        {k: v for k, v in step.items() if k in ("what", "at", "department", "due")}
        for step in lead["steps"]
        if step["what"] != "escalated"
    ]
    return {
        "kind": lead["kind"],
        "text": lead["text"],
        "received_at": lead["received_at"],
        "state": lead["state"],
        "department": lead["department_name"],
        "due": lead["due"],
        "answer": lead["answer"],
        "answered_at": lead["answered_at"],
        "steps": steps,
    }


def open_and_overdue(book: LeadBook) -> dict[str, int]:
    """The wall's counts: open leads, and those the follow-up found overdue and unanswered."""
    leads = book.leads()
    return {
        "open": sum(1 for lead in leads if lead["state"] in OPEN_STATES),
        "overdue": sum(1 for lead in leads if lead["state"] == "routed" and lead["level"] > 0),
    }


def moment(text: str) -> datetime:
    """A time as the read model keeps it (ISO 8601, UTC, "Z"), to compare as a time: the texts
    do not sort as times when one has fractions of a second and the other none."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def month_of(text: str) -> str:
    """The county's calendar month of an ISO time: "2026-11"."""
    return moment(text).astimezone(COUNTY_TIME).strftime("%Y-%m")


def rates(book: LeadBook, now: datetime) -> list[dict[str, Any]]:
    """Reply rate and on-time rate per department and month (of routing).

    Reply rate: answered / routed. On-time rate: answered by the due date / those whose answer
    is in or whose due date has passed (a lead still inside its time counts for neither side).
    """
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for lead in book.leads():
        if not lead["routed_at"] or not lead["department_name"]:
            continue
        key = (lead["department_name"], month_of(lead["routed_at"]))
        row = rows.setdefault(
            key,
            {
                "department": key[0],
                "month": key[1],
                "routed": 0,
                "answered": 0,
                "on_time": 0,
                "late": 0,
            },
        )
        row["routed"] += 1
        if lead["answered_at"]:
            row["answered"] += 1
            row["on_time" if lead["on_time"] else "late"] += 1
        elif lead["due"] and moment(lead["due"]) < now:
            row["late"] += 1
    result = []
    for row in sorted(rows.values(), key=lambda r: (r["month"], r["department"])):
        judged = row["on_time"] + row["late"]
        row["reply_rate"] = round(row["answered"] / row["routed"], 4)
        row["on_time_rate"] = round(row["on_time"] / judged, 4) if judged else None
        result.append(row)
    return result


STEP_WORDS = {
    "received": N_("received"),
    "duplicate": N_("merged with an earlier lead"),
    "assignment": N_("being covered by our reporters"),
    "topic": N_("proposed as a topic"),
    "answered": N_("answered"),
}


def step_words(step: dict[str, Any]) -> Message:
    """A step of the progress as the tracking page says it."""
    if step["what"] == "routed":
        return Message("routed to {department}", department=step.get("department") or "")
    return Message(STEP_WORDS.get(step["what"], step["what"]))
