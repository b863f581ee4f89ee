"""Keeps this process's read models current with the log, checkpoints them, and replays.

The in-memory models (wall, publishing matrix, metrics, audit describer) advance together and are
saved as one checkpoint every `checkpoint_every` positions (and on stop), so a restart folds only
what came after the last checkpoint, and a replay to any past position starts from the nearest
checkpoint before it. The audit timeline is written to its own table in batches, with its
tracking position. The tables are hub/store/'s (checkpoints.py, audit_table.py); this module
folds and follows. The directory (users, sources, credentials) is rebuilt at start from the few
events that concern it.

Live following is hub/follower.py's: it rides out a store that goes away. Folding and writing are
kept apart so that an outage between them folds nothing twice: once a batch is folded in memory
the position moves and the listeners hear of it, and its audit rows wait in memory until the
store takes them (a checkpoint is never saved ahead of the audit table). A failing fold stops the
follower and is reported; it is never skipped.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from events.media import LiveSource
from events.user import User
from hub.errors import StoreUnavailable
from hub.follower import Follower
from hub.newsroom import Newsroom
from hub.store.audit_table import AuditTable
from hub.store.checkpoints import Checkpoints, clear_read_side
from hub.store.recorder import LoggedNotification
from hub.store.times import from_micros, to_micros
from projections.alerts import EmergencyAlerts
from projections.audit import AuditEntry, AuditTimeline
from projections.base import Change, Logged
from projections.captures import CaptureLibrary
from projections.directory import Directory
from projections.duty import DutyRoster
from projections.evaluation import EvaluationFacts
from projections.leads import LeadBook
from projections.matrix import PublishingMatrix
from projections.metrics import NewsroomMetrics
from projections.opinion import OpinionDesk
from projections.topics import TopicBook
from projections.wall import WallView

log = logging.getLogger(__name__)

BUNDLE = "bundle"
DIRECTORY_TOPICS = tuple(
    f"events.{cls.__module__.split('.')[-1]}:{cls.__qualname__}"
    for cls in (
        User.Registered,
        User.PasswordSet,
        User.TokenIssued,
        User.TokenRevoked,
        User.RolesChanged,
        User.Deactivated,
        LiveSource.Registered,
        LiveSource.TokenRotated,
    )
)

Listener = Callable[[int, dict[str, list[Change]]], None]


class ProjectionFailed(Exception):
    """A read model could not apply an event; the follower stopped at that position."""


@dataclass
class Models:
    """The in-memory read models that advance together."""

    wall: WallView
    matrix: PublishingMatrix
    metrics: NewsroomMetrics
    audit: AuditTimeline
    captures: CaptureLibrary
    leads: LeadBook
    duty: DutyRoster
    opinion: OpinionDesk
    topics: TopicBook
    evaluation: EvaluationFacts
    alerts: EmergencyAlerts

    # The models by name, in the order of the fields; a checkpoint keeps each under its name.
    KINDS: ClassVar[dict[str, Any]] = {
        "wall": WallView,
        "matrix": PublishingMatrix,
        "metrics": NewsroomMetrics,
        "audit": AuditTimeline,
        "captures": CaptureLibrary,
        "leads": LeadBook,
        "duty": DutyRoster,
        "opinion": OpinionDesk,
        "topics": TopicBook,
        "evaluation": EvaluationFacts,
        "alerts": EmergencyAlerts,
    }

    @classmethod
    def empty(cls) -> Models:
        return cls(*(kind() for kind in cls.KINDS.values()))

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Models:
        return cls(*(kind(state[name]) for name, kind in cls.KINDS.items()))

    # What the models keep changes now and then (the wall's alerts became messages in form 2): a
    # checkpoint of an earlier form is not used, and the log is folded again instead (form 3: the
    # capture library keeps clips and lineage; 4: the matrix holds products; 5: the wall's open
    # leads; 6: the wall's shifts and 舆情 warnings; 7: the desk's products on the wall).
    FORM: ClassVar[int] = 7

    @classmethod
    def complete(cls, state: dict[str, Any]) -> bool:
        """Whether a checkpoint holds every model in the current form (one saved before a model
        existed, or before the form changed, does not)."""
        return state.get("form") == cls.FORM and all(name in state for name in cls.KINDS)

    def state(self) -> dict[str, Any]:
        return {"form": self.FORM, **{name: getattr(self, name).state() for name in self.KINDS}}

    def fold(self, logged: Logged) -> tuple[dict[str, list[Change]], AuditEntry]:
        """One event through every model: what each changed, and the event's audit entry."""
        changes = {
            "wall": self.wall.apply(logged),
            "matrix": self.matrix.apply(logged),
            "metrics": self.metrics.apply(logged),
            "captures": self.captures.apply(logged),
            "leads": self.leads.apply(logged),
            "duty": self.duty.apply(logged),
            "opinion": self.opinion.apply(logged),
            "topics": self.topics.apply(logged),
            "evaluation": self.evaluation.apply(logged),
            "alerts": self.alerts.apply(logged),
        }
        return changes, self.audit.describe(logged)


