"""Verifying the hash chain of the log, and exporting the log with its chain head.

`verify` recomputes every link from the first event and compares it with the stored hash; the
first position that does not match (or is missing) is named. Then the end of the log is compared
with the chain head the hub keeps in its own table, and optionally with a head taken from an
earlier export, so that removing the newest events is detected as well.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from eventsourcing.persistence import Transcoder

from hub.eventlog import record
from hub.store.chain import GENESIS, ChainHead, link
from hub.store.recorder import HubRecorder


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of a verification: ok, or the first bad position and what is wrong there."""

    checked: int
    head: ChainHead
    bad_position: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(
    store: HubRecorder,
    *,
    checkpoint: ChainHead | None = None,
    batch_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> Verdict:
    """Checks the whole chain; `checkpoint` is a head published earlier (e.g. in an export)."""
    head = store.chain_head()
    total = max(head.position, store.max_notification_id() or 0)
    previous, position = GENESIS, 0
    seen_checkpoint = checkpoint is None or checkpoint.position == 0
    while True:
        batch = store.read_log(after=position, limit=batch_size)
        if not batch:
            break
        for n in batch:
            if n.id != position + 1:
                return Verdict(
                    position, head, position + 1, f"position {position + 1} is missing from the log"
                )
            expected = link(
                previous,
                n.id,
                n.originator_id,  # type: ignore[arg-type]
                n.originator_version,
                n.topic,
                n.state,
                n.recorded_at,
            )
            if expected != n.hash:
                return Verdict(
                    position,
                    head,
                    n.id,
                    f"the event at position {n.id} does not match the chain: it was altered, "
                    "inserted, reordered or copied from another row",
                )
            if checkpoint is not None and n.id == checkpoint.position:
                if n.hash != checkpoint.hash:
                    return Verdict(
                        n.id, head, n.id, f"position {n.id} differs from the exported chain head"
                    )
                seen_checkpoint = True
            previous, position = n.hash, n.id
        if progress:
            progress(position, total)
    if position != head.position or previous != head.hash:
        return Verdict(
            position,
            head,
            min(position, head.position) + 1,
            f"the log ends at position {position} but the hub's chain head is at position "
            f"{head.position}: events were removed from the end, or the head was altered",
        )
    if not seen_checkpoint:
        assert checkpoint is not None
        return Verdict(
            position,
            head,
            position + 1,
            f"the log ends at position {position} but an exported chain head names position "
            f"{checkpoint.position}: events were removed from the end",
        )
    return Verdict(position, head)


def head_from_export(text: str) -> ChainHead:
    """Reads the chain head from the last line of a JSON-lines export."""
    for line in reversed(text.strip().splitlines()):
        data = json.loads(line)
        if "chain_head" in data:
            head = data["chain_head"]
            return ChainHead(
                int(head["position"]), bytes.fromhex(head["hash"]), int(head["recorded_at"])
            )
    raise ValueError("no chain_head line in the export")


EXPORT_COLUMNS = (
    "position",
    "recorded_at",
    "occurred_at",
    "type",
    "aggregate_id",
    "version",
    "actor",
    "payload",
    "hash",
)


def export(
    store: HubRecorder,
    transcoder: Transcoder,
    fmt: str,
    *,
    batch_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[str]:
    """Yields the export line by line: every event, then the chain head."""
    head = store.chain_head()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if fmt == "csv":
        writer.writerow(EXPORT_COLUMNS)
        yield _take(buffer)
    position = 0
    while position < head.position:
        batch = store.read_log(after=position, limit=batch_size, upto=head.position)
        if not batch:
            break
        for n in batch:
            item = record(n, transcoder)
            if fmt == "csv":
                row = [item[c] for c in EXPORT_COLUMNS]
                row[EXPORT_COLUMNS.index("payload")] = json.dumps(
                    item["payload"], ensure_ascii=False
                )
                writer.writerow(row)
                yield _take(buffer)
            else:
                yield json.dumps(item, ensure_ascii=False) + "\n"
        position = batch[-1].id
        if progress:
            progress(position, head.position)
    if fmt == "csv":
        writer.writerow(
            [
                "chain_head",
                head.recorded_at,
                "",
                "chain_head",
                "",
                head.position,
                "",
                "",
                head.hash.hex(),
            ]
        )
        yield _take(buffer)
    else:
        yield json.dumps({"chain_head": head.as_dict()}) + "\n"


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
