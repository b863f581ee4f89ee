"""The aiortc internals `hub.media.ingest.passthrough` and `hub.media.ingest.jitter` rely on
(aiortc 1.16.0).

Every assertion here names one private attribute, signature or line of aiortc the relay depends
on. When an aiortc upgrade fails this test, read the new code before changing the assertion:
the relay may silently decode again, lose frames or never ask for key frames.
"""

from __future__ import annotations

import fractions
import inspect
import queue
from collections.abc import Callable
from typing import Any

import aiortc
import av
from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpReceiver, RTCRtpSender
from aiortc import rtcrtpreceiver as receiver_module
from aiortc.codecs.base import Encoder
from aiortc.codecs.h264 import H264Encoder
from aiortc.codecs.opus import OpusEncoder
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.jitterbuffer import JitterBuffer, JitterFrame

from hub.media.ingest.jitter import MarkerJitterBuffer
from hub.media.ingest.passthrough import (
    RECEIVER_DECODER_QUEUE,
    RECEIVER_JITTER_BUFFER,
    RECEIVER_NACK_GENERATOR,
    RECEIVER_REMOTE_STREAMS,
    RECEIVER_SEND_NACK,
    RECEIVER_SEND_PLI,
    RECEIVER_SEND_RTCP,
    SENDER_SEND_KEYFRAME,
    PassthroughReceiver,
    route_keyframe_requests,
)


def source(function: Callable[..., Any]) -> str:
    return inspect.getsource(function)


