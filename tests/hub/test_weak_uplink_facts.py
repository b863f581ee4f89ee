"""A live source's frozen picture marks its wall tile; a too narrow uplink raises an alert."""

from __future__ import annotations

from typing import Any

from events.roles import SYSTEM_ACTOR
from hub.commands.live import (
    RegisterSource,
    SourcePictureFroze,
    SourceUplinkNarrow,
    SourceWentLive,
)
from hub.newsroom import Newsroom, Request
from hub.readmodels import ReadModels
from tests.conftest import Staff


def hub_says(newsroom: Newsroom, staff: Staff, command: Any) -> None:
    newsroom.handle(Request(SYSTEM_ACTOR, staff.clock.tick(1)), command)


def live_phone(newsroom: Newsroom, staff: Staff) -> ReadModels:
    models = ReadModels(newsroom)
    models.start()
    newsroom.handle(staff.req("tess"), RegisterSource(name="rui-phone", kind="phone", owner="rui"))
    went_live = SourceWentLive(
        name="rui-phone", session="s1", publisher="rui", codec="H264", width=640, height=360
    )
    hub_says(newsroom, staff, went_live)
    return models


def test_a_frozen_picture_is_marked_on_the_tile_once_and_cleared(
    newsroom: Newsroom, staff: Staff
) -> None:
    models = live_phone(newsroom, staff)
    for _ in range(3):  # repeated facts are no news
        hub_says(newsroom, staff, SourcePictureFroze(name="rui-phone", session="s1", frozen=True))
    models.catch_up()
    assert models.models.wall.state()["sources"]["rui-phone"]["frozen"] is True
    hub_says(newsroom, staff, SourcePictureFroze(name="rui-phone", session="s1", frozen=False))
    models.catch_up()
    assert models.models.wall.state()["sources"]["rui-phone"]["frozen"] is False


def test_a_too_narrow_uplink_raises_an_alert_and_its_recovery_another(
    newsroom: Newsroom, staff: Staff
) -> None:
    models = live_phone(newsroom, staff)
    narrow = SourceUplinkNarrow(
        name="rui-phone", session="s1", narrow=True, estimate=420_000, bitrate=1_500_000
    )
    hub_says(newsroom, staff, narrow)
    hub_says(newsroom, staff, narrow)
    models.catch_up()
    wall = models.models.wall.state()
    assert wall["sources"]["rui-phone"]["narrow"] is True
    alerts = [a for a in wall["alerts"] if a["subject"] == "rui-phone"]
    assert len(alerts) == 1 and alerts[0]["severity"] == "warning"
    assert alerts[0]["args"] == {"source": "rui-phone", "estimate": 420, "bitrate": 1500}

    hub_says(newsroom, staff, SourceUplinkNarrow(name="rui-phone", session="s1", narrow=False))
    models.catch_up()
    wall = models.models.wall.state()
    assert wall["sources"]["rui-phone"]["narrow"] is False
    severities = [a["severity"] for a in wall["alerts"] if a["subject"] == "rui-phone"]
    assert sorted(severities) == ["info", "warning"]
