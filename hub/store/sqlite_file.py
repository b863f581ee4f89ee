"""SQLite: the database file at the configured path must still be the one the hub has open.

A pooled SQLite connection keeps its file open: when the file is deleted, moved away or replaced
underneath a running hub, the connections go on writing into the old file, and the hub would
acknowledge writes that the next start never sees. So before each statement the path is checked
(one stat call) against the file first opened there; while they differ, the store cannot be used.
Moving the same file back makes it usable again; a different file (a restore) needs a restart,
since the read models have folded a log that file does not hold.
"""

from __future__ import annotations

import os
from pathlib import Path


class FileGone(OSError):
    """The database file is not at its path any more, or another file is."""


class DatabaseFile:
    """The identity (device, inode) of the file first opened at a path."""

    def __init__(self, path: str | None) -> None:
        # An in-memory database (or a URI filename, left to SQLite) has no file to watch.
        on_disk = bool(path) and ":memory:" not in str(path) and not str(path).startswith("file:")
        self.path = Path(str(path)) if on_disk else None
        self.identity: tuple[int, int] | None = None

    def check(self) -> None:
        """Raises FileGone unless the path still holds the file first seen there."""
        if self.path is None:
            return
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            raise FileGone(f"the database file {self.path} is gone; put it back") from None
        identity = (found.st_dev, found.st_ino)
        if self.identity is None:
            self.identity = identity
        elif identity != self.identity:
            raise FileGone(
                f"the database file {self.path} was replaced while the hub ran; restart the hub"
            )
