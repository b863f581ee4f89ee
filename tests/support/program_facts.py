"""What a program output is given to work with outside the media engine: the feeds it can find
and a log of the facts it reports, for the output's tests and its bench."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from hub.media.relay.frames import Feed
from tests.support.waiting import eventually


@dataclass
class FactLog:
    """The facts an output reports, with the loop time each arrived."""

    facts: list[tuple[float, str, tuple[Any, ...]]] = field(default_factory=list)

    def _add(self, kind: str, *args: Any) -> None:
        self.facts.append((asyncio.get_running_loop().time(), kind, args))

    async def started(self, output: str, program: str | None, backup: str | None) -> None:
        self._add("started", output, program, backup)

    async def switched(self, output: str, previous: str | None, source: str) -> None:
        self._add("switched", output, previous, source)

    async def failed_over(self, output: str, to: str, reason: str) -> None:
        self._add("failed_over", output, to, reason)

    async def recovered(self, output: str, source: str) -> None:
        self._add("recovered", output, source)

    async def stopped(self, output: str, reason: str) -> None:
        self._add("stopped", output, reason)

    async def sink_error(self, output: str, sink: str, error: str) -> None:
        self._add("sink_error", output, sink, error)

    async def sink_recovered(self, output: str, sink: str) -> None:
        self._add("sink_recovered", output, sink)

    def of(self, kind: str) -> list[tuple[float, tuple[Any, ...]]]:
        return [(at, args) for at, k, args in self.facts if k == kind]

    def kinds(self) -> list[str]:
        return [k for _, k, _ in self.facts]

    async def wait_for(self, kind: str, count: int = 1) -> tuple[float, tuple[Any, ...]]:
        await eventually(lambda: len(self.of(kind)) >= count, f"{count} x {kind}", timeout=15.0)
        return self.of(kind)[count - 1]


class Feeds(dict[str, Feed]):
    """The sources an output can find, as the media engine would give them."""

    def feed(self, source: str) -> Feed:
        return self[source]
