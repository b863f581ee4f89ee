"""A stream's life over real peer connections: interruptions, resumes, slow viewers, transcodes."""

from __future__ import annotations

import asyncio

import httpx

from hub.demo_camera import EncodedPatternTrack, ToneAudioTrack, WhipPublisher
from hub.media.codec.bitstream import vp8_frame_info
from hub.media.engine import MediaConfig
from hub.media.relay.frames import EncodedFrame
from tests.media.conftest import (
    Hub,
    bearer,
    decode_counters,
    eventually,
    running_hub,
    take,
)
from tests.support.patterns import SyntheticVideoTrack


async def test_a_vanished_publisher_is_interrupted_and_resumes_on_a_new_session(hub: Hub) -> None:
    first = await hub.publish("cam1", [EncodedPatternTrack("VP8", 320, 240)])
    viewer = hub.viewer("cam1", video_codecs=["VP8"])
    frames = viewer.feed.subscribe("test", max_frames=1000, kind="video")
    await viewer.start()
    await take(frames, 10)
    live = await hub.facts.wait_for("live", "cam1")

    await first.pc.close()  # gone without a DELETE
    interrupted = await hub.facts.wait_for("interrupted", "cam1")
    assert interrupted[2] == live[2]

    track = EncodedPatternTrack("VP8", 320, 180, label="again")
    second = await hub.publish("cam1", [track])
    resumed = await hub.facts.wait_for("resumed", "cam1")
    assert resumed[2] != live[2]
    assert len(hub.facts.of("cam1", "live")) == 1

    # Frames of the first session may still be queued, and the second's first ones behind them:
    # the second session's first key frame is known by its size, read from the bitstream.
    first_key = (await take(frames, 1))[0]
    while (first_key.width, first_key.height) != (320, 180):
        first_key = (await take(frames, 1))[0]
    after = decode_counters([first_key, *await take(frames, 29)])
    assert [counter for counter, _, _ in after] == list(range(after[0][0], after[0][0] + 30))
    assert after[0][0] < 30  # the new session's pattern, which counts from zero
    assert len(hub.engine.stats().viewers) == 1

    assert await second.delete() == 200
    ended = await hub.facts.wait_for("ended", "cam1")
    assert ended[4] == "the publisher ended the stream"
    assert ended[3].sessions == 2 and ended[3].frames > 40
    await second.pc.close()
    await viewer.stop()


async def test_a_silent_publisher_is_interrupted_then_ended_after_the_grace_period() -> None:
    config = MediaConfig(media_timeout=1.0, grace_period=1.0, connect_timeout=10.0)
    async with running_hub(config) as hub:
        publisher = await hub.publish("cam1", [EncodedPatternTrack()])
        await hub.facts.wait_for("live", "cam1")

        publisher.pc.getSenders()[0].replaceTrack(None)  # connected, but sends nothing

        interrupted = await hub.facts.wait_for("interrupted", "cam1")
        assert interrupted[3] == "no media for 1 s"
        ended = await hub.facts.wait_for("ended", "cam1")
        assert ended[4] == "no media for 1 s"
        assert ended[3].frames > 0 and ended[3].duration > 1.0
        assert hub.engine.stats().publishers == 0
        await publisher.pc.close()


async def test_a_slow_viewer_drops_and_is_counted_while_others_get_everything(hub: Hub) -> None:
    await hub.publish("cam1", [EncodedPatternTrack("VP8", 320, 240, gop=15)])
    good = hub.viewer("cam1")
    frames = good.feed.subscribe("test", max_frames=1000, kind="video")
    await good.start()
    # A viewer that takes nothing: the hub answers its offer, but it never applies the answer,
    # so the hub's sender never starts and its queue only fills.
    stuck = hub.connection()
    stuck.addTransceiver("video", direction="recvonly")
    await stuck.setLocalDescription(await stuck.createOffer())
    async with httpx.AsyncClient() as http:
        response = await http.post(
            hub.whep("cam1"),
            content=stuck.localDescription.sdp,
            headers={"Content-Type": "application/sdp", **bearer("wall")},
        )
    assert response.status_code == 201
    # A slow consumer of the feed itself, as a stalled recorder would be.
    slow = hub.engine.feed("cam1").subscribe("slow-recorder", max_frames=10, kind="video")

    received = decode_counters(await take(frames, 90))
    dropped_before = slow.dropped
    for _ in range(6):
        await asyncio.sleep(0.3)
        frame = await slow.get()
        assert frame is not None
        if slow.dropped != dropped_before:
            assert frame.keyframe, "after dropping, a consumer starts again at a key frame"
        dropped_before = slow.dropped

    counters = [counter for counter, _, _ in received]
    assert counters == list(range(counters[0], counters[0] + 90)), "the good viewer lost nothing"
    stats = hub.engine.stats()
    by_connection = {viewer.connected: viewer for viewer in stats.viewers}
    assert by_connection[True].dropped == 0
    assert by_connection[False].dropped > 0
    assert stats.sources[0].dropped >= by_connection[False].dropped + slow.dropped
    assert slow.dropped > 0
    await good.stop()
    await stuck.close()


