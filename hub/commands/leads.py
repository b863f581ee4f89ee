"""Leads and departments: a citizen's tip, intake from other systems, triage, follow-up, answers.

`SendTip` (the public page and Open311) and `ReceiveLead` (webhooks, the CSV import) have no
`http` declaration: their routes are public or signed (web/tips.py, web/intake.py), not the
staff's API. A lead from another system takes its id from that system's own id, so sending the
same one twice makes one lead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from events.assignment import Assignment
from events.errors import InvalidValue
from events.lead import TRIAGE, Department, Lead
from events.messages import Message
from events.roles import Role
from events.topic import Topic
from hub.commands.assignments import PlanAssignment
from hub.commands.base import ById, ByName, Command, Create, Http
from hub.commands.fields import (
    Latitude,
    Longitude,
    Moment,
    Name,
    Place,
    Priority,
    Title,
    line,
    lines,
)
from hub.commands.topics import ProposeTopic
from hub.errors import NotFound
from hub.names import named_id
from hub.tracking import code_hash, new_code
from projections.leads import COUNTY_TIME

if TYPE_CHECKING:
    from hub.newsroom import Done, Newsroom, Request

L = "/api/leads/{id}"
D = "/api/departments/{name}"
TAG = "leads"
LeadKind = Literal["tip", "complaint", "question"]
LeadText = lines(5000, min_length=1)
CODE = "code"  # the answer's field with the tracking code


class Spot(BaseModel):
    """Where it happened: a place's name, and its coordinates when the sender gave them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = line(200, default="")
    lat: Latitude | None = None
    lon: Longitude | None = None

    def as_dict(self) -> dict[str, Any]:
        has_point = self.lat is not None and self.lon is not None
        return {
            "name": self.name.strip(),
            "lat": self.lat if has_point else None,
            "lon": self.lon if has_point else None,
        }


class Attachment(BaseModel):
    """A photo or video the sender uploaded (kept inert where the hub keeps tip files)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = line(64, min_length=1)
    content_type: str = line(100, min_length=1)
    size: int = Field(ge=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class SendTip(Command):
    """Send a tip, complaint or question (a citizen, from the public page or Open311)."""

    kind: LeadKind
    text: str = LeadText
    contact: str = line(200, default="")
    location: Spot = Field(default_factory=Spot)
    attachments: list[Attachment] = Field(default_factory=list, max_length=6)
    channel: Literal["web", "open311"] = "web"
    source: str = line(40, default="public")

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        return take_lead(
            self,
            newsroom,
            r,
            None,
            location=self.location.as_dict(),
            source_ref="",
            attachments=[a.model_dump() for a in self.attachments],
        )


def take_lead(
    command: Command,
    newsroom: Newsroom,
    r: Request,
    id: UUID | None,
    *,
    what: Message | None = None,
    **fields: Any,
) -> Done:
    """Makes the lead `command` brings in (with `fields` as `Command.new` takes them), and a
    tracking code for its sender: the answer carries the code, the lead only the code's hash."""
    code = new_code()

    def make() -> Lead:
        return command.new(Lead.receive, r, id, code_hash=code_hash(code), **fields)

    return newsroom.create(r, command.command_name(), make, what=what, extra={CODE: code})


def lead_id_from(source: str, ref: str) -> UUID:
    """The id of the lead another system knows as `ref`."""
    return named_id("lead", f"{source}:{ref}")


class ReceiveLead(Command):
    """Take a lead from another system (the hotline's webhook, a CSV export)."""

    source: Name
    source_ref: str = line(100, min_length=1)
    kind: LeadKind = "tip"
    text: str = LeadText
    contact: str = line(200, default="")
    location: Spot = Field(default_factory=Spot)
    channel: Literal["webhook", "csv", "hotline"] = "webhook"

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        what = Message("lead '{ref}' from {source}", ref=self.source_ref, source=self.source)
        lead = lead_id_from(self.source, self.source_ref)
        return take_lead(self, newsroom, r, lead, what=what, location=self.location.as_dict())


class OnLead(ById, on=Lead, noun="lead", abstract=True):
    """A change to the lead the path names."""


class MarkDuplicate(OnLead):
    """Mark a lead as a duplicate of another."""

    http = Http("POST", f"{L}/duplicate", TAG, roles=TRIAGE)
    calls = "mark_duplicate"
    of: UUID
    reason: str = lines(2000, default="")

    def check(self, newsroom: Newsroom, r: Request) -> None:
        newsroom.get(Lead, self.of)


