"""Whether this process can use its store, since when, and why not.

The store going away cannot be an event (nothing can be written), so it is this process's own
status, kept beside the recorder: the recorder marks the store lost when the database driver says
it cannot be used, and reached again when the next statement succeeds. Health, metrics, the
read-model follower and the wall feed read it; listeners hear every change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

REASON_LENGTH = 200


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """Reachable or not, since when, and (when not) the driver's reason."""

    reachable: bool
    since: datetime
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "reachable": self.reachable,
            "since": self.since.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "reason": self.reason or None,
        }


StatusListener = Callable[[StoreStatus], None]


def reason_of(error: BaseException) -> str:
    """The first line of a driver's error, short enough for a health check or a wall."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:REASON_LENGTH]


class StoreWatch:
    """The store's status in this process; safe to mark from any thread."""

    def __init__(self) -> None:
        self._status = StoreStatus(True, datetime.now(UTC))
        self._lock = threading.Lock()
        self._telling = threading.Lock()  # the last status told is the current one
        self._listeners: list[StatusListener] = []

    @property
    def status(self) -> StoreStatus:
        return self._status

    @property
    def reachable(self) -> bool:
        return self._status.reachable

    def lost(self, error: BaseException) -> None:
        """The driver said the store cannot be used."""
        with self._lock:
            if not self._status.reachable:
                return  # the first reason and time stand until the store is back
            self._status = StoreStatus(False, datetime.now(UTC), reason_of(error))
        self._tell()

    def reached(self) -> None:
        """A statement succeeded."""
        if self._status.reachable:
            return
        with self._lock:
            if self._status.reachable:
                return
            self._status = StoreStatus(True, datetime.now(UTC))
        self._tell()

    def subscribe(self, listener: StatusListener) -> None:
        """Calls `listener(status)` on every change, in the thread that noticed it."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: StatusListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _tell(self) -> None:
        with self._telling:
            status = self._status
            for listener in list(self._listeners):
                listener(status)
