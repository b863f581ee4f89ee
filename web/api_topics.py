"""The reads of the topic meeting and of the evaluation: a day's meeting and its minutes (JSON,
Markdown, CSV), one's own proposals, and the evaluation of a period (JSON, CSV), now or as the
log stood at a past moment (`at`, a position or an ISO time, as for the wall)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from starlette.responses import Response

from events.channels import CHANNELS
from events.roles import Role
from events.scoring import ADOPTION_LEVELS
from events.topic import PROPOSERS
from hub.readmodels import Models
from projections.evaluation import report
from projections.topics import meeting, proposals_of
from web.api_reads import parse_at
from web.endpoints import Call, Endpoint
from web.errors import ApiError
from web.schemas import Answer

DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# Who sits in the meeting and reads its proposals and minutes.
MEETING = (Role.DISPATCHER, Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR, Role.AUDITOR)
# Who reads everyone's evaluation: the desk and those who plan its work, and auditors.
EVALUATORS = (Role.DISPATCHER, Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR, Role.AUDITOR)
PERIOD_DAYS = 30  # the period shown when none is asked for


class MeetingQuery(BaseModel):
    day: str = Field(pattern=DAY, description="the meeting's day, like 2026-12-07")


class MinutesQuery(MeetingQuery):
    format: Literal["md", "csv"] = "md"


class EvaluationQuery(BaseModel):
    start: str | None = Field(
        default=None, pattern=DAY, description="first day of the period (default: 30 days back)"
    )
    end: str | None = Field(default=None, pattern=DAY, description="last day of the period")
    at: str | None = Field(
        default=None, max_length=40, description="as the log stood then: a position or a time"
    )


class MeetingAnswer(Answer):
    day: str
    topics: list[dict[str, Any]]
    minutes: list[dict[str, Any]]


class Proposals(Answer):
    topics: list[dict[str, Any]]


class EvaluationAnswer(Answer):
    start: str
    end: str
    at: str | None
    position: int
    channels: list[str]
    levels: list[str]
    people: list[dict[str, Any]]
    desks: list[dict[str, Any]]
    totals: dict[str, Any]
    rule: dict[str, Any]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "bad_parameter", "a day is written like 2026-12-07") from None


# -- the meeting ---------------------------------------------------------------------------------


async def get_meeting(call: Call) -> dict[str, Any]:
    day = _day(call.query.day).isoformat()
    return await call.read_models(lambda m: meeting(m.topics.snapshot(), day))


async def my_proposals(call: Call) -> dict[str, Any]:
    name = call.principal.name
    return {"topics": await call.read_models(lambda m: proposals_of(m.topics.snapshot(), name))}


async def export_minutes(call: Call) -> Response:
    q: MinutesQuery = call.query
    day = _day(q.day).isoformat()
    held = await call.read_models(lambda m: meeting(m.topics.snapshot(), day))
    text = minutes_csv(held) if q.format == "csv" else minutes_markdown(held)
    media = "text/csv" if q.format == "csv" else "text/markdown"
    return attachment(text, media, f"minutes-{day}.{q.format}")


def attachment(text: str, media: str, name: str) -> Response:
    """A file to save as `name`: `text` of the media type `media`, in UTF-8."""
    return Response(
        text,
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def minutes_markdown(held: dict[str, Any]) -> str:
    """The minutes as a Markdown document: each decision, then what is still open."""
    lines = [f"# 选题会纪要 · Topic meeting minutes · {held['day']}", ""]
    for m in held["minutes"]:
        channels = ", ".join(CHANNELS.get(c, c) for c in m["channels"]) or "—"
        lines += [
            f"## {_md(m['title'])}",
            "",
            f"- decision: **{m['decision']}** ({m['by']}, {m['at']})",
            f"- reason: {_md(m['reason'])}",
            f"- proposed by: {m['proposer']}; outlets: {channels}",
        ]
        if m.get("next_day"):
            lines.append(f"- deferred to: {m['next_day']}")
        for a in m["assignments"]:
            reporter = a["reporter"] or "—"
            lines.append(f"- assignment: {_md(a['title'])} → {reporter} ({a['state']})")
        lines.append("")
    waiting = [topic for topic in held["topics"] if topic["state"] in ("proposed", "deferred")]
    if waiting:
        lines += ["## Not decided", ""]
        lines += [f"- {_md(topic['title'])} ({topic['proposer']})" for topic in waiting]
        lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    """Text people typed, kept from being read as Markdown markup or starting new lines."""
    flat = " ".join(text.split())
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|" else c for c in flat)


MINUTES_COLUMNS = [
    "day",
    "topic",
    "title",
    "proposer",
    "channels",
    "decision",
    "reason",
    "by",
    "at",
    "deferred_to",
    "assignments",
]


def minutes_csv(held: dict[str, Any]) -> str:
    rows = []
    for m in held["minutes"]:
        assignments = "; ".join(f"{a['title']} ({a['reporter'] or '-'})" for a in m["assignments"])
        rows.append(
            [held["day"], m["topic"], m["title"], m["proposer"], " ".join(m["channels"]),
             m["decision"], m["reason"], m["by"], m["at"], m.get("next_day") or "", assignments]
        )  # fmt: skip
    return csv_text(MINUTES_COLUMNS, rows)


def csv_text(header: list[str], rows: Iterable[list[Any]]) -> str:
    """A CSV file: the header, then each row's cells."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(cells(row) for row in rows)
    return out.getvalue()


