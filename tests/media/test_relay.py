"""Publisher → hub → viewer over real peer connections: the frames arrive untouched, in order."""

from __future__ import annotations

import pytest

from hub.demo_camera import EncodedPatternTrack, ToneAudioTrack
from hub.media.codec.bitstream import nal_units
from tests.media.conftest import Hub, decode_counters, take


@pytest.mark.parametrize("codec", ["VP8", "H264"])
async def test_viewer_gets_the_published_frames_byte_for_byte(hub: Hub, codec: str) -> None:
    track = EncodedPatternTrack(codec, width=320, height=240, gop=30)
    publisher = await hub.publish("cam1", [track, ToneAudioTrack()], codec)
    viewer = hub.viewer("cam1", video_codecs=[codec])
    video = viewer.feed.subscribe("test/video", max_frames=1000, kind="video")
    audio = viewer.feed.subscribe("test/audio", max_frames=1000, kind="audio")
    await viewer.start()

    frames = await take(video, 60)
    await take(audio, 20)

    pictures = decode_counters(frames)
    counters = [counter for counter, _, _ in pictures]
    assert counters == list(range(counters[0], counters[0] + 60)), "in order, none missing"
    assert {(w, h) for _, w, h in pictures} == {(320, 240)}
    assert (frames[0].width, frames[0].height) == (320, 240)  # read from the bitstream
    for frame, counter in zip(frames, counters, strict=True):
        sent = track.sent[counter]
        if codec == "VP8":
            assert frame.data == sent
        else:  # the same NAL units; RTP carries them without their start codes (RFC 6184)
            assert list(nal_units(frame.data)) == list(nal_units(sent))
    live = await hub.facts.wait_for("live", "cam1")
    assert live[3:] == (codec, 320, 240)
    assert hub.engine.stats().sources[0].transcodes == ()

    await viewer.stop()
    await publisher.delete()
    await publisher.pc.close()
    await hub.facts.wait_for("ended", "cam1")
