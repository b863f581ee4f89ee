"""Keeps the read models following the log from background threads, through store outages.

A pass of `ReadModels.catch_up` runs after every commit in this process (the recorder's listener),
on PostgreSQL's LISTEN/NOTIFY for commits by other processes, and every `poll_interval` as the
safety net. A store that cannot be used is transient: the store's status says so (health, metrics
and the wall show it) and the follower tries again with backoff, at once when a commit shows the
store is back. Any other error of a pass is logged with its traceback and retried the same way,
and health reports the follower stalled meanwhile. A read model that cannot fold an event is a
real failure: the follower stops, loudly, and tells the listeners; it is never skipped.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from hub.errors import StoreUnavailable
from hub.store.factory import CONNECT_TIMEOUT
from hub.store.status import StoreStatus, reason_of

if TYPE_CHECKING:
    from hub.readmodels import ReadModels

log = logging.getLogger(__name__)

BACKOFF = (0.1, 0.25, 0.5, 1.0, 2.0)  # seconds before each new try while a pass keeps failing
LISTEN_BACKOFF = (0.5, 1.0, 2.0, 5.0)
LOG_EVERY = 60.0  # seconds before the same trouble is logged again
STALL_SECONDS = 15.0  # a follower that finished no pass for this long is stuck (it polls every 1 s)


def backoff(attempt: int, steps: tuple[float, ...] = BACKOFF) -> float:
    """The wait before try number `attempt` + 1 (the last step repeats)."""
    return steps[min(attempt, len(steps)) - 1]


class Follower:
    """The threads that keep one `ReadModels` current, and how the last pass went."""

    def __init__(self, models: ReadModels, poll_interval: float) -> None:
        self.models = models
        self.store = models.store
        self.poll_interval = poll_interval
        self.error: str | None = None  # why the passes fail, while they do
        self.error_since: datetime | None = None
        self.tries = 0  # failed passes in a row
        self.running = False  # between start() and stop()
        self._logged: tuple[str, float] | None = None  # the last trouble logged, and when
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def alive(self) -> bool:
        """Whether the follower thread runs (it ends only when stopped or on a failed fold)."""
        return bool(self._threads) and self._threads[0].is_alive()

    def start(self) -> None:
        self.running = True
        self.store.add_listener(self.wake)
        self.store.watch.subscribe(self._store_changed)
        self._stopping.clear()
        self._wake.set()  # at once: what was written since the start (e.g. a reconciliation)
        self._threads = [threading.Thread(target=self._run, name="read-models", daemon=True)]
        if self.store.is_postgres:
            self._threads.append(
                threading.Thread(target=self._listen_postgres, name="pg-listen", daemon=True)
            )
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self.running = False
        self.store.remove_listener(self.wake)
        self.store.watch.unsubscribe(self._store_changed)
        self._stopping.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def wake(self, _position: int = 0) -> None:
        """Runs a pass now (a commit in this process, or a notification of one elsewhere)."""
        self._wake.set()

    def _store_changed(self, status: StoreStatus) -> None:
        if status.reachable:
            self._wake.set()  # a statement elsewhere just succeeded: no need to wait out a backoff

    # -- the follower thread --------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            wait = backoff(self.tries) if self.tries else self.poll_interval
            self._wake.wait(wait)
            self._wake.clear()
            if self._stopping.is_set():
                return
            if not self._pass():
                return

    def _pass(self) -> bool:
        """One catch-up; False once a read model has failed (the follower then stops)."""
        try:
            self.models.catch_up()
        except Exception as error:
            if self.models.failure is not None:
                self.models.tell_failure()
                return False
            self._failed(error, traceback=not isinstance(error, StoreUnavailable))
        else:
            self._recovered()
        return True

    def _failed(self, error: Exception, *, traceback: bool) -> None:
        reason = reason_of(error)
        if self._should_log(reason):
            message = "read models cannot move at position %d (%s); trying again with backoff"
            if traceback:
                log.exception(message, self.models.position, reason)
            else:
                log.warning(message, self.models.position, reason)
        if self.error is None:
            self.error_since = datetime.now(UTC)
        self.error = reason
        self.tries += 1

    def _should_log(self, reason: str) -> bool:
        """Once per reason, and again after a quiet minute: an outage of minutes (or a store
        that fails every other try) is one story, not one line per try."""
        now = time.monotonic()
        last = self._logged
        if last is not None and last[0] == reason and now - last[1] < LOG_EVERY:
            return False
        self._logged = (reason, now)
        return True

    def _recovered(self) -> None:
        if self.error_since is not None:
            seconds = (datetime.now(UTC) - self.error_since).total_seconds()
            log.log(
                logging.WARNING if seconds >= 1 else logging.INFO,
                "read models moving again at position %d after %.1f s and %d tries",
                self.models.position,
                seconds,
                self.tries,
            )
        self.error = None
        self.error_since = None
        self.tries = 0

    # -- the LISTEN thread (PostgreSQL) ---------------------------------------------------------

    def _listen_postgres(self) -> None:
        """Wakes the follower on every commit by any process; polling covers its absences."""
        import psycopg

        url = self.store.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        attempt = 0
        while not self._stopping.is_set():
            try:
                with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn:
                    conn.execute(f"LISTEN {self.store.channel_name}")
                    if attempt:
                        log.warning("LISTEN connection back after %d tries", attempt)
                        self._wake.set()  # commits made while nobody listened
                    attempt = 0
                    while not self._stopping.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self._wake.set()
            except Exception as error:
                if attempt == 0:
                    log.warning(
                        "LISTEN connection lost (%s); polling until it is back", reason_of(error)
                    )
                attempt += 1
                self._stopping.wait(backoff(attempt, LISTEN_BACKOFF))


@dataclass(frozen=True, slots=True)
class Health:
    """Whether the read models keep up with the log, and if not, why and since when."""

    status: str  # ok | store_unreachable | stalled | failed
    reason: str | None = None
    since: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_dict(self) -> dict[str, Any]:
        since = self.since.isoformat(timespec="milliseconds") if self.since else None
        return {
            "status": self.status,
            "reason": self.reason,
            "since": since.replace("+00:00", "Z") if since else None,
        }


def health_of(models: ReadModels) -> Health:
    """Judges the read models of this process: failed, cut off from the store, stuck, or ok."""
    if models.failure is not None:
        return Health("failed", f"a read model stopped: {models.failure}")
    store = models.store.watch.status
    if not store.reachable:
        return Health("store_unreachable", f"the store cannot be used: {store.reason}", store.since)
    follower = models.follower
    if follower.running and not follower.alive:
        return Health("stalled", "the read-model follower is not running")
    if follower.error is not None:
        return Health(
            "stalled", f"the read models cannot move: {follower.error}", follower.error_since
        )
    idle = time.monotonic() - models.synced_at
    if follower.running and idle > STALL_SECONDS:
        since = datetime.now(UTC) - timedelta(seconds=idle)
        return Health("stalled", f"no pass over the log finished for {idle:.0f} s", since)
    return Health("ok")
