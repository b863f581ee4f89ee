"""The program bus of an output: which source should be on air, decided from when each source
last delivered a frame. No I/O and no clock: the time comes in as an argument.

The selected (program) source is on air while it delivers; when it stalls for longer than
`stall_timeout` the backup takes over if it delivers, else the slate. A source that was down must
deliver for `recover_after` before it goes back on air, so a flapping link does not flap the
output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

LastFrame = Callable[[str], float | None]  # when a source's last frame arrived, None if never
SLATE = "slate"


@dataclass(frozen=True, slots=True)
class Switched:
    previous: str | None
    source: str


@dataclass(frozen=True, slots=True)
class FailedOver:
    to: str  # the backup source, or "slate"
    reason: str


@dataclass(frozen=True, slots=True)
class Recovered:
    source: str


BusFact = Switched | FailedOver | Recovered


class ProgramBus:
    """Decides what an output shows; `target` is the source to put on air, None for the slate."""

    def __init__(
        self,
        stall_timeout: float,
        recover_after: float,
        program: str | None = None,
        backup: str | None = None,
    ) -> None:
        self.stall_timeout, self.recover_after = stall_timeout, recover_after
        self.program, self.backup = program, backup
        self.target: str | None = None
        self._evaluated = False
        self._was_down: set[str] = set()
        self._up_since: dict[str, float] = {}

    def select(self, source: str, now: float, last_frame: LastFrame) -> list[BusFact]:
        """The operator puts `source` on program."""
        previous, self.program = self.program, source
        facts: list[BusFact] = [] if previous == source else [Switched(previous, source)]
        self._was_down.discard(source)  # an operator's choice needs no proof of recovery
        if self._usable(source, now, last_frame):
            self.target = source
            return facts
        changed = self.evaluate(now, last_frame)
        if not changed:  # still on the same backup or slate: say why the choice is not on air
            changed = [FailedOver(self.target or SLATE, self._reason(now, last_frame))]
        return facts + changed

    def set_backup(self, source: str | None, now: float, last_frame: LastFrame) -> list[BusFact]:
        self.backup = source
        return self.evaluate(now, last_frame)

    def evaluate(self, now: float, last_frame: LastFrame) -> list[BusFact]:
        """Looks at the sources again; returns what changed on air, if anything."""
        first, self._evaluated = not self._evaluated, True
        usable = {s: self._usable(s, now, last_frame) for s in {self.program, self.backup} if s}
        desired = next((s for s in (self.program, self.backup) if s and usable[s]), None)
        if desired == self.target and not first:
            return []
        self.target = desired
        if desired is not None and desired == self.program:
            return [] if first else [Recovered(desired)]
        return [FailedOver(desired or SLATE, self._reason(now, last_frame))]

    def _usable(self, source: str, now: float, last_frame: LastFrame) -> bool:
        last = last_frame(source)
        if last is None or now - last > self.stall_timeout:
            self._was_down.add(source)
            self._up_since.pop(source, None)
            return False
        if source in self._was_down:
            since = self._up_since.setdefault(source, now)
            if now - since < self.recover_after:
                return False
            self._was_down.discard(source)
        return True

    def _reason(self, now: float, last_frame: LastFrame) -> str:
        if self.program is None:
            reason = "no program source is selected"
        else:
            reason = self._state(self.program, now, last_frame)
        if self.backup is not None and self.backup != self.program and self.target is None:
            reason += f"; backup {self._state(self.backup, now, last_frame)}"
        return reason

    def _state(self, source: str, now: float, last_frame: LastFrame) -> str:
        last = last_frame(source)
        if last is None:
            return f"{source} is not live"
        if now - last > self.stall_timeout:
            return f"{source} stalled: no frames for {now - last:.1f} s"
        return f"{source} is back but not yet steady"
