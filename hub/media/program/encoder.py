"""The program encoder: every output frame is encoded once (H.264 + AAC) for all its sinks.

Key frames come at a fixed interval (the HLS segment length), never on scene cuts or because a
source sent one, so segments all last the same. SPS/PPS are both in the extradata (FLV and MP4
want them there) and repeated before every key frame (each MPEG-TS segment must stand alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import av
from av.audio.codeccontext import AudioCodecContext
from av.audio.fifo import AudioFifo
from av.audio.frame import AudioFrame
from av.codec.context import CodecContext, Flags
from av.video.codeccontext import VideoCodecContext
from av.video.frame import PictureType

from hub.media.relay.frames import Kind
from hub.media.relay.lane import FORMAT, LAYOUT, SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class OutputPacket:
    """One encoded packet of the program, shared read-only by every sink."""

    kind: Kind
    data: bytes
    pts: int
    time_base: Fraction
    keyframe: bool


@dataclass(frozen=True, slots=True)
class StreamParams:
    """What a sink needs to declare the program's two streams."""

    width: int
    height: int
    fps: int
    video_extradata: bytes
    sample_rate: int
    audio_extradata: bytes

    @property
    def video_time_base(self) -> Fraction:
        return Fraction(1, self.fps)

    @property
    def audio_time_base(self) -> Fraction:
        return Fraction(1, self.sample_rate)


@dataclass(frozen=True, slots=True)
class EncoderSettings:
    width: int = 1280
    height: int = 720
    fps: int = 30
    gop: int = 30
    video_bitrate: int = 2_500_000
    audio_bitrate: int = 128_000
    preset: str = "veryfast"


class ProgramEncoder:
    """libx264 (zero latency, fixed GOP) and AAC; frames in, packets out."""

    def __init__(self, settings: EncoderSettings) -> None:
        self.settings = settings
        self.video = _video_encoder(settings)
        self.audio = _audio_encoder(settings.audio_bitrate)
        self._fifo = AudioFifo()
        self._audio_pts = 0
        self.params = StreamParams(
            width=settings.width,
            height=settings.height,
            fps=settings.fps,
            video_extradata=self.video.extradata or b"",
            sample_rate=SAMPLE_RATE,
            audio_extradata=self.audio.extradata or b"",
        )

    def encode_video(self, picture: av.VideoFrame, index: int) -> list[OutputPacket]:
        # A decoded picture keeps its source's frame type; an I would force a key frame here.
        picture.pict_type = PictureType.NONE
        picture.pts = index
        picture.time_base = self.params.video_time_base
        return [self._packet("video", p) for p in self.video.encode(picture)]

    def encode_audio(self, samples: AudioFrame) -> list[OutputPacket]:
        """Takes any number of samples; AAC wants them 1024 at a time."""
        samples.pts = None
        self._fifo.write(samples)
        packets: list[OutputPacket] = []
        size = self.audio.frame_size
        while self._fifo.samples >= size:
            frame = self._fifo.read(size)
            if frame is None:
                break
            frame.pts, frame.time_base = self._audio_pts, self.params.audio_time_base
            self._audio_pts += size
            packets.extend(self._packet("audio", p) for p in self.audio.encode(frame))
        return packets

    def skip_audio(self, samples: int) -> None:
        """Moves the audio clock on by `samples` (the output skipped frames under overload)."""
        self._audio_pts += samples

    def flush(self) -> list[OutputPacket]:
        video = [self._packet("video", p) for p in self.video.encode(None)]
        return video + [self._packet("audio", p) for p in self.audio.encode(None)]

    def _packet(self, kind: Kind, packet: av.Packet) -> OutputPacket:  # type: ignore[type-arg]
        assert packet.pts is not None, "encoders stamp every packet"
        time_base = self.params.video_time_base if kind == "video" else self.params.audio_time_base
        return OutputPacket(kind, bytes(packet), packet.pts, time_base, packet.is_keyframe)


def _video_encoder(settings: EncoderSettings) -> VideoCodecContext:
    encoder = CodecContext.create("libx264", "w")
    assert isinstance(encoder, VideoCodecContext)
    encoder.width, encoder.height, encoder.pix_fmt = settings.width, settings.height, "yuv420p"
    encoder.time_base = Fraction(1, settings.fps)
    encoder.framerate = Fraction(settings.fps, 1)
    encoder.bit_rate = settings.video_bitrate
    encoder.gop_size = settings.gop
    encoder.flags |= Flags.global_header
    encoder.options = {
        "preset": settings.preset,
        "tune": "zerolatency",
        "keyint_min": str(settings.gop),
        "sc_threshold": "0",
        "bf": "0",
        "maxrate": str(settings.video_bitrate),
        "bufsize": str(settings.video_bitrate),
        "x264-params": "repeat-headers=1",
    }
    encoder.open()
    return encoder


def _audio_encoder(bit_rate: int) -> AudioCodecContext:
    encoder = CodecContext.create("aac", "w")
    assert isinstance(encoder, AudioCodecContext)
    encoder.sample_rate, encoder.layout, encoder.format = SAMPLE_RATE, LAYOUT, FORMAT
    encoder.time_base = Fraction(1, SAMPLE_RATE)
    encoder.bit_rate = bit_rate
    encoder.flags |= Flags.global_header
    encoder.open()
    return encoder
