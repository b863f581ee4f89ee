"""A live source whose picture stops for over a second is reported frozen, then moving again."""

from __future__ import annotations

from hub.demo_camera import EncodedPatternTrack
from hub.media.engine import MediaConfig
from tests.media.conftest import eventually, running_hub

PATIENT = MediaConfig(media_timeout=4.0, grace_period=10.0, connect_timeout=10.0)


async def test_a_stalled_picture_is_frozen_on_the_wall_until_it_moves() -> None:
    async with running_hub(PATIENT) as hub:
        track = EncodedPatternTrack("VP8", 320, 240, gop=30)
        await hub.publish("cam1", [track])
        live = await hub.facts.wait_for("live", "cam1")
        track.pause(2.0)

        frozen = await hub.facts.wait_for("frozen", "cam1")
        assert frozen[2:] == (live[2], True)
        stats = hub.engine.stats().sources[0]
        assert stats.uplink is not None and stats.uplink.frozen

        await eventually(lambda: len(hub.facts.of("cam1", "frozen")) == 2, "it to move again")
        assert hub.facts.of("cam1", "frozen")[1][2:] == (live[2], False)
        assert hub.facts.of("cam1", "interrupted") == [], "frozen, not interrupted"
        stats = hub.engine.stats().sources[0]
        assert stats.uplink is not None and stats.uplink.longest_freeze > 1.0
