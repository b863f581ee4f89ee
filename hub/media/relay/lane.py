"""One source being decoded for a program output: its latest picture and a buffer of its sound.

Video decodes from a key frame on (the feed's queue starts there); after a decode error the lane
skips to the next key frame and says it wants one. Audio is resampled to the output's format and
buffered a little (`PRIME`) against network jitter; the output takes exactly what each of its
frames needs, silence filling any gap, and trims a buffer that grew from clock drift.
"""

from __future__ import annotations

import logging
from typing import TypeVar

import av
from av.audio.codeccontext import AudioCodecContext
from av.audio.fifo import AudioFifo
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler
from av.codec.context import CodecContext
from av.video.codeccontext import VideoCodecContext

from hub.media.relay.frames import EncodedFrame

log = logging.getLogger(__name__)

SAMPLE_RATE = 48000
LAYOUT = "stereo"
FORMAT = "fltp"
PRIME = SAMPLE_RATE * 60 // 1000  # 60 ms buffered before a source's sound is used
MOST = SAMPLE_RATE * 250 // 1000  # more than this and the source's clock ran ahead: trim
DECODERS = {"H264": "h264", "VP8": "vp8", "opus": "opus"}
DecoderT = TypeVar("DecoderT", VideoCodecContext, AudioCodecContext)


def silence(samples: int) -> AudioFrame:
    frame = AudioFrame(format=FORMAT, layout=LAYOUT, samples=samples)
    for plane in frame.planes:
        plane.update(bytes(plane.buffer_size))
    frame.sample_rate = SAMPLE_RATE
    return frame


def _decoder(kind: type[DecoderT], codec: str) -> DecoderT:
    decoder = CodecContext.create(DECODERS[codec], "r")
    if not isinstance(decoder, kind):
        raise ValueError(f"{codec} is not a {kind.__name__} codec")
    decoder.thread_count = 1  # frame threads would hold pictures back: latency
    return decoder


class Lane:
    """Decodes one source's frames; `picture` and `take_audio` serve the output's ticks."""

    def __init__(self, lane_id: int, source: str) -> None:
        self.lane_id, self.source = lane_id, source
        self.picture: av.VideoFrame | None = None
        self.picture_at = 0.0
        self.pictures = 0
        self.decode_errors = 0
        self.wants_keyframe = False
        self._skipping = False
        self._video: VideoCodecContext | None = None
        self._audio: AudioCodecContext | None = None
        self._resampler = AudioResampler(format=FORMAT, layout=LAYOUT, rate=SAMPLE_RATE)
        self._fifo = AudioFifo()
        self._primed = False

    def push(self, frame: EncodedFrame, now: float) -> None:
        if frame.codec not in DECODERS:
            self.decode_errors += 1  # nothing to decode it with; say so in the stats
        elif frame.kind == "video":
            self._push_video(frame, now)
        else:
            self._push_audio(frame)

    def _push_video(self, frame: EncodedFrame, now: float) -> None:
        if self._skipping and not frame.keyframe:
            return
        self._skipping = False
        if self._video is None or self._video.name != DECODERS[frame.codec]:
            self._video = _decoder(VideoCodecContext, frame.codec)
        pictures = self._decode(self._video, frame, "video decode error, waiting for a key frame")
        if pictures is None:
            self._skipping = self.wants_keyframe = True
            return
        for picture in pictures:
            if isinstance(picture, av.VideoFrame):
                self.picture, self.picture_at = picture, now
                self.pictures += 1

    def _push_audio(self, frame: EncodedFrame) -> None:
        if self._audio is None:
            self._audio = _decoder(AudioCodecContext, frame.codec)
        decoded = self._decode(self._audio, frame, "audio decode error")
        if decoded is None:
            return
        for samples in decoded:
            if not isinstance(samples, AudioFrame):
                continue
            samples.pts = None  # the buffer keeps its own count; the output has its own clock
            for resampled in self._resampler.resample(samples):
                resampled.pts = None
                self._fifo.write(resampled)
        if self._fifo.samples > MOST:
            self._fifo.read(self._fifo.samples - PRIME)

    def _decode(
        self, decoder: VideoCodecContext | AudioCodecContext, frame: EncodedFrame, failure: str
    ) -> list[av.VideoFrame] | list[AudioFrame] | None:
        """What the frame decodes to; None, logged as `failure` and counted, if it does not."""
        try:
            return decoder.decode(av.Packet(frame.data))
        except av.FFmpegError as error:
            log.info("%s: %s: %s", self.source, failure, error)
            self.decode_errors += 1
            return None

    def take_audio(self, samples: int) -> AudioFrame:
        """Exactly `samples` of this source's sound; silence where it has none yet."""
        if not self._primed:
            if self._fifo.samples < PRIME + samples:
                return silence(samples)
            self._primed = True
        if self._fifo.samples >= samples:
            taken = self._fifo.read(samples)
            if taken is not None:
                return taken
        self._primed = False  # ran dry: a gap of silence, then build the buffer up again
        return silence(samples)

    def freshen_audio(self) -> None:
        """Drops sound buffered while the lane waited to go on air: it starts with what is new."""
        if self._fifo.samples > PRIME:
            self._fifo.read(self._fifo.samples - PRIME)