class ReadModels:
    """The read models of one hub process and the loop that keeps them current."""

    def __init__(
        self,
        app: Newsroom,
        *,
        checkpoint_every: int = 5000,
        batch_size: int = 2000,
        poll_interval: float = 1.0,
    ) -> None:
        self.app = app
        app.read_models = self
        self.store = app.store
        self.checkpoint_every = checkpoint_every
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.models = Models.empty()
        self.directory = Directory()
        self.position = 0
        self.failure: BaseException | None = None
        self.folded = 0  # events folded by this object: shows what a restart saved
        self.synced_at = time.monotonic()  # when a pass last read the log and folded what it held
        self.follower = Follower(self, poll_interval)
        self.audit_table = AuditTable(self.store)
        self.checkpoints = Checkpoints(self.store)
        # The audit timeline, newest last, filtered by person and/or subject (or related).
        self.audit_entries = self.audit_table.entries
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()  # one fold at a time
        self._audit_position = 0
        self._audit_pending: list[AuditEntry] = []  # folded, not yet in the audit table
        self._last_checkpoint = 0

    # -- start, catch up, stop ------------------------------------------------------------------

    def start(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Restores the last checkpoint, rebuilds the directory, and catches up."""
        with self._lock:
            # Never from a checkpoint ahead of the audit table: the rows between would be lost (the
            # table tracks under a new name when its rows change form: hub/store/audit_table.py).
            self._audit_position = self.audit_table.position()
            self._audit_pending = []
            found = self._load_checkpoint(upto=self._audit_position)
            if found is not None:
                self.position, state = found
                self.models = Models.from_state(state)
                self._last_checkpoint = self.position
            self._load_directory(upto=self.position)
            self.catch_up(progress=progress)

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Forgets every checkpoint and audit row and folds the whole log again."""
        with self._lock:
            self._clear_persisted()
            self.models = Models.empty()
            self.directory = Directory()
            self.position = 0
            self._audit_position = 0
            self._audit_pending = []
            self._last_checkpoint = 0
            self.catch_up(progress=progress)
            self.save_checkpoint()

    def catch_up(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Applies every event after the current position; returns how many were applied.

        Raises ProjectionFailed when a read model cannot fold an event (for good), and
        StoreUnavailable when the store cannot be used (the next call goes on from there).
        """
        if self.failure is not None:
            raise ProjectionFailed(f"read models stopped at position {self.position}") from (
                self.failure
            )
        applied = 0
        last = self.store.max_notification_id() or 0 if progress else 0
        with self._lock:
            self._flush_audit()
            while True:
                batch = self.store.read_log(after=self.position, limit=self.batch_size)
                if not batch:
                    break
                changes = self._fold(batch)
                applied += len(batch)
                try:
                    self._flush_audit()
                    if self.position - self._last_checkpoint >= self.checkpoint_every:
                        self.save_checkpoint()
                finally:
                    self._tell(changes)  # the models moved, whatever the store does next
                if progress:
                    progress(self.position, max(last, self.position))
            self.synced_at = time.monotonic()
        return applied

    def _fold(self, batch: Sequence[LoggedNotification]) -> dict[str, list[Change]]:
        """Folds a batch into the in-memory models and moves the position past it."""
        try:
            changes, audit_rows = self._apply(batch)
        except Exception as error:
            self.failure = error
            log.exception("read models failed after position %d", self.position)
            raise ProjectionFailed(
                f"read models failed on the event after position {self.position}: {error}"
            ) from error
        self.position = batch[-1].id
        self.folded += len(batch)
        self.synced_at = time.monotonic()
        self._audit_pending.extend(audit_rows)
        return changes

    def _apply(
        self, batch: Sequence[LoggedNotification]
    ) -> tuple[dict[str, list[Change]], list[AuditEntry]]:
        changes: dict[str, list[Change]] = {}
        audit_rows: list[AuditEntry] = []
        to_event = self.app.mapper.to_domain_event
        for notification in batch:
            logged = Logged(
                notification.id, from_micros(notification.recorded_at), to_event(notification)
            )
            folded, entry = self.models.fold(logged)
            for name, found in folded.items():
                changes.setdefault(name, []).extend(found)
            if entry.position > self._audit_position:
                audit_rows.append(entry)
            self.directory.apply(logged)
        return changes, audit_rows

    @contextmanager
    def reading(self) -> Iterator[Models]:
        """Holds the fold still while the caller reads the in-memory models (and directory)."""
        with self._lock:
            yield self.models

    # -- listening ------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        """Calls `listener(position, changes)` from the follower thread after each batch."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _tell(self, changes: dict[str, list[Change]]) -> None:
        for listener in list(self._listeners):
            try:
                listener(self.position, changes)
            except Exception:  # one listener's bug must not stop the others or the follower
                log.exception("a read-model listener failed at position %d", self.position)

    def tell_failure(self) -> None:
        """Tells the listeners that a read model stopped (and why)."""
        self._tell({"failure": [["set", "failure", "error", str(self.failure)]]})

    def follow(self) -> None:
        """Starts following the log in the background (hub/follower.py)."""
        self.follower.start()

    def stop(self) -> None:
        """Stops following and saves a checkpoint, so the next start folds nothing twice."""
        self.follower.stop()
        if self.failure is None and self.position > self._last_checkpoint:
            try:
                self.save_checkpoint()
            except StoreUnavailable as error:
                log.warning("no checkpoint saved on stop (%s): the next start folds more", error)

    # -- checkpoints and replay -----------------------------------------------------------------

    def save_checkpoint(self) -> None:
        """Saves the models at their position (after the audit rows folded up to it)."""
        with self._lock:
            self._flush_audit()
            state = json.dumps(self.models.state(), separators=(",", ":")).encode()
            self.checkpoints.save(BUNDLE, self.position, state)
            self._last_checkpoint = self.position

    def _load_checkpoint(self, upto: int | None) -> tuple[int, dict[str, Any]] | None:
        found = self.checkpoints.latest(BUNDLE, upto)
        if found is None:
            return None
        position, saved = found
        state = json.loads(saved)
        if not Models.complete(state):
            log.info("checkpoint at %s predates the read models; folding from the start", position)
            return None
        return position, state

    def replay(self, position: int) -> Models:
        """Returns the read models as they were right after `position` (0: before anything)."""
        found = self._load_checkpoint(upto=position)
        at, models = (found[0], Models.from_state(found[1])) if found else (0, Models.empty())
        to_event = self.app.mapper.to_domain_event
        while at < position:
            batch = self.store.read_log(after=at, limit=self.batch_size, upto=position)
            if not batch:
                break
            for notification in batch:
                logged = Logged(
                    notification.id, from_micros(notification.recorded_at), to_event(notification)
                )
                models.fold(logged)
            at = batch[-1].id
        return models

    def position_at(self, moment: datetime) -> int:
        """The last position recorded at or before `moment`."""
        return self.store.position_at(to_micros(moment))

    # -- the directory and the audit table --------------------------------------------------------

    def _load_directory(self, upto: int) -> None:
        self.directory = Directory()
        to_event = self.app.mapper.to_domain_event
        after = 0
        while after < upto:
            batch = self.store.read_log(
                after=after, limit=self.batch_size, upto=upto, topics=DIRECTORY_TOPICS
            )
            if not batch:
                break
            for n in batch:
                self.directory.apply(Logged(n.id, from_micros(n.recorded_at), to_event(n)))
            after = batch[-1].id
        self.directory.position = upto

    def _flush_audit(self) -> None:
        """Writes the audit rows folded so far, with the audit table's tracking position."""
        if self.position <= self._audit_position:
            return
        self.audit_table.write(self._audit_pending, after=self._audit_position, upto=self.position)
        self._audit_position = self.position
        self._audit_pending = []

    def _clear_persisted(self) -> None:
        clear_read_side(self.store)
