"""`hub serve` killed with SIGKILL in the middle of a live stream: the recording plays up to its
last fragment, and the next start closes the stream with a reason and keeps the recording."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av
import httpx
from aiortc import RTCConfiguration, RTCPeerConnection

from hub.commands.live import RegisterSource
from hub.config import Settings
from hub.demo_camera import EncodedPatternTrack, ToneAudioTrack
from hub.live.media import RESTART_REASON
from tests.conftest import Staff
from tests.media.conftest import whip_publish

HUB = str(Path(sys.executable).parent / "hub")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "HUB_DATABASE_URL": settings.database_url,
        "HUB_DATA_DIR": str(settings.data_dir),
    }


@contextmanager
def hub_process(settings: Settings, port: int) -> Iterator[subprocess.Popen[bytes]]:
    args = [HUB, "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        args, env=environment(settings), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


async def until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                if (await http.get(f"{url}/api/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the hub did not start")


def decodable(media: Path) -> int:
    """The pictures a recording's file holds now (a fragment being written is not yet one)."""
    try:
        with av.open(str(media)) as container:
            return sum(1 for _ in container.decode(video=0))
    except (av.FFmpegError, OSError):
        return 0


async def pictures_written(folder: Path, *, at_least: int, within: float = 15.0) -> int:
    """Waits until the recording being written holds `at_least` pictures; answers how many."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        files = [p for p in folder.glob("*") if p.suffix in (".mp4", ".webm")]
        found = await asyncio.to_thread(decodable, files[0]) if files else 0
        if found >= at_least:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"the recording held fewer than {at_least} pictures after {within} s")


async def read(url: str, path: str, token: str) -> Any:
    async with httpx.AsyncClient() as http:
        response = await http.get(f"{url}{path}", headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    return response.json()


async def test_a_killed_hub_is_reconciled_at_the_next_start(
    settings: Settings, staff: Staff
) -> None:
    token = staff.newsroom.handle(
        staff.req("tess"), RegisterSource(name="truck", kind="truck")
    ).extra["token"]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    dana = staff.tokens["dana"]

    with hub_process(settings, port) as first:
        await until_up(url, first)
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        video = EncodedPatternTrack("H264", 320, 180, fps=30, gop=30, bit_rate=300_000)
        await whip_publish(pc, f"{url}/whip/truck", token, [video, ToneAudioTrack()], "H264")
        for _ in range(100):
            sources = (await read(url, "/api/sources", dana))["sources"]
            if sources[0]["state"] == "live":
                break
            await asyncio.sleep(0.1)
        assert sources[0]["state"] == "live"
        # Fragments end at key frames: wait until two whole ones are on disk (a loaded machine
        # may take longer than the two seconds they last), then a part of the next one.
        written = await pictures_written(settings.data_dir / "recordings", at_least=60)
        await asyncio.sleep(0.3)
        first.send_signal(signal.SIGKILL)
        first.wait()
        await pc.close()

    recordings = settings.data_dir / "recordings"
    (sidecar,) = recordings.glob("*.json")
    assert json.loads(sidecar.read_text())["state"] == "recording"  # the kill left it open
    media = sidecar.with_suffix("")
    with av.open(str(media)) as container:
        pictures = sum(1 for _ in container.decode(video=0))
    assert pictures >= written >= 60, "it plays up to the last fragment, as it was left"

    with hub_process(settings, port) as second:
        await until_up(url, second)
        page = await read(url, "/api/events?after=0&limit=1000", staff.tokens["audrey"])
        events = page["events"]
        ended = [e for e in events if e["type"] == "LiveSource.Ended"]
        assert len(ended) == 1 and ended[0]["payload"]["reason"] == RESTART_REASON
        (capture,) = [e["payload"] for e in events if e["type"] == "Capture.Registered"]
        assert capture["kind"] == "recording" and capture["filename"] == media.name
        assert capture["details"]["interrupted"] is True and capture["duration"] > 2.0
        assert capture["size"] == media.stat().st_size
        assert (await read(url, "/api/sources", dana))["sources"][0]["state"] == "idle"
        assert json.loads(sidecar.read_text())["reported"] is True

    verify = subprocess.run(
        [HUB, "audit", "verify"],
        env=environment(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