async def test_viewers_that_cannot_take_the_codec_share_one_transcode(hub: Hub) -> None:
    track = EncodedPatternTrack("H264", 320, 240)
    await hub.publish("cam1", [track], "H264")
    await hub.facts.wait_for("live", "cam1")
    viewers = [hub.viewer("cam1", video_codecs=["VP8"]) for _ in range(2)]
    queues = [viewer.feed.subscribe("test", max_frames=1000, kind="video") for viewer in viewers]
    for viewer in viewers:
        await viewer.start()

    for queue in queues:
        frames = await take(queue, 20)
        assert {frame.codec for frame in frames} == {"VP8"}
        pictures = decode_counters(frames)
        counters = [counter for counter, _, _ in pictures]
        assert counters == sorted(counters) and len(set(counters)) == 20
        assert {(w, h) for _, w, h in pictures} == {(320, 240)}

    source = hub.engine.stats().sources[0]
    assert source.transcodes == ("VP8",)
    video_readers = [q.name for q in hub.engine.feed("cam1").consumers if q.kind == "video"]
    assert video_readers == ["transcode/VP8"]  # read once for both viewers
    assert all(viewer.transcoded for viewer in hub.engine.stats().viewers)
    for viewer in viewers:
        await viewer.stop()
    await eventually(lambda: hub.engine.stats().sources[0].transcodes == (), "transcode to stop")


async def test_the_whip_client_publishes_again_after_its_connection_dies(hub: Hub) -> None:
    states: list[str] = []
    publisher = WhipPublisher(
        hub.whip("truck"),
        "pub-all",
        [SyntheticVideoTrack(320, 240, label="truck"), ToneAudioTrack()],
        min_backoff=0.1,
        on_state=states.append,
    )
    running = asyncio.create_task(publisher.run())
    await hub.facts.wait_for("live", "truck")
    first = publisher.connection
    assert first is not None

    await first.close()  # the network went away under it

    await hub.facts.wait_for("interrupted", "truck")
    await hub.facts.wait_for("resumed", "truck")
    assert publisher.sessions == 2
    assert states[:4] == ["connecting", "live", "retrying", "connecting"]
    await publisher.stop()
    await running
    ended = await hub.facts.wait_for("ended", "truck")
    assert ended[4] == "the publisher ended the stream"


async def test_a_feed_filled_by_the_hub_itself_plays_over_whep(hub: Hub) -> None:
    # A program output publishes its encoded frames into a feed of its own name.
    feed = hub.engine.feed("truck")
    pattern = EncodedPatternTrack("VP8", 320, 240, gop=15)

    async def output() -> None:
        loop = asyncio.get_running_loop()
        while True:
            packet = await pattern.recv()
            data = bytes(packet)
            feed.publish(
                EncodedFrame(
                    kind="video",
                    codec="VP8",
                    data=data,
                    pts=int(packet.pts or 0),
                    clock_rate=90000,
                    keyframe=vp8_frame_info(data).keyframe,
                    received_at=loop.time(),
                )
            )

    running = asyncio.create_task(output())
    await eventually(lambda: feed.video_codec == "VP8", "the output's first frame")
    viewer = hub.viewer("truck")
    frames = viewer.feed.subscribe("test", max_frames=1000, kind="video")
    await viewer.start()

    counters = [counter for counter, _, _ in decode_counters(await take(frames, 30))]

    assert counters == list(range(counters[0], counters[0] + 30))
    running.cancel()
