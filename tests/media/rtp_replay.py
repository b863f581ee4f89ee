"""A publisher's RTP packets, recorded in memory, replayed with holes into the hub's receive path.

The frames are real VP8 or H.264 (the synthetic pattern through libvpx/libx264) packetised by
aiortc's own encoders as a publisher's sender does; the replay goes through a real aiortc
`RTCRtpReceiver._handle_rtp_packet` with the hub's `PassthroughReceiver` on it, so depayloading,
NACKs, the jitter buffer and aiortc's key-frame flag all run as they do live.
"""

from __future__ import annotations

import fractions
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import av
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.codecs import H264Encoder, Vp8Encoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpReceiveParameters
from aiortc.rtcrtpreceiver import RemoteStreamTrack
from aiortc.rtp import RtpPacket
from av.video.frame import PictureType

from hub.demo_camera import TestPattern
from hub.media.ingest.passthrough import PassthroughReceiver
from hub.media.relay.frames import EncodedFrame

SSRC = 0x1234
TIME_BASE = fractions.Fraction(1, 90000)
MIME = {"VP8": "video/VP8", "H264": "video/H264"}


@dataclass
class Recorded:
    """What a publisher sent: its frames (by RTP timestamp) and their packets in order."""

    frames: dict[int, bytes] = field(default_factory=dict)
    keyframes: set[int] = field(default_factory=set)  # RTP timestamps of key frames
    packets: list[RtpPacket] = field(default_factory=list)


def encoder_for(codec: str, slices: int) -> Any:
    if codec == "VP8":
        encoder: Any = av.CodecContext.create("libvpx", "w")
        encoder.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    else:
        encoder = av.CodecContext.create("libx264", "w")
        encoder.options = {"preset": "ultrafast", "tune": "zerolatency", "slices": str(slices)}
    encoder.width, encoder.height, encoder.pix_fmt = 640, 360, "yuv420p"
    encoder.bit_rate, encoder.time_base = 2_000_000, TIME_BASE
    encoder.framerate = fractions.Fraction(30, 1)
    encoder.gop_size = 10_000
    return encoder


def record(codec: str, count: int, keyframes: Iterable[int], slices: int = 4) -> Recorded:
    """Encodes `count` frames (key frames at the given indexes) and packetises them."""
    encoder, pattern = encoder_for(codec, slices), TestPattern(640, 360, "replay")
    packer: Any = Vp8Encoder() if codec == "VP8" else H264Encoder()
    wanted, out, seq = set(keyframes), Recorded(), 1000
    for index in range(count):
        picture = pattern.paint(index, 0.0)
        picture.pts, picture.time_base = index * 3000, TIME_BASE
        picture.pict_type = PictureType.I if index in wanted else PictureType.NONE
        data = b"".join(bytes(p) for p in encoder.encode(picture))
        packet = av.Packet(data)
        packet.pts, packet.time_base = picture.pts, TIME_BASE
        payloads, timestamp = packer.pack(packet)
        out.frames[timestamp] = data
        if index in wanted:
            out.keyframes.add(timestamp)
        for number, payload in enumerate(payloads):
            last = int(number == len(payloads) - 1)
            rtp = RtpPacket(
                payload_type=96, marker=last, sequence_number=seq, timestamp=timestamp, ssrc=SSRC
            )
            rtp.payload = payload
            out.packets.append(rtp)
            seq = (seq + 1) & 0xFFFF
    return out


@dataclass
class Replay:
    """The frames the hub forwarded, and its receiver (for its counters)."""

    forwarded: list[EncodedFrame]
    receiver: PassthroughReceiver
    pli_sent: int


async def replay(codec: str, packets: Iterable[RtpPacket]) -> Replay:
    """Feeds packets to a real aiortc receiver carrying the hub's passthrough."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    receiver = pc.addTransceiver("video", direction="recvonly").receiver
    receiver._track = RemoteStreamTrack(kind="video")  # what setRemoteDescription would make
    forwarded: list[EncodedFrame] = []
    passthrough = PassthroughReceiver(receiver, "video", forwarded.append)
    try:
        codecs = [RTCRtpCodecParameters(mimeType=MIME[codec], clockRate=90000, payloadType=96)]
        await receiver.receive(RTCRtpReceiveParameters(codecs=codecs))
        for number, packet in enumerate(packets):
            await receiver._handle_rtp_packet(packet, arrival_time_ms=number)
        return Replay(forwarded, passthrough, passthrough.keyframes.counts.requested)
    finally:
        passthrough.close()
        await pc.close()


def without(packets: list[RtpPacket], drop: Callable[[int, RtpPacket], bool]) -> list[RtpPacket]:
    return [packet for index, packet in enumerate(packets) if not drop(index, packet)]
