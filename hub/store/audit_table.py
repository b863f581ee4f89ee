"""The audit timeline's table: rows written in batches with the position they reach, and queries.

The read models turn each event into an audit entry (projections/audit.py); this writes a batch
of them and the table's tracking position in one transaction, so a restart knows where the table
ends. A write is idempotent: rows of an earlier try whose commit went through unacknowledged (the
store went away at that moment) are replaced, not doubled.

A row's summary is its message as JSON (`{"msg", "args"}`, events/messages.py); readers say it in
their own language. The table's tracking row is named for that form: a table written in an
earlier form tracks under another name, so the read models fold the log again from the start
and write every row anew (hub/readmodels.py).
"""

from __future__ import annotations

import json
from typing import Any

from hub.store.recorder import HubRecorder
from hub.store.times import from_micros, to_micros
from projections.audit import AuditEntry

COLUMNS = (
    "position",
    "recorded_at",
    "actor",
    "subject_type",
    "subject_id",
    "related",
    "action",
    "summary",
    "reason",
)
MODEL = "audit/messages"  # its row in hub_tracking, named for the form of the rows


class AuditTable:
    """The hub_audit table of one store."""

    def __init__(self, store: HubRecorder) -> None:
        self.store = store
        self.sql = store.sql

    def position(self) -> int:
        """The last position whose audit rows are in the table."""
        with self.store.read_cursor() as cur:
            cur.execute(
                self.sql.placeholders("SELECT position FROM hub_tracking WHERE model = ?"),
                (MODEL,),
            )
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def write(self, rows: list[AuditEntry], *, after: int, upto: int) -> None:
        """Writes the rows of the positions after `after` up to `upto`, and `upto` as reached."""
        sql = self.sql
        with self.store.write_cursor() as cur:
            cur.execute(
                sql.placeholders("DELETE FROM hub_audit WHERE position > ? AND position <= ?"),
                (after, upto),
            )
            if rows:
                cur.executemany(
                    sql.placeholders(
                        f"INSERT INTO hub_audit ({', '.join(COLUMNS)})"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    ),
                    [_values(r) for r in rows],
                )
            cur.execute(
                sql.placeholders("UPDATE hub_tracking SET position = ? WHERE model = ?"),
                (upto, MODEL),
            )
            if cur.rowcount == 0:
                cur.execute(
                    sql.placeholders("INSERT INTO hub_tracking (model, position) VALUES (?, ?)"),
                    (MODEL, upto),
                )

    def entries(
        self,
        *,
        actor: str | None = None,
        subject: str | None = None,
        after: int = 0,
        upto: int | None = None,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        """The audit timeline, newest last, filtered by person and/or subject (or related)."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM hub_audit WHERE position > ?"
        params: list[Any] = [after]
        if upto is not None:
            sql += " AND position <= ?"
            params.append(upto)
        if actor:
            sql += " AND actor = ?"
            params.append(actor)
        if subject:
            sql += " AND (subject_id = ? OR related = ?)"
            params += [subject, subject]
        sql += " ORDER BY position LIMIT ?"
        params.append(limit)
        with self.store.read_cursor() as cur:
            cur.execute(self.sql.placeholders(sql), params)
            rows = cur.fetchall()
        entries = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
        for entry in entries:
            entry["recorded_at"] = (
                from_micros(entry["recorded_at"]).isoformat().replace("+00:00", "Z")
            )
            entry["summary"] = summary_of(entry["summary"])
        return entries


def summary_of(stored: str) -> dict[str, Any]:
    """A row's summary as `{"msg", "args"}`; a row of the earlier form (English) as its text."""
    try:
        found = json.loads(stored)
    except ValueError:
        found = None
    if isinstance(found, dict) and "msg" in found:
        return found
    return {"msg": "{text}", "args": {"text": stored}}


def _values(entry: AuditEntry) -> tuple[Any, ...]:
    return (
        entry.position,
        to_micros(entry.recorded_at),
        entry.actor,
        entry.subject_type,
        entry.subject_id,
        entry.related,
        entry.action,
        json.dumps(entry.summary.as_json(), ensure_ascii=False),
        entry.reason,
    )
