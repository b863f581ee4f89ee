"""Real media files for the clip tests and bench, made with PyAV: a moving picture with sound at a
known key-frame interval, and a sound-only file."""

from __future__ import annotations

from pathlib import Path

import av


def make_video(
    path: Path,
    *,
    seconds: float = 10,
    width: int = 640,
    height: int = 360,
    fps: int = 25,
    gop: int = 25,
    audio: bool = True,
    fmt: str | None = None,
) -> Path:
    """H.264 (a key frame every `gop` pictures, no B-frames) and AAC; each picture a new shade."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format=fmt or "mp4") as out:
        video = out.add_stream(
            "libx264",
            rate=fps,
            options={
                "preset": "ultrafast",
                "g": str(gop),
                "keyint_min": str(gop),
                "sc_threshold": "0",
                "bf": "0",
            },
        )
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        sound = out.add_stream("aac", rate=48_000, layout="stereo") if audio else None
        for i in range(int(seconds * fps)):
            frame = av.VideoFrame(width, height, "yuv420p")
            for n, plane in enumerate(frame.planes):
                plane.update(bytes([(i * 5 + n * 40) % 256]) * plane.buffer_size)
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if sound is not None:
            _sound(out, sound, seconds)
    return path


def make_audio(path: Path, *, seconds: float = 5) -> Path:
    """AAC in MP4 (an .m4a), no picture."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="mp4") as out:
        sound = out.add_stream("aac", rate=48_000, layout="stereo")
        _sound(out, sound, seconds)
    return path


def _sound(
    out: av.container.OutputContainer, sound: av.audio.stream.AudioStream, seconds: float
) -> None:
    made = 0
    while made < seconds * 48_000:
        frame = av.AudioFrame(format="fltp", layout="stereo", samples=1024)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate = 48_000
        frame.pts = made
        made += 1024
        out.mux(sound.encode(frame))
    out.mux(sound.encode(None))
