"""Reading a source's file and cutting a clip from it with PyAV.

Two ways to cut. Without a crop the clip is a stream copy: the packets from the key frame at or
before `in` to the last one decoded before `out`, untouched (no picture is decoded, so it is as
fast as the disk and loses nothing); it may start up to one group of pictures early. With the
9:16 crop every picture is decoded, cropped about its centre and encoded again (H.264, audio as
AAC), from exactly `in` to `out`. Both write to a temporary name and rename when complete, so a
file under the final name is always whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.container
from av.audio.resampler import AudioResampler
from av.video.stream import VideoStream

Progress = Callable[[float], None]  # 0.0 .. 1.0
ENCODER_PRESET = "veryfast"
MAX_CROP_HEIGHT = 1920


class MediaUnreadable(Exception):
    """The file cannot be read as audio or video."""


@dataclass(frozen=True)
class Probe:
    """What a file holds: its length and whether it has a picture (and of which size)."""

    duration: float
    has_video: bool
    has_audio: bool
    width: int = 0
    height: int = 0
    video_codec: str | None = None
    container: str = "mp4"  # what a stream copy of it is written as: mp4 or webm


def probe(path: Path) -> Probe:
    """The file's length (from the container, else from its last packet) and its streams."""
    try:
        with av.open(str(path)) as container:
            video = container.streams.video[0] if container.streams.video else None
            audio = container.streams.audio[0] if container.streams.audio else None
            duration = _duration(container)
            return Probe(
                duration=duration,
                has_video=video is not None,
                has_audio=audio is not None,
                width=video.codec_context.width if video else 0,
                height=video.codec_context.height if video else 0,
                video_codec=video.codec_context.name if video else None,
                container=_container(container.format.name),
            )
    except (av.FFmpegError, IndexError, ValueError) as error:
        raise MediaUnreadable(str(error)) from error


def _duration(container: av.container.InputContainer) -> float:
    if container.duration is not None and container.duration > 0:
        return float(container.duration) / av.time_base
    # A fragmented recording says no length in its header: the end of its last packet does.
    end = 0.0
    for packet in container.demux():
        if packet.pts is None or packet.time_base is None:
            continue
        length = packet.duration or 0
        end = max(end, float((packet.pts + length) * packet.time_base))
    return end


def _container(names: str) -> str:
    """`matroska,webm` (WebM and Matroska) is copied into WebM, anything else into MP4."""
    return "webm" if "webm" in names.split(",") or "matroska" in names.split(",") else "mp4"


def output_format(source: Path, crop: bool) -> str:
    """The clip's container: a copy keeps the source's kind (WebM stays WebM), a crop is MP4."""
    return "mp4" if crop else probe(source).container


def cut_copy(source: Path, target: Path, start: float, end: float, progress: Progress) -> float:
    """Copies the packets of [key frame at or before `start`, `end`); returns the clip's length."""

    def write(partial: Path) -> float:
        with av.open(str(source)) as src:
            video = src.streams.video[0]
            audio = src.streams.audio[0] if src.streams.audio else None
            with av.open(str(partial), "w", format=output_format(source, crop=False)) as out:
                out_video = out.add_stream_from_template(video)
                out_audio = out.add_stream_from_template(audio) if audio is not None else None
                first = _key_frame_before(src, video, start)
                return _copy_packets(
                    src, out, (video, out_video), (audio, out_audio), first, end, progress
                )

    return _written(target, write)


def _written(target: Path, write: Callable[[Path], float]) -> float:
    """Writes under a temporary name, renamed when whole; nothing is left when writing fails."""
    partial = target.with_name(target.name + ".part")
    try:
        seconds = write(partial)
        if seconds <= 0:
            raise MediaUnreadable("there is no picture between the in and out points")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return seconds


def _key_frame_before(src: av.container.InputContainer, video: VideoStream, start: float) -> float:
    """Seeks to the key frame at or before `start` and returns its time."""
    tb = video.time_base or Fraction(1, 90_000)
    back = 0.0
    while True:
        target = max(0.0, start - back)
        src.seek(int(target / tb), stream=video, backward=True, any_frame=False)
        key: float | None = None
        for packet in src.demux(video):
            if packet.pts is None:
                continue
            when = float(packet.pts * tb)
            if packet.is_keyframe and when <= start:
                key = when
            if when > start:
                break
        if key is not None or target == 0.0:
            break
        back = back * 2 or 5.0
    found = key if key is not None else 0.0
    src.seek(int(found / tb), stream=video, backward=True, any_frame=False)
    return found


