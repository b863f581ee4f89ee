"""The media engine's ICE servers come from configuration only, TURN ones with credentials."""

from __future__ import annotations

from pathlib import Path

from hub.config import Settings
from hub.live.media import ice_servers, media_config


def test_stun_and_turn_servers_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url="sqlite://",
        ice_servers=("stun:stun.example.cn:3478", "turn:turn.example.cn:3478?transport=udp"),
        turn_username="hub",
        turn_password="secret",
    )
    stun, turn = ice_servers(settings)
    assert (stun.urls, stun.username, stun.credential) == ("stun:stun.example.cn:3478", None, None)
    assert (turn.urls, turn.username, turn.credential) == (
        "turn:turn.example.cn:3478?transport=udp",
        "hub",
        "secret",
    )


def test_nothing_outside_is_contacted_by_default(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="sqlite://", ice_servers=())
    assert media_config(settings).ice_servers == ()
