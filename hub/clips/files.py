"""Where a capture's file and a clip's file are kept on this node (under the data directory)."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

FOLDER = "clips"


def capture_file(data_dir: Path, recorded: str | None) -> Path | None:
    """The file a capture's `details.path` names, if this node keeps it under its data directory
    (uploads name it relative to the directory, recordings absolutely)."""
    if not recorded:
        return None
    root = data_dir.resolve()
    path = (root / recorded).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def clip_path(clip: UUID, fmt: str) -> str:
    """A clip's file, relative to the data directory (as a capture's `details.path` says it)."""
    return f"{FOLDER}/{clip}.{fmt}"
