"""The alert read aloud: the system's own speech engine (espeak-ng's Mandarin voice), or a tone.

The speech is made once per alert, as 48 kHz stereo float samples (the program's sound format),
and the output loops it: the words, a pause, the words again. When espeak-ng is missing or fails,
a two-tone alarm stands in and `spoken` is False, so the wall can say the alert runs without voice.
"""

from __future__ import annotations

import io
import logging
import math
import shutil
import subprocess
import wave
from array import array
from dataclasses import dataclass

import av
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler

log = logging.getLogger(__name__)

RATE = 48000
PAUSE = 1.5  # seconds of silence between two readings
VOICE = "cmn"


@dataclass(frozen=True, slots=True)
class Speech:
    """Mono float samples at 48 kHz, looped by the output; `spoken` is False for the tone."""

    samples: array[float]
    spoken: bool


def speak(text: str, *, engine: str | None = None, timeout: float = 30.0) -> Speech:
    """The text in Mandarin by espeak-ng, or the alarm tone when the engine is not there."""
    binary = engine or shutil.which("espeak-ng")
    if binary:
        try:
            wav = subprocess.run(
                [binary, "-v", VOICE, "-s", "150", "--stdout", text],
                capture_output=True,
                check=True,
                timeout=timeout,
            ).stdout
            return Speech(_with_pause(_resampled(wav)), True)
        except (OSError, subprocess.SubprocessError, ValueError, av.FFmpegError) as error:
            log.warning("speech engine failed, the alert goes out with a tone: %s", error)
    return Speech(_with_pause(tone()), False)


def tone(seconds: float = 2.0) -> array[float]:
    """An alarm: 960 Hz and 640 Hz, a quarter second each."""
    out = array("f")
    for n in range(int(seconds * RATE)):
        hz = 960 if (n // (RATE // 4)) % 2 == 0 else 640
        out.append(0.3 * math.sin(2 * math.pi * hz * n / RATE))
    return out


def _with_pause(samples: array[float]) -> array[float]:
    return samples + array("f", bytes(4 * int(PAUSE * RATE)))


def _resampled(wav: bytes) -> array[float]:
    """espeak-ng's WAV (16-bit mono, 22,050 Hz) as 48 kHz mono floats."""
    with wave.open(io.BytesIO(wav)) as reader:
        if reader.getsampwidth() != 2 or reader.getnchannels() != 1:
            raise ValueError("unexpected WAV from the speech engine")
        rate, pcm = reader.getframerate(), reader.readframes(reader.getnframes())
    if not pcm:
        raise ValueError("the speech engine said nothing")
    frame = _frame(pcm, rate)
    resampler = AudioResampler(format="flt", layout="mono", rate=RATE)
    out = array("f")
    for piece in [*resampler.resample(frame), *resampler.resample(None)]:
        out.frombytes(bytes(piece.planes[0])[: piece.samples * 4])
    return out


def _frame(pcm: bytes, rate: int) -> AudioFrame:
    frame = AudioFrame(format="s16", layout="mono", samples=len(pcm) // 2)
    frame.planes[0].update(pcm)
    frame.sample_rate = rate
    return frame


class Loop:
    """Hands out the speech in pieces of any length, round and round (for the mixer's ticks)."""

    def __init__(self, speech: Speech) -> None:
        self.samples = speech.samples
        self.at = 0

    def take(self, count: int) -> AudioFrame:
        """The next `count` samples as a stereo planar float frame (the program's format)."""
        piece = array("f")
        while len(piece) < count:
            end = min(len(self.samples), self.at + count - len(piece))
            piece.extend(self.samples[self.at : end])
            self.at = end % len(self.samples)
        frame = AudioFrame(format="fltp", layout="stereo", samples=count)
        raw = piece.tobytes()
        for plane in frame.planes:
            plane.update(raw)
        frame.sample_rate = RATE
        return frame
