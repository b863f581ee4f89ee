"""Leads: tips, complaints and questions from the public (线索与诉求), and the county departments
they are routed to.

received → routed (to a department, with a due date) → answered; or, from received or routed,
→ duplicate (of another lead) | assignment (the newsroom covers it) | topic (a topic proposal).
A routed lead that passes its due date without an answer is overdue (督办): `overdue_level` says
how far, and `escalate` records each new level once. Time always comes in with the command.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Unpack
from uuid import UUID

from events.base import Making, Moved, NewsroomAggregate, Sets, require_one_of, require_text
from events.errors import InvalidValue, RuleBroken
from events.messages import N_, Message
from events.roles import Actor, Role

KINDS = ("tip", "complaint", "question")
KIND_WORDS = {"tip": N_("tip"), "complaint": N_("complaint"), "question": N_("question")}
STATES = ("received", "routed", "answered", "duplicate", "assignment", "topic")
STATE_WORDS = {
    "received": N_("received"),
    "routed": N_("routed to a department"),
    "answered": N_("answered"),
    "duplicate": N_("merged with an earlier lead"),
    "assignment": N_("being covered by our reporters"),
    "topic": N_("proposed as a topic"),
}
OPEN_STATES = frozenset({"received", "routed"})
CHANNELS = ("web", "webhook", "csv", "open311", "hotline")
# The duty editor and the desk triage leads (admins hold every role).
TRIAGE = (Role.DISPATCHER, Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR)
# Each step past the due date raises the level once: 1 overdue (an alert on the wall),
# 2 escalated to the desk head, 3 escalated to the chief editor.
ESCALATION_STEP = timedelta(hours=24)
TOP_LEVEL = 3
LEVEL_WORDS = {
    1: N_("overdue"),
    2: N_("escalated to the desk head"),
    3: N_("escalated to the chief editor"),
}
MAX_TEXT = 5000


def overdue_level(due: datetime | None, now: datetime) -> int:
    """How far past its due date an unanswered lead is: 0 (not yet) up to TOP_LEVEL."""
    if due is None or now <= due:
        return 0
    return min(TOP_LEVEL, 1 + int((now - due) / ESCALATION_STEP))


class Lead(NewsroomAggregate):
    """One tip, complaint or question, from its arrival to the answer the sender reads."""

    class Received(NewsroomAggregate.Created):
        kind: str
        text: str
        contact: str
        location: dict[str, Any]
        channel: str
        source: str
        source_ref: str
        code_hash: str
        attachments: list[dict[str, Any]]

    class MarkedDuplicate(Moved):
        state = "duplicate"
        of: str
        reason: str

    class BecameAssignment(Moved):
        state = "assignment"
        assignment: str

    class BecameTopic(Moved):
        state = "topic"
        topic: str

    class Routed(NewsroomAggregate.Event):
        department: str
        department_name: str
        due: datetime
        note: str

        def apply(self, lead: Lead) -> None:
            lead.state = "routed"
            lead.department = self.department_name
            lead.due = self.due
            lead.level = 0

    class Escalated(NewsroomAggregate.Event):
        level: int
        department_name: str

        def apply(self, lead: Lead) -> None:
            lead.level = self.level

    class Answered(Moved):
        state = "answered"
        answer: str
        department_name: str
        on_time: bool

    def __init__(self, kind: str, text: str, location: dict[str, Any]) -> None:
        self.kind = kind
        self.text = text
        self.location = location
        self.state = "received"
        self.department: str | None = None
        self.due: datetime | None = None
        self.level = 0

    @classmethod
    def receive(
        cls,
        *,
        kind: str,
        text: str,
        contact: str,
        location: dict[str, Any],
        channel: str,
        source: str,
        source_ref: str,
        code_hash: str,
        attachments: list[dict[str, Any]] | None = None,
        **making: Unpack[Making],
    ) -> Lead:
        require_one_of(KINDS, N_("kind '{kind}' is not one of {known}"), kind=kind)
        require_one_of(CHANNELS, N_("channel '{channel}' is not one of {known}"), channel=channel)
        return cls._make(
            cls.Received,
            making,
            kind=kind,
            text=require_text(text, N_("the text of the lead"), max_length=MAX_TEXT),
            contact=contact.strip()[:200],
            location=location,
            channel=channel,
            source=source,
            source_ref=source_ref,
            code_hash=code_hash,
            attachments=list(attachments or []),
        )

    def mark_duplicate(self, *, at: datetime, actor: Actor, of: UUID, reason: str) -> None:
        self._triage(actor, N_("mark as a duplicate"))
        if of == self.id:
            raise InvalidValue("a lead cannot be a duplicate of itself")
        self._record(self.MarkedDuplicate, at, actor.name, of=str(of), reason=reason)

    def become_assignment(self, *, at: datetime, actor: Actor, assignment: UUID) -> None:
        self._triage(actor, N_("turn into an assignment"))
        self._record(self.BecameAssignment, at, actor.name, assignment=str(assignment))

    def become_topic(self, *, at: datetime, actor: Actor, topic: str) -> None:
        self._triage(actor, N_("propose as a topic"))
        self._record(self.BecameTopic, at, actor.name, topic=topic)

    def route(
        self,
        *,
        at: datetime,
        actor: Actor,
        department: UUID,
        department_name: str,
        due: datetime,
        note: str,
    ) -> None:
        """Sends the lead to a department (again, to another one, if the first was wrong)."""
        self._triage(actor, N_("route"))
        if due.tzinfo is None:
            raise InvalidValue("due must carry a time zone")
        if due <= at:
            raise InvalidValue("the due date must be in the future")
        self._record(
            self.Routed,
            at,
            actor.name,
            department=str(department),
            department_name=department_name,
            due=due,
            note=note.strip(),
        )

    def escalate(self, *, at: datetime, actor: Actor) -> bool:
        """Records the level the lead has reached past its due date; False when nothing new."""
        if self.state != "routed":
            return False
        level = overdue_level(self.due, at)
        if level <= self.level:
            return False
        self._record(
            self.Escalated, at, actor.name, level=level, department_name=self.department or ""
        )
        return True

    def answer(self, *, at: datetime, actor: Actor, answer: str) -> None:
        """Records the department's answer (or the desk's own, for a question it can answer)."""
        actor.require(*TRIAGE, doing=N_("record answers to leads"))
        self._require_open(N_("answer"))
        text = require_text(answer, N_("the answer"), max_length=MAX_TEXT)
        on_time = self.due is None or at <= self.due
        self._record(
            self.Answered,
            at,
            actor.name,
            answer=text,
            department_name=self.department or "",
            on_time=on_time,
        )

    def _triage(self, actor: Actor, doing: str) -> None:
        actor.require(*TRIAGE, doing=N_("triage leads"))
        self._require_open(doing)

    def _require_open(self, doing: str) -> None:
        if self.state not in OPEN_STATES:
            raise RuleBroken(
                "cannot {doing} this lead while it is {state}",
                doing=Message(doing),
                state=Message(STATE_WORDS[self.state]),
            )


class Department(NewsroomAggregate):
    """A county department leads are routed to, with the contacts that reach it."""

    class Added(NewsroomAggregate.Created):
        name: str
        contacts: str

    class ContactsChanged(Sets):
        contacts: str

    def __init__(self, name: str, contacts: str) -> None:
        self.name = name
        self.contacts = contacts

    @classmethod
    def add(cls, *, name: str, contacts: str, **making: Unpack[Making]) -> Department:
        making["actor"].require(Role.ADMIN, doing=N_("manage departments"))
        return cls._make(
            cls.Added,
            making,
            name=require_text(name, N_("the department's name"), max_length=100),
            contacts=contacts.strip(),
        )

    def change_contacts(self, *, at: datetime, actor: Actor, contacts: str) -> None:
        actor.require(Role.ADMIN, doing=N_("manage departments"))
        self._record(self.ContactsChanged, at, actor.name, contacts=contacts.strip())