def parameters(function: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_the_pinned_version() -> None:
    assert aiortc.__version__ == "1.16.0", "re-check every assertion below, then the pin"


async def test_a_receiver_holds_its_jitter_buffer_and_decoder_queue_in_these_attributes() -> None:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    video = pc.addTransceiver("video", direction="recvonly").receiver
    audio = pc.addTransceiver("audio", direction="recvonly").receiver
    try:
        assert isinstance(getattr(video, RECEIVER_JITTER_BUFFER), JitterBuffer)
        assert isinstance(getattr(video, RECEIVER_DECODER_QUEUE), queue.Queue)
        PassthroughReceiver(video, "video", on_frame=lambda frame: None)
        PassthroughReceiver(audio, "audio", on_frame=lambda frame: None)
        assert isinstance(getattr(video, RECEIVER_JITTER_BUFFER), MarkerJitterBuffer)
    finally:
        await pc.close()


def test_packets_reach_the_jitter_buffer_and_frames_the_decoder_queue() -> None:
    handle = source(RTCRtpReceiver._handle_rtp_packet)
    assert "packet._data = depayload(codec, packet.payload)" in handle
    assert "pli_flag, encoded_frame = self.__jitter_buffer.add(packet)" in handle
    assert "encoded_frame.timestamp = self.__timestamp_mapper.map(" in handle
    assert "self.__decoder_queue.put((codec, encoded_frame))" in handle
    assert "if encoded_frame is not None and self.__decoder_thread:" in handle


def test_the_decoder_thread_reads_the_queue_given_when_receiving_starts() -> None:
    receive = source(RTCRtpReceiver.receive)
    assert "target=decoder_worker" in receive and "self.__decoder_queue," in receive
    worker = source(receiver_module.decoder_worker)
    assert "task = input_q.get()" in worker and "if task is None:" in worker
    stop = source(RTCRtpReceiver._RTCRtpReceiver__stop_decoder)  # type: ignore[attr-defined]
    assert "self.__decoder_queue.put(None)" in stop
    assert "self.__stop_decoder()" in source(RTCRtpReceiver._handle_rtcp_packet)  # on BYE
    assert "self.__stop_decoder()" in source(RTCRtpReceiver._handle_disconnect)


def test_a_receiver_sends_a_pli_for_a_media_ssrc() -> None:
    send_pli = getattr(RTCRtpReceiver, RECEIVER_SEND_PLI)
    assert inspect.iscoroutinefunction(send_pli)
    assert parameters(send_pli) == ["self", "media_ssrc"]


def test_the_receive_path_asks_for_key_frames_and_retransmissions_through_these_methods() -> None:
    """The hub replaces them on its receivers: aiortc's own key-frame flag must reach the bound."""
    handle = source(RTCRtpReceiver._handle_rtp_packet)
    assert "await self._send_rtcp_pli(packet.ssrc)" in handle
    assert "await self._send_rtcp_nack(" in handle
    assert "fci=pack_remb_fci(*remb)" in handle and "await self._send_rtcp(rtcp_packet)" in handle
    assert parameters(getattr(RTCRtpReceiver, RECEIVER_SEND_NACK)) == ["self", "media_ssrc", "lost"]
    assert parameters(getattr(RTCRtpReceiver, RECEIVER_SEND_RTCP)) == ["self", "packet"]
    assert "self._send_rtcp_pli(" not in source(RTCRtpReceiver._run_rtcp)


async def test_a_receiver_keeps_its_missing_packets_and_stream_statistics_here() -> None:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    video = pc.addTransceiver("video", direction="recvonly").receiver
    try:
        generator = getattr(video, RECEIVER_NACK_GENERATOR)
        assert isinstance(generator, receiver_module.NackGenerator)
        assert generator.missing == set()
        assert getattr(video, RECEIVER_REMOTE_STREAMS) == {}
        assert isinstance(receiver_module.StreamStatistics.packets_lost, property)
    finally:
        await pc.close()


def test_the_jitter_buffer_moves_its_origin_on_overflow_and_reset_through_these_methods() -> None:
    add = source(JitterBuffer.add)
    assert "self.remove(self.capacity)" in add and "if self.smart_remove(excess):" in add


def test_the_jitter_buffer_assembles_frames_in_remove_frame() -> None:
    add = source(JitterBuffer.add)
    assert "return pli_flag, self._remove_frame(packet.sequence_number)" in add
    assert parameters(JitterBuffer._remove_frame) == ["self", "sequence_number"]
    assert parameters(JitterBuffer.remove) == ["self", "count"]
    assert parameters(JitterBuffer.__init__) == ["self", "capacity", "prefetch", "is_video"]
    assert parameters(JitterFrame.__init__) == ["self", "data", "timestamp"]
    buffer = JitterBuffer(capacity=16)
    for name in ("_origin", "_packets", "_capacity", "_is_video"):
        assert hasattr(buffer, name), name


def test_a_sender_packs_pre_encoded_packets_and_flags_key_frames_in_one_method() -> None:
    assert "payloads, timestamp = self.__encoder.pack(data)" in source(
        RTCRtpSender._next_encoded_frame
    )
    assert "self._send_keyframe()" in source(RTCRtpSender._handle_rtcp_packet)
    assert parameters(getattr(RTCRtpSender, SENDER_SEND_KEYFRAME)) == ["self"]
    assert parameters(Encoder.pack) == ["self", "packet"]


async def test_a_sender_answers_a_pli_through_the_routed_callback() -> None:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    sender = pc.addTransceiver("video", direction="sendonly").sender
    requests: list[str] = []
    route_keyframe_requests(sender, lambda: requests.append("key frame"))
    try:
        sender._send_keyframe()
        assert requests == ["key frame"]
    finally:
        await pc.close()


def test_the_encoders_pack_an_av_packet_by_its_pts_and_time_base() -> None:
    for encoder, rate, data in (
        (Vp8Encoder(), 90000, b"\x10\x02\x00\x9d\x01\x2a"),
        (H264Encoder(), 90000, b"\x00\x00\x00\x01\x65\x88\x80"),
        (OpusEncoder(), 48000, b"\xfc\xff\xfe"),
    ):
        packet = av.Packet(data)
        packet.pts, packet.time_base = 3000, fractions.Fraction(1, rate)
        payloads, timestamp = encoder.pack(packet)
        assert timestamp == 3000
        assert payloads and all(isinstance(payload, bytes) for payload in payloads)
