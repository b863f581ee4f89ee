"""Puts an approved alert on the air: every output that carries emergencies shows the card and
speaks the alert while it is on air, and goes back to its program when it ends or is cancelled.

The alert's own times and later messages decide (projections/alerts.py `on_air`), so this follows
the read model and the clock: a look twice a second, and the card and speech are made once per
alert and size, in a worker thread (a second or two of Pillow and espeak-ng). What went on air is
reported once per alert (`aired`), so the log says which outputs carried it and whether it was
spoken or went out with the tone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import av

from hub.emergency.card import CardText, card_frame
from hub.emergency.voice import Loop, Speech, speak
from projections.alerts import on_air

log = logging.getLogger(__name__)

LOOK_EVERY = 0.5


class Preemptible(Protocol):
    """A program output as the supervisor needs it (hub/media's ProgramOutput)."""

    @property
    def size(self) -> tuple[int, int]: ...

    def is_running(self) -> bool: ...

    async def preempt(self, picture: av.VideoFrame, sound: Loop | None) -> None: ...

    async def release(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Material:
    picture: av.VideoFrame
    speech: Speech
    font_ok: bool


Aired = Callable[[str, list[str], bool, bool], Awaitable[None]]


def spoken_text(alert: Mapping[str, Any]) -> str:
    """What is read aloud: the headline, the area, then the description and the instruction."""
    parts = ["应急广播", alert["headline"], f"范围：{alert['area']}", alert["description"]]
    if alert.get("instruction"):
        parts.append(alert["instruction"])
    return "。".join(p.strip().rstrip("。") for p in parts if p.strip()) + "。"


class EmergencyOnAir:
    """Keeps the outputs that carry emergencies in step with the alerts on air."""

    def __init__(
        self,
        alerts: Callable[[], dict[str, Any]],
        outputs: Callable[[], Mapping[str, Preemptible]],
        carries: Callable[[str], bool],
        aired: Aired,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        speech_engine: str | None = None,
    ) -> None:
        self.alerts, self.outputs, self.carries, self.aired = alerts, outputs, carries, aired
        self.clock = clock
        self.speech_engine = speech_engine
        self.showing: dict[str, str] = {}  # output -> alert id on it
        self._made: dict[tuple[str, int, int], Material] = {}
        self._reported: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="emergency-on-air")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self.step()
            except Exception:
                log.exception("emergency alerts could not be put in step with the outputs")
            await asyncio.sleep(LOOK_EVERY)

    async def step(self) -> None:
        live = on_air(self.alerts(), self.clock())
        top = live[0] if live else None
        carried: list[str] = []
        spoken = font_ok = True
        for name, output in list(self.outputs().items()):
            if not output.is_running():
                self.showing.pop(name, None)
                continue
            if not self.carries(name):
                continue
            if top is None:
                if self.showing.pop(name, None) is not None:
                    await output.release()
                continue
            material = await self._material(top, *output.size)
            if self.showing.get(name) != top["id"]:
                await output.preempt(material.picture, Loop(material.speech))
                self.showing[name] = top["id"]
            carried.append(name)
            spoken, font_ok = material.speech.spoken, material.font_ok
        if top is not None and carried and top["id"] not in self._reported:
            self._reported.add(top["id"])
            await self.aired(top["id"], carried, spoken, font_ok)

    async def _material(self, alert: dict[str, Any], width: int, height: int) -> Material:
        key = (alert["id"], width, height)
        if key not in self._made:
            self._made[key] = await asyncio.to_thread(self._make, alert, width, height)
        return self._made[key]

    def _make(self, alert: dict[str, Any], width: int, height: int) -> Material:
        text = CardText(alert["headline"], alert["area"], datetime.fromisoformat(alert["expires"]))
        picture, font_ok = card_frame(text, width, height)
        speech = self._speech(alert)
        return Material(picture, speech, font_ok)

    def _speech(self, alert: dict[str, Any]) -> Speech:
        for (alert_id, _, _), made in self._made.items():
            if alert_id == alert["id"]:
                return made.speech  # the same words at another size
        return speak(spoken_text(alert), engine=self.speech_engine)
