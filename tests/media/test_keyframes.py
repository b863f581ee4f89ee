"""One key-frame policy per source: coalesced, 2 a second at most, backing off while unanswered."""

from __future__ import annotations

from aiortc import RTCConfiguration, RTCPeerConnection

from hub.media.ingest.keyframes import KeyframeSchedule
from hub.media.ingest.passthrough import RECEIVER_SEND_PLI, PassthroughReceiver
from hub.media.ingest.uplink import NackSchedule


def test_the_first_request_goes_at_once() -> None:
    schedule = KeyframeSchedule()
    assert schedule.ask(10.0) == 10.0


def test_requests_while_one_waits_join_it() -> None:
    schedule = KeyframeSchedule()
    schedule.ask(10.0)
    assert schedule.ask(10.0) is None
    assert schedule.ask(10.1) is None
    assert (schedule.counts.wanted, schedule.counts.requested) == (3, 0)


def test_answered_requests_go_at_most_twice_a_second() -> None:
    schedule = KeyframeSchedule(min_interval=0.5)
    schedule.ask(10.0)
    schedule.sent(10.0)
    schedule.arrived()
    assert schedule.ask(10.1) == 10.5


def test_unanswered_requests_back_off_until_a_key_frame_arrives() -> None:
    schedule = KeyframeSchedule(min_interval=0.5, max_backoff=4.0)
    now, sent_at = 0.0, []
    for _ in range(6):
        now = schedule.ask(now) or now
        schedule.sent(now)
        sent_at.append(now)
    assert sent_at == [0.0, 0.5, 1.5, 3.5, 7.5, 11.5]
    schedule.arrived()
    assert schedule.ask(11.6) == 12.0
    assert schedule.counts.received == 1


def test_a_request_with_nobody_to_ask_is_forgotten() -> None:
    schedule = KeyframeSchedule()
    schedule.ask(1.0)
    schedule.dropped()
    assert schedule.ask(1.0) == 1.0


async def test_aiortc_s_own_picture_loss_requests_go_through_the_policy() -> None:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    receiver = pc.addTransceiver("video", direction="recvonly").receiver
    passthrough = PassthroughReceiver(receiver, "video", on_frame=lambda frame: None)
    passthrough._buffer.ssrc = 1234  # as if a packet had arrived
    try:
        for _ in range(50):  # what aiortc's receive path does on every key-frame flag
            await getattr(receiver, RECEIVER_SEND_PLI)(1234)
        counts = passthrough.keyframes.counts
        assert (counts.wanted, counts.requested) == (50, 1)
    finally:
        passthrough.close()
        await pc.close()


def test_a_missing_packet_is_asked_for_again_while_the_buffer_waits_for_it() -> None:
    nacks = NackSchedule(interval=0.05, attempts=3)
    assert nacks.due(0.0, {10, 11}, oldest_awaited=10) == []  # aiortc asked just now
    assert nacks.due(0.06, {10, 11}, oldest_awaited=10) == [10, 11]
    assert nacks.due(0.08, {10, 11}, oldest_awaited=10) == []
    assert nacks.due(0.12, {11}, oldest_awaited=10) == [11]  # 10 arrived
    assert nacks.due(0.2, {11}, oldest_awaited=10) == []  # three attempts in all
    assert nacks.due(0.3, {11, 12}, oldest_awaited=13) == []  # the buffer gave up on them
