"""A source's uplink figures: freezes, the received bitrate, and when the uplink is too narrow."""

from __future__ import annotations

from aiortc.rtp import RTCP_PSFB_APP, RtcpPsfbPacket, pack_remb_fci

from hub.media.ingest.uplink import UplinkCounts


def frames(counts: UplinkCounts, start: float, seconds: float, size: int, fps: int = 30) -> float:
    now = start
    for n in range(int(seconds * fps)):
        now = start + n / fps
        counts.forwarded(now, size)
    return now


def test_gaps_over_200_ms_are_freezes() -> None:
    counts = UplinkCounts()
    for now in (0.0, 0.033, 0.3, 0.333, 1.5):
        counts.forwarded(now)
    assert counts.freezes == 2
    assert round(counts.longest_freeze, 3) == 1.167
    assert counts.frozen(2.6) and not counts.frozen(2.4)


def test_a_new_session_s_first_frame_is_not_a_freeze() -> None:
    counts = UplinkCounts()
    counts.forwarded(0.0)
    counts.restart()
    counts.forwarded(10.0)
    assert counts.freezes == 0


def test_the_estimate_is_read_from_the_remb_the_hub_sends() -> None:
    counts = UplinkCounts()
    remb = RtcpPsfbPacket(fmt=RTCP_PSFB_APP, ssrc=1, media_ssrc=0, fci=pack_remb_fci(750_000, [2]))
    counts.saw_rtcp(remb, 0.0)
    assert 740_000 < counts.estimate <= 750_000


def test_an_estimate_well_under_the_source_s_best_bitrate_for_5_s_is_too_narrow() -> None:
    counts = UplinkCounts()
    now = frames(counts, 0.0, 4.0, size=6250)  # 1.5 Mbit/s
    assert 1_400_000 < counts.best_bitrate < 1_600_000
    counts.estimate = 1_000_000
    now = frames(counts, now, 4.0, size=4000)
    assert not counts.narrow(now), "not for long enough yet"
    now = frames(counts, now, 4.0, size=4000)
    assert counts.narrow(now)
    counts.estimate = 1_400_000
    now = frames(counts, now, 2.5, size=5500)
    assert not counts.narrow(now)
