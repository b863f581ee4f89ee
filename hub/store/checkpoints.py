"""The read models' checkpoints: their folded state saved at a position, and the latest one at
or before a position read back (hub/readmodels.py decides when, and what the state holds)."""

from __future__ import annotations

from typing import Any

from hub.store.recorder import HubRecorder


class Checkpoints:
    """The hub_checkpoints table of one store."""

    def __init__(self, store: HubRecorder) -> None:
        self.store = store

    def save(self, model: str, position: int, state: bytes) -> None:
        """Saves `state` at `position`, replacing one saved there before."""
        sql = self.store.sql.placeholders(
            "INSERT INTO hub_checkpoints (model, position, state) VALUES (?, ?, ?)"
        )
        with self.store.write_cursor() as cur:
            cur.execute(
                self.store.sql.placeholders(
                    "DELETE FROM hub_checkpoints WHERE model = ? AND position = ?"
                ),
                (model, position),
            )
            cur.execute(sql, (model, position, state))

    def latest(self, model: str, upto: int | None = None) -> tuple[int, bytes] | None:
        """The newest checkpoint (position, state), at or before `upto` when given."""
        sql = "SELECT position, state FROM hub_checkpoints WHERE model = ?"
        params: list[Any] = [model]
        if upto is not None:
            sql += " AND position <= ?"
            params.append(upto)
        sql += " ORDER BY position DESC LIMIT 1"
        with self.store.read_cursor() as cur:
            cur.execute(self.store.sql.placeholders(sql), params)
            row = cur.fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]))


def clear_read_side(store: HubRecorder) -> None:
    """Deletes every checkpoint, audit row and tracking position: the read side folds anew."""
    with store.write_cursor() as cur:
        cur.execute("DELETE FROM hub_checkpoints")
        cur.execute("DELETE FROM hub_audit")
        cur.execute("DELETE FROM hub_tracking")
