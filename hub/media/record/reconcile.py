"""Start-up reconciliation of the recordings folder: what a killed hub left open, and what the
store has not yet been told about.

Run it before any recorder starts. Every recording whose sidecar still says "recording" was cut
by a crash: its torn last fragment is trimmed, it is measured from what is on disk and marked
interrupted. Each result stays pending until `mark_reported` (after the store has it).
"""

from __future__ import annotations

import logging
from pathlib import Path

from hub.media.record.recording import measure
from hub.media.record.sidecar import SIDECAR_SUFFIX, RecordingResult, Sidecar, sidecar_path
from hub.media.record.torn_tail import trim_torn_tail

log = logging.getLogger(__name__)

INTERRUPTED_REASON = "the hub stopped while recording"


def reconcile(folder: Path) -> list[RecordingResult]:
    """Closes recordings left open and returns every recording not yet reported, oldest first."""
    results = []
    for path in sorted(folder.glob(f"*{SIDECAR_SUFFIX}")):
        try:
            sidecar = Sidecar.load(path)
        except (KeyError, ValueError) as error:
            log.warning("%s is not a recording sidecar: %s", path, error)
            continue
        if sidecar.state == "recording":
            _close_interrupted(sidecar)
        if not sidecar.reported:
            results.append(sidecar.result())
    return sorted(results, key=lambda r: r.started_at)


def _close_interrupted(sidecar: Sidecar) -> None:
    if sidecar.media.exists():
        cut = trim_torn_tail(sidecar.media)
        if cut:
            log.info("trimmed %d torn bytes from %s", cut, sidecar.media)
    result = measure(sidecar, interrupted=True, reason=INTERRUPTED_REASON)
    sidecar.finalise("interrupted", result)


def mark_reported(result: RecordingResult) -> None:
    """Notes that the store has this recording, so start-up no longer reports it."""
    sidecar = Sidecar.load(sidecar_path(result.path))
    sidecar.reported = True
    sidecar.save()
