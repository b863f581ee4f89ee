"""An RTMP server that accepts and then says nothing costs the relay process, not the hub."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime

from hub.media.program.encoder import EncoderSettings, ProgramEncoder
from hub.media.program.rtmp import RtmpSink
from hub.media.program.slate import Slate
from hub.media.relay.lane import silence


def test_a_silent_server_times_out_without_holding_anything_up() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections (the kernel does) and never answers the handshake
        url = f"rtmp://127.0.0.1:{silent.getsockname()[1]}/live/main"
        encoder = ProgramEncoder(EncoderSettings(width=320, height=180, preset="ultrafast"))
        slate = Slate(320, 180, centre="Test County")
        errors: list[tuple[str, str | None]] = []
        reported = threading.Event()

        def report(sink: str, error: str | None) -> None:
            errors.append((sink, error))
            reported.set()

        sink = RtmpSink(url, encoder.params, report, connect_timeout=1.0, write_timeout=1.0)
        sink.start()
        began = time.monotonic()
        index = 0
        while not reported.is_set() and time.monotonic() - began < 10:
            picture = slate.picture(datetime.now())
            for packet in encoder.encode_video(picture, index) + encoder.encode_audio(
                silence(1600)
            ):
                sink.put(packet)  # never blocks, whatever the server does
            index += 1
            time.sleep(1 / 30)
        waited = time.monotonic() - began
        sink.stop()

    assert errors and errors[0][0] == "rtmp"
    assert errors[0][1] is not None and "no RTMP session" in errors[0][1]
    assert waited < 5.0
    assert sink.status().state == "stopped"