def cells(values: list[Any]) -> list[Any]:
    """Cells are data, never spreadsheet formulas: text people typed that starts with =, +, -,
    @ or a tab gets a leading apostrophe (OWASP's advice for CSV exports)."""
    return ["'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t") else v
            for v in values]  # fmt: skip


# -- the evaluation ------------------------------------------------------------------------------


def period(q: EvaluationQuery, now: datetime) -> tuple[date, date]:
    end = _day(q.end) if q.end else now.date()
    start = _day(q.start) if q.start else end - timedelta(days=PERIOD_DAYS - 1)
    if start > end:
        raise ApiError(400, "bad_parameter", "the period's start is after its end")
    return start, end


async def get_evaluation(call: Call) -> dict[str, Any]:
    return await call.read(lambda: evaluation(call, call.query))


def evaluation(call: Call, q: EvaluationQuery) -> dict[str, Any]:
    at = parse_at(q.at) if q.at else None
    moment = at if isinstance(at, datetime) else datetime.now(UTC)
    start, end = period(q, moment)
    models = call.rt.models
    if at is None:
        with models.reading() as live:
            facts, position = live.evaluation.snapshot(), live.evaluation.position
    else:
        position = at if isinstance(at, int) else models.position_at(at)
        replayed: Models = models.replay(position)
        facts = replayed.evaluation.state()
    first = datetime.combine(start, time(), UTC)
    after = datetime.combine(end + timedelta(days=1), time(), UTC)
    found = report(facts, first, after)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "at": q.at,
        "position": position,
        "channels": list(CHANNELS),
        "levels": list(ADOPTION_LEVELS),
        **found,
    }


async def export_evaluation(call: Call) -> Response:
    q: EvaluationQuery = call.query
    found = await call.read(lambda: evaluation(call, q))
    text = evaluation_csv(found)
    return attachment(text, "text/csv", f"evaluation-{found['start']}-{found['end']}.csv")


def evaluation_csv(found: dict[str, Any]) -> str:
    """One row per person, then one per desk: the figures and the points."""
    channels, levels = found["channels"], found["levels"]
    header = [
        "kind",
        "name",
        "assignments_done",
        "captures",
        "products",
        "products_per_capture",
        *(f"publications_{c}" for c in channels),
        "publications_total",
        "median_to_first_publication_s",
        "fast_tracks",
        *(f"adoptions_{lv}" for lv in levels),
        "points",
    ]
    figures = [("person", r) for r in found["people"]] + [("desk", r) for r in found["desks"]]
    rows = (
        [kind, r["name"], r["assignments_done"], r["captures"], r["products"],
         r["products_per_capture"], *(r["publications"].get(c, 0) for c in channels),
         r["publications_total"], r["median_to_first_publication_s"] or "",
         r["fast_tracks"], *(r["adoptions"].get(lv, 0) for lv in levels), r["points"]]
        for kind, r in figures
    )  # fmt: skip
    return csv_text(header, rows)


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/api/topics",
        get_meeting,
        "Read the topic meeting of a day",
        "topics",
        MeetingAnswer,
        query=MeetingQuery,
        roles=MEETING,
        description="The topics before the meeting (proposed for it, deferred to it or decided "
        "at it) and its minutes.",
    ),
    Endpoint(
        "GET",
        "/api/topics/mine",
        my_proposals,
        "List one's own proposals",
        "topics",
        Proposals,
        roles=PROPOSERS,
    ),
    Endpoint(
        "GET",
        "/api/topics/minutes",
        export_minutes,
        "Export the minutes of a topic meeting",
        "topics",
        query=MinutesQuery,
        roles=MEETING,
        streams=("text/markdown", "text/csv"),
    ),
    Endpoint(
        "GET",
        "/api/evaluation",
        get_evaluation,
        "Read the evaluation of a period",
        "evaluation",
        EvaluationAnswer,
        query=EvaluationQuery,
        roles=EVALUATORS,
        description="Per person and per desk; `at` shows it as the log stood then.",
    ),
    Endpoint(
        "GET",
        "/api/evaluation/export",
        export_evaluation,
        "Export the evaluation of a period",
        "evaluation",
        query=EvaluationQuery,
        roles=EVALUATORS,
        streams=("text/csv",),
    ),
]
