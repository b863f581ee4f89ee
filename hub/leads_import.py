"""The CSV import of leads (`hub leads import FILE --source NAME`), idempotent on the source's id.

A file has a header row naming its columns: `id` and `text` are needed; `kind` (tip, complaint,
question, or 爆料, 投诉, 咨询), `contact`, `place`, `lat`, `lon` may follow. Each row's `id` is the
source's own, so importing the same file again (or an export that overlaps the last one) makes no
second lead. A row that does not fit is reported by its line and stores nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from events.errors import DomainError
from events.roles import Actor
from hub.commands.leads import ReceiveLead, Spot
from hub.errors import AlreadyExists
from hub.newsroom import Newsroom, Request

KIND_NAMES = {"爆料": "tip", "投诉": "complaint", "咨询": "question"}


@dataclass
class Imported:
    """What an import did: new leads, rows already known, and rows refused (line: why)."""

    made: int = 0
    known: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)


def import_file(app: Newsroom, path: Path, source: str, actor: Actor, at: datetime) -> Imported:
    with path.open(newline="", encoding="utf-8-sig") as file:
        return import_rows(app, csv.DictReader(file), source, actor, at)


def import_rows(
    app: Newsroom, rows: Iterable[dict[str, str | None]], source: str, actor: Actor, at: datetime
) -> Imported:
    result = Imported()
    for line, row in enumerate(rows, start=2):
        try:
            command = _command(row, source)
            app.handle(Request(actor, at), command)
        except AlreadyExists:
            result.known += 1
        except ValidationError as error:
            fields = ", ".join(str(p["loc"][0]) for p in error.errors() if p["loc"])
            result.refused.append((line, f"invalid {fields}"))
        except (DomainError, ValueError) as error:
            result.refused.append((line, str(error)))
        else:
            result.made += 1
    return result


def _command(row: dict[str, str | None], source: str) -> ReceiveLead:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    kind = cell("kind") or "tip"
    lat, lon = cell("lat"), cell("lon")
    return ReceiveLead(
        source=source,
        source_ref=cell("id"),
        kind=KIND_NAMES.get(kind, kind),  # type: ignore[arg-type]
        text=cell("text"),
        contact=cell("contact"),
        location=Spot(
            name=cell("place"), lat=float(lat) if lat else None, lon=float(lon) if lon else None
        ),
        channel="csv",
    )