def _copy_packets(
    src: av.container.InputContainer,
    out: Any,
    videos: tuple[VideoStream, Any],
    audios: tuple[Any, Any],
    first: float,
    end: float,
    progress: Progress,
) -> float:
    video, out_video = videos
    audio, out_audio = audios
    streams = [video] + ([audio] if audio is not None else [])
    started = False
    offsets: dict[int, int] = {}
    last_end = 0.0
    step = 0
    for packet in src.demux(*streams):
        if packet.pts is None or packet.dts is None:
            continue
        tb = packet.time_base
        when = float(packet.pts * tb)
        decoded_at = float(packet.dts * tb)
        if packet.stream is video:
            if not started:
                if not packet.is_keyframe or when < first - 1e-6:
                    continue
                started = True
            elif decoded_at >= end:
                break
            target = out_video
        else:
            if not started or when < first or when >= end:
                continue
            target = out_audio
        index = packet.stream.index
        if index not in offsets:
            offsets[index] = round(first / tb)
        packet.pts -= offsets[index]
        packet.dts = max(0, packet.dts - offsets[index])
        packet.stream = target
        last_end = max(last_end, float((packet.pts + (packet.duration or 0)) * tb))
        out.mux(packet)
        step += 1
        if step % 50 == 0:
            progress(min(1.0, (when - first) / max(end - first, 1e-6)))
    return last_end


def crop_box(width: int, height: int) -> tuple[int, int, int, int]:
    """The largest exactly 9:16 rectangle about the picture's centre, in even sizes (a multiple
    of 18 × 32): (width, height, x, y)."""
    units = max(1, min(width // 18, height // 32))
    crop_width, crop_height = units * 18, units * 32
    return crop_width, crop_height, (width - crop_width) // 2 // 2 * 2, (height - crop_height) // 2


def cut_crop(source: Path, target: Path, start: float, end: float, progress: Progress) -> float:
    """Decodes [start, end), crops each picture to 9:16 about its centre and encodes it again
    (H.264; audio, if any, as AAC); returns the clip's length."""

    def write(partial: Path) -> float:
        with av.open(str(source)) as src:
            video = src.streams.video[0]
            audio = src.streams.audio[0] if src.streams.audio else None
            _key_frame_before(src, video, start)
            with av.open(str(partial), "w", format="mp4") as out:
                return _crop_frames(src, video, audio, out, start, end, progress)

    return _written(target, write)


def _crop_frames(
    src: av.container.InputContainer,
    video: VideoStream,
    audio: Any,
    out: Any,
    start: float,
    end: float,
    progress: Progress,
) -> float:
    width, height = video.codec_context.width, video.codec_context.height
    crop_width, crop_height, x, y = crop_box(width, height)
    units = min(crop_height, MAX_CROP_HEIGHT) // 32  # no taller than 1080 × 1920
    out_width, out_height = units * 18, units * 32
    rate = video.average_rate or Fraction(30)
    encoder = out.add_stream("libx264", rate=rate, options={"preset": ENCODER_PRESET})
    encoder.width, encoder.height, encoder.pix_fmt = out_width, out_height, "yuv420p"
    encoder.time_base = Fraction(1, 90_000)
    graph = av.filter.Graph()
    buffer = graph.add_buffer(template=video)
    chain = [graph.add("crop", f"{crop_width}:{crop_height}:{x}:{y}")]
    if (out_width, out_height) != (crop_width, crop_height):
        chain.append(graph.add("scale", f"{out_width}:{out_height}"))
    chain.append(graph.add("format", "yuv420p"))
    sink = graph.add("buffersink")
    buffer.link_to(chain[0])
    for before, after in zip(chain, chain[1:], strict=False):
        before.link_to(after)
    chain[-1].link_to(sink)
    graph.configure()

    sound = None
    resampler = None
    if audio is not None:
        sound = out.add_stream("aac", rate=48_000, layout="stereo")
        resampler = AudioResampler(format="fltp", layout="stereo", rate=48_000)
    samples = 0
    pictures = 0
    last_end = 0.0
    streams = [video] + ([audio] if audio is not None else [])
    video_done = False
    for packet in src.demux(*streams):
        if packet.stream is video:
            if video_done:
                continue
            for frame in packet.decode():
                if not isinstance(frame, av.VideoFrame):
                    continue
                when = frame.time
                if when is None or when < start - 1e-6:
                    continue
                if when >= end - 1e-6:
                    video_done = True
                    break
                buffer.push(frame)
                cropped = sink.pull()
                cropped.pts = round((when - start) * 90_000)
                cropped.time_base = Fraction(1, 90_000)
                out.mux(encoder.encode(cropped))
                pictures += 1
                last_end = max(last_end, when - start + 1 / float(rate))
                if pictures % 15 == 0:
                    progress(min(1.0, (when - start) / (end - start)))
        elif sound is not None and resampler is not None:
            for frame in packet.decode():
                if not isinstance(frame, av.AudioFrame):
                    continue
                heard = frame.time
                if heard is None or heard < start or heard >= end:
                    continue
                for fitted in resampler.resample(frame):
                    fitted.pts = samples
                    samples += fitted.samples
                    out.mux(sound.encode(fitted))
        if video_done and (audio is None or _past(packet, end)):
            break
    out.mux(encoder.encode(None))
    if sound is not None:
        out.mux(sound.encode(None))
    return last_end


def _past(packet: Any, end: float) -> bool:
    return packet.pts is not None and float(packet.pts * packet.time_base) >= end
