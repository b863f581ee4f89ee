"""FFmpeg's own WHIP muxer as the publisher, as in an OB truck's encoder: it offers
a=setup:passive, sends no ICE candidates and signs its DTLS certificate with ECDSA on P-224."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

from tests.media.conftest import Hub

# Runs in a process of its own: PyAV holds the GIL while its muxer connects.
FFMPEG_PUBLISHER = textwrap.dedent(
    """
    import fractions, sys, time
    import av
    from hub.demo_camera import TestPattern

    url, token, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    out = av.open(url, mode="w", format="whip", options={"authorization": token})
    video = out.add_stream(
        "libx264", rate=30, options={"preset": "ultrafast", "tune": "zerolatency"}
    )
    video.width, video.height, video.pix_fmt = 320, 180, "yuv420p"
    video.profile = "Constrained Baseline"
    pattern, start, n = TestPattern(320, 180), time.time(), 0
    while time.time() - start < seconds:
        frame = pattern.paint(n, time.time())
        frame.pts, frame.time_base = n, fractions.Fraction(1, 30)
        for packet in video.encode(frame):
            out.mux(packet)
        n += 1
        time.sleep(max(0.0, start + n / 30 - time.time()))
    out.close()
    print(n)
    """
)


async def test_ffmpegs_whip_muxer_publishes_to_the_hub(hub: Hub) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        FFMPEG_PUBLISHER,
        hub.whip("cam1"),
        "pub-all",
        "4",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()[-2000:]
    sent = int(out.decode().split()[-1])

    live = await hub.facts.wait_for("live", "cam1")
    assert live[3:] == ("H264", 320, 180)
    ended = await hub.facts.wait_for("ended", "cam1")
    assert ended[4] == "the publisher ended the stream"  # FFmpeg DELETEs its session
    assert ended[3].frames >= sent * 0.95, (ended[3].frames, sent)
