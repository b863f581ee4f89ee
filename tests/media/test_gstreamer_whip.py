"""GStreamer's own WebRTC stack (`webrtcbin`, Debian's 1.22) publishes to the hub and watches it,
as studio and OB-truck encoders built on it do. It offers a=setup:actpass and signs its DTLS
certificate with RSA; aiortc as the DTLS client offers only ECDHE-ECDSA suites, so the hub must
take the server's part for the handshake to find a shared cipher."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import av
import pytest

from hub.demo_camera import EncodedPatternTrack, ToneAudioTrack
from hub.media.relay.frames import EncodedFrame
from tests.media.conftest import Hub, take

DEBIAN_PYTHON = "/usr/bin/python3"
PEER = Path(__file__).with_name("gstreamer_peer.py")
PACKAGES = (
    "python3-gi gir1.2-gst-plugins-bad-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad "
    "gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-nice"
)
ELEMENTS = (
    "webrtcbin nicesrc dtlssrtpenc srtpenc videotestsrc vp8enc vp8dec x264enc avdec_h264 "
    "rtpvp8pay rtpvp8depay rtph264pay rtph264depay"
)
CHECK = f"""
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import Gst, GstSdp, GstWebRTC
Gst.init(None)
missing = [e for e in {ELEMENTS.split()!r} if Gst.ElementFactory.find(e) is None]
assert not missing, "missing GStreamer elements: " + " ".join(missing)
"""
SECONDS = 4.0  # of media, once connected
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gstreamer() -> str:
    """Debian's Python with GStreamer's WebRTC elements; fails, never skips, when absent."""
    try:
        check = subprocess.run(
            [DEBIAN_PYTHON, "-c", CHECK], capture_output=True, text=True, timeout=60, check=False
        )
    except FileNotFoundError:
        pytest.fail(f"{DEBIAN_PYTHON} is missing: run tests/ensure_services.sh")
    if check.returncode != 0:
        pytest.fail(
            f"GStreamer's webrtcbin is not usable from {DEBIAN_PYTHON}: run "
            f"tests/ensure_services.sh (it installs {PACKAGES}).\n{check.stderr[-1500:]}"
        )
    return DEBIAN_PYTHON


async def run_peer(python: str, mode: str, url: str, token: str, codec: str) -> tuple[int, str]:
    """Runs the webrtcbin peer to its end; returns the frames it counted and its log."""
    process = await asyncio.create_subprocess_exec(
        python,
        str(PEER),
        mode,
        url,
        token,
        codec,
        str(SECONDS),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # GStreamer's DTLS errors ("no shared cipher") go to the log that a failure shows.
        env={"GST_DEBUG": "dtlsconnection:1,webrtcbin:1", "GST_DEBUG_NO_COLOR": "1"},
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    log = err.decode(errors="replace")
    assert process.returncode == 0, f"webrtcbin {mode} failed:\n{log[-3000:]}"
    return json.loads(out.decode().splitlines()[-1])["frames"], log


def decoded_sizes(frames: list[EncodedFrame]) -> set[tuple[int, int]]:
    """The picture sizes the frames decode to."""
    decoder = av.CodecContext.create(frames[0].codec.lower(), "r")
    return {(p.width, p.height) for f in frames for p in decoder.decode(av.Packet(f.data))}


@pytest.mark.parametrize("codec", ["VP8", "H264"])
async def test_webrtcbin_publishes_and_a_whep_viewer_gets_its_frames(
    hub: Hub, gstreamer: str, codec: str
) -> None:
    viewer = hub.viewer("cam1", video_codecs=[codec])
    video = viewer.feed.subscribe("test/video", max_frames=1000, kind="video")
    await viewer.start()

    sent, log = await run_peer(gstreamer, "publish", hub.whip("cam1"), "pub-all", codec)

    assert "a=setup:actpass" in log, "webrtcbin leaves the DTLS role to the hub"
    live = await hub.facts.wait_for("live", "cam1")
    assert live[3:] == (codec, 320, 180)
    ended = await hub.facts.wait_for("ended", "cam1")
    assert ended[4] == "the publisher ended the stream"  # its DELETE
    assert sent >= SECONDS * 30 * 0.8, sent
    # Interop, not capacity: on a loaded two-core machine the hub may lose a few frames.
    assert ended[3].frames >= sent * 0.6, (ended[3].frames, sent)
    # The viewer's queue holds the whole run: its first frames decode to the published picture.
    frames = await take(video, int(ended[3].frames * 0.9))
    assert frames[0].keyframe
    assert decoded_sizes(frames[:60]) == {(320, 180)}


@pytest.mark.parametrize("codec", ["VP8", "H264"])
async def test_a_webrtcbin_whep_viewer_decodes_what_the_hub_relays(
    hub: Hub, gstreamer: str, codec: str
) -> None:
    track = EncodedPatternTrack(codec, width=320, height=240, gop=30)
    publisher = await hub.publish("cam1", [track, ToneAudioTrack()], codec)
    await hub.facts.wait_for("live", "cam1")

    decoded, log = await run_peer(gstreamer, "view", hub.whep("cam1"), "wall", codec)

    assert "a=setup:actpass" in log
    # A second for the first key frame and GStreamer's jitter buffer (200 ms); then 30 fps.
    assert decoded >= (SECONDS - 1) * 30 * 0.8, (decoded, log[-2000:])
    await publisher.delete()
