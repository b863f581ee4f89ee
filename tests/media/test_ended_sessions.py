"""A hub that runs for days lets go of its ended media sessions, with their threads and files.

`hub serve` settles the collector (hub/heap.py): collections so far apart that, without the
hub's own full collections, every ended peer connection (a cycle of aiortc objects holding codec
contexts, their threads and buffers) stayed in memory for hours. These tests count what is left
after several sessions, under the settled collector."""

from __future__ import annotations

import dataclasses
import gc
import os
from collections.abc import AsyncIterator

import pytest
from aiortc import RTCPeerConnection

from hub import heap
from hub.commands.live import RegisterSource
from hub.config import Settings
from hub.demo_camera import EncodedPatternTrack, ToneAudioTrack, WhipPublisher
from tests.conftest import Staff
from tests.media.conftest import eventually, serve, take
from tests.support.whep_client import WhepViewer
from web.app import create_app

CYCLES = 4


@pytest.fixture
async def settled_hub(
    settings: Settings, staff: Staff, monkeypatch: pytest.MonkeyPatch, collector_restored: None
) -> AsyncIterator[tuple[str, str, heap.Pauses]]:
    """`hub serve`'s application, settled, sweeping often; yields (url, publish token, pauses)."""
    monkeypatch.setattr(heap, "SWEEP_EVERY", 0.2)
    token = staff.newsroom.handle(staff.req("tess"), RegisterSource(name="truck", kind="truck"))
    app = create_app(dataclasses.replace(settings, output_preset="ultrafast"), settle_heap=True)
    async with serve(app, lifespan="on") as url:
        yield url, token.extra["token"], app.state.runtime.gc_pauses


def peer_connections() -> int:
    return sum(isinstance(o, RTCPeerConnection) for o in gc.get_objects())


def codec_threads() -> int:
    """Threads of the process that Python did not start: libavcodec's, libvpx's, libx264's."""
    import threading

    return len(os.listdir("/proc/self/task")) - threading.active_count()


async def one_session(url: str, token: str, viewer_token: str) -> None:
    """A truck publishes, a viewer watches a few frames, both leave."""
    video = EncodedPatternTrack("H264", 160, 90, fps=25, gop=25, bit_rate=150_000, remember=False)
    publisher = WhipPublisher(
        f"{url}/whip/truck", token, [video, ToneAudioTrack()], video_codec="H264"
    )
    await publisher.publish()
    viewer = WhepViewer(f"{url}/whep/truck", viewer_token)
    frames = viewer.feed.subscribe("test", 100, "video")
    await viewer.start()
    await take(frames, 10)
    await viewer.stop()
    await publisher.stop()


async def test_ended_sessions_leave_no_peer_connection_nor_codec_thread(
    settled_hub: tuple[str, str, heap.Pauses], staff: Staff
) -> None:
    url, token, pauses = settled_hub
    assert pauses.collections[2] == 0
    threads_after = []
    for _ in range(CYCLES):
        await one_session(url, token, staff.tokens["dana"])
        await eventually(lambda: peer_connections() == 0, "the ended sessions to be let go")
        threads_after.append(codec_threads())
    assert threads_after[-1] <= threads_after[0], f"codec threads per cycle: {threads_after}"
    assert pauses.collections[2] >= CYCLES  # the hub's own full collections did it
