"""Keeps this node's program outputs in step with the store, and records what they report.

The store says what is wanted: an output configured and started, with a program source and a
backup chosen by the operators (`POST /api/outputs/{id}/switch` is the event). The supervisor
follows the read models and, on any change to an output, makes the running `ProgramOutput`s
match: starts, switches, sets the backup, stops. What the outputs observe (failed over to the
backup or the slate, recovered, stopped by a failure) comes back as events, so the wall and the
audit trail show it. An output still running when the hub stops is not recorded as stopped: it
is still wanted, and starts again with the hub.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

from hub.commands.live import (
    OutputDestinationFailed,
    OutputDestinationRecovered,
    OutputFailedOver,
    OutputRecovered,
    StopOutput,
)
from hub.live.facts import tell
from hub.media.program.program import OutputConfig, OutputStats, ProgramOutput
from hub.newsroom import Newsroom
from hub.runtime import HubRuntime
from projections.base import Change

log = logging.getLogger(__name__)

SHUTDOWN = "the hub is shutting down"


@dataclass(frozen=True, slots=True)
class Wanted:
    """An output as the store has it."""

    name: str
    running: bool
    source: str | None
    backup: str | None
    rtmp_url: str | None


def wanted_outputs(newsroom: Newsroom, names: list[str]) -> list[Wanted]:
    found = []
    for name in names:
        output = newsroom.output(name)
        found.append(
            Wanted(name, output.state == "running", output.source, output.backup, output.rtmp_url)
        )
    return found


class OutputFacts:
    """What the outputs report, recorded as the hub (an `OutputFacts` of
    `hub.media.program.program`)."""

    def __init__(self, rt: HubRuntime) -> None:
        self.rt = rt

    async def started(self, output: str, program: str | None, backup: str | None) -> None:
        return None  # started because the store says it runs: nothing new to record

    async def switched(self, output: str, previous: str | None, source: str) -> None:
        return None  # the operator's command is the event

    async def failed_over(self, output: str, to: str, reason: str) -> None:
        await tell(self.rt, OutputFailedOver(id=output, to=to, reason=reason))

    async def recovered(self, output: str, source: str) -> None:
        await tell(self.rt, OutputRecovered(id=output, to=source))

    async def stopped(self, output: str, reason: str) -> None:
        if reason == SHUTDOWN or not await self._running(output):
            return
        await tell(self.rt, StopOutput(id=output, reason=reason))

    async def sink_error(self, output: str, sink: str, error: str) -> None:
        await tell(self.rt, OutputDestinationFailed(id=output, destination=sink, error=error[:200]))

    async def sink_recovered(self, output: str, sink: str) -> None:
        await tell(self.rt, OutputDestinationRecovered(id=output, destination=sink))

    async def _running(self, output: str) -> bool:
        state = await run_in_threadpool(lambda: self.rt.newsroom.output(output).state)
        return bool(state == "running")


class OutputSupervisor:
    """Owns this node's `ProgramOutput`s; one task applies what the store wants, in order."""

    def __init__(self, rt: HubRuntime, feeds: Any, hls_root: Path) -> None:
        self.rt, self.feeds, self.hls_root = rt, feeds, hls_root
        self.facts = OutputFacts(rt)
        self.running: dict[str, ProgramOutput] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.rt.models.subscribe(self._on_changes)
        self._wake.set()
        self._task = asyncio.create_task(self._run(), name="output-supervisor")

    def _on_changes(self, _position: int, changes: dict[str, list[Change]]) -> None:
        """Called on the read models' thread: wakes the supervisor when an output changed."""
        concerned = any(len(c) > 1 and c[1] == "outputs" for c in changes.get("wall", ()))
        if concerned and self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: shutting down
                self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._apply()
            except Exception:
                log.exception("the outputs could not be brought in step with the store")

    async def _apply(self) -> None:
        names = await run_in_threadpool(self._output_names)
        for wanted in await run_in_threadpool(wanted_outputs, self.rt.newsroom, names):
            current = self.running.get(wanted.name)
            if wanted.running and current is None:
                await self._start(wanted)
            elif wanted.running and current is not None:
                await self._follow(current, wanted)
            elif current is not None:
                del self.running[wanted.name]
                await current.stop("stopped by the operator")

    async def _start(self, wanted: Wanted) -> None:
        output = ProgramOutput(self.config(wanted), self.feeds, self.facts)
        self.running[wanted.name] = output
        await output.start(wanted.source, wanted.backup)

    async def _follow(self, output: ProgramOutput, wanted: Wanted) -> None:
        stats = output.stats()
        if stats.state in ("failed", "stopped"):
            return  # it stopped by itself (recorded); a new start command brings it back
        if wanted.source is not None and stats.program != wanted.source:
            await output.switch(wanted.source)
        if stats.backup != wanted.backup:
            await output.set_backup(wanted.backup)

    def _output_names(self) -> list[str]:
        with self.rt.models.reading() as models:
            return list(models.wall.state()["outputs"])

    def config(self, wanted: Wanted) -> OutputConfig:
        settings = self.rt.settings
        return OutputConfig(
            name=wanted.name,
            hls_root=self.hls_root,
            rtmp_url=wanted.rtmp_url,
            monitor=True,
            centre=settings.centre_name,
            preset=settings.output_preset,
            stall_timeout=settings.stall_timeout,
        )

    def stats(self) -> list[OutputStats]:
        return [output.stats() for output in self.running.values()]

    async def close(self) -> None:
        self.rt.models.unsubscribe(self._on_changes)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for output in self.running.values():
            await output.stop(SHUTDOWN)
        self.running.clear()