class MakeAssignment(OnLead):
    """Turn a lead into an assignment (planned, and assigned when a reporter is named)."""

    http = Http("POST", f"{L}/assignment", TAG, roles=(Role.DISPATCHER,))  # who plans them
    title: Title
    priority: Priority = "normal"
    due: Moment | None = None
    reporter: Name | None = None
    location: Place | None = Field(
        default=None, description="where to go; the lead's own place when it has coordinates"
    )

    def check(self, newsroom: Newsroom, r: Request) -> None:
        if self.reporter is not None and Role.REPORTER.value not in (
            newsroom.user(self.reporter).roles
        ):
            raise NotFound("{name} is not a reporter", name=self.reporter)

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        """The lead's change and the new assignment are saved in one transaction."""
        self.check(newsroom, r)
        assignment_id = uuid4()

        def plan(lead: Lead) -> list[Assignment]:
            wanted = PlanAssignment(
                title=self.title,
                brief=lead.text,
                location=self.location or _place_of(lead),
                priority=self.priority,
                due=self.due,
            )
            assignment = wanted.planned(r, assignment_id)
            if self.reporter is not None:
                assignment.assign(at=r.at, actor=r.actor, reporter=self.reporter)
            return [assignment]

        return self.change(
            newsroom,
            r,
            lambda lead: lead.become_assignment(at=r.at, actor=r.actor, assignment=assignment_id),
            alongside=plan,
            extra={"assignment": str(assignment_id)},
        )


def _place_of(lead: Lead) -> Place:
    spot = lead.location
    if spot.get("lat") is None or spot.get("lon") is None:
        raise InvalidValue("the lead has no coordinates: give the assignment a location")
    return Place(name=str(spot.get("name") or ""), lat=spot["lat"], lon=spot["lon"])


class LeadToTopic(OnLead):
    """Turn a lead into a topic proposal for the topic meeting."""

    http = Http("POST", f"{L}/topic", TAG, roles=TRIAGE)
    title: Title
    angle: str = lines(5000, default="", description="the lead's text when left empty")
    day: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        description="the meeting's day; today (county time) when left out",
    )

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        """The lead's change and the proposal (naming the lead) are saved in one transaction."""
        topic_id = uuid4()
        day = self.day or r.at.astimezone(COUNTY_TIME).date().isoformat()

        def propose(lead: Lead) -> list[Topic]:
            wanted = ProposeTopic(
                title=self.title, angle=self.angle or lead.text, day=day, lead=self.id
            )
            return [wanted.new(Topic.propose, r, topic_id)]

        return self.change(
            newsroom,
            r,
            lambda lead: lead.become_topic(at=r.at, actor=r.actor, topic=str(topic_id)),
            alongside=propose,
            extra={"topic": str(topic_id)},
        )


class RouteLead(OnLead):
    """Route a lead to a county department, with a due date for its answer."""

    http = Http("POST", f"{L}/route", TAG, roles=TRIAGE)
    department: str = line(100, min_length=1)
    due: Moment
    note: str = lines(2000, default="")

    def run(self, newsroom: Newsroom, r: Request) -> Done:
        department = department_named(newsroom, self.department)
        return self.change(
            newsroom,
            r,
            lambda lead: lead.route(
                at=r.at,
                actor=r.actor,
                department=department.id,
                department_name=department.name,
                due=self.due,
                note=self.note,
            ),
        )


class AnswerLead(OnLead):
    """Record the department's answer, which the sender then reads."""

    http = Http("POST", f"{L}/answer", TAG, roles=TRIAGE)
    calls = "answer"
    answer: str = LeadText


class EscalateLead(OnLead):
    """Record how far past its due date a lead is (the hub's follow-up check sends it)."""

    calls = "escalate"


def department_named(newsroom: Newsroom, name: str) -> Department:
    try:
        return newsroom.get(Department, named_id("department", name.strip()))
    except NotFound:
        raise NotFound("no department '{name}'", name=name) from None


class AddDepartment(Create):
    """Add a county department to the directory."""

    http = Http("POST", "/api/departments", TAG, roles=(Role.ADMIN,), creates="/api/departments")
    name: str = line(100, min_length=1)
    contacts: str = lines(2000, default="")

    def exists_as(self) -> Message:
        return Message("department '{name}'", name=self.name.strip())

    def make(self, newsroom: Newsroom, r: Request) -> Department:
        return self.new(Department.add, r, named_id("department", self.name.strip()))


class ChangeDepartment(ByName, on=Department, noun="department"):
    """Change a department's contacts."""

    http = Http("PUT", D, TAG, roles=(Role.ADMIN,))
    calls = "change_contacts"
    name: str = line(100, min_length=1)
    contacts: str = lines(2000, default="")

    def target(self, newsroom: Newsroom) -> UUID:
        return department_named(newsroom, self.name).id
