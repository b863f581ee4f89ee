"""Offer checks made before any peer connection exists."""

from __future__ import annotations

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from hub.media.engine import choose_video_codec, set_answer
from hub.media.errors import OfferError, UnsupportedCodec
from hub.media.ingest.sdp import parse_offer


async def make_offer(direction: str, kinds: tuple[str, ...] = ("audio", "video")) -> str:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    for kind in kinds:
        pc.addTransceiver(kind, direction=direction)
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return sdp


async def test_a_publisher_offer_sends_audio_and_video() -> None:
    offer = parse_offer(await make_offer("sendonly"), "publish")
    assert [(s.kind, s.direction) for s in offer.sections] == [
        ("audio", "sendonly"),
        ("video", "sendonly"),
    ]
    assert offer.video_codecs() == ("VP8", "H264")


async def test_a_viewer_offer_must_receive() -> None:
    assert parse_offer(await make_offer("recvonly"), "view").section("video") is not None
    with pytest.raises(OfferError, match="no audio or video section to receive"):
        parse_offer(await make_offer("sendonly"), "view")


async def test_a_publisher_offer_must_send() -> None:
    with pytest.raises(OfferError, match="no audio or video section to send"):
        parse_offer(await make_offer("recvonly"), "publish")


async def test_an_offer_may_name_its_dtls_role_but_not_hold_the_connection() -> None:
    offer = await make_offer("sendonly")
    passive = offer.replace("a=setup:actpass", "a=setup:passive")  # as FFmpeg's WHIP muxer
    assert parse_offer(passive, "publish").section("video") is not None
    with pytest.raises(OfferError, match="DTLS role"):
        parse_offer(offer.replace("a=setup:actpass", "a=setup:holdconn"), "publish")


@pytest.mark.parametrize(
    ("offered", "answered", "hub_role"),
    [
        ("actpass", "passive", "server"),  # JSEP offerers: browsers, aiortc, GStreamer
        ("passive", "active", "client"),  # FFmpeg's WHIP muxer
        ("active", "passive", "server"),
    ],
)
async def test_the_hub_is_the_dtls_server_unless_the_offer_wants_that_part(
    offered: str, answered: str, hub_role: str
) -> None:
    offer = parse_offer(
        (await make_offer("sendonly")).replace("a=setup:actpass", f"a=setup:{offered}"), "publish"
    )
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer.sdp, type="offer"))
        await set_answer(pc, offer)
        setups = {line for line in pc.localDescription.sdp.splitlines() if "a=setup:" in line}
        assert setups == {f"a=setup:{answered}"}
        # aiortc takes its DTLS role from the answer it was given, not the one it made.
        assert {t.receiver.transport._role for t in pc.getTransceivers()} == {hub_role}
    finally:
        await pc.close()


async def test_an_offer_without_media_or_transport_is_refused() -> None:
    sdp = await make_offer("sendonly")
    with pytest.raises(OfferError, match="no media sections"):
        parse_offer(sdp.split("m=")[0], "publish")
    without_ice = "\r\n".join(line for line in sdp.splitlines() if "ice-pwd" not in line)
    with pytest.raises(OfferError, match="ice-pwd"):
        parse_offer(without_ice, "publish")


@pytest.mark.parametrize("text", ["", "hello", "v=1\r\n", "\x00" * 10])
def test_not_sdp_at_all(text: str) -> None:
    with pytest.raises(OfferError):
        parse_offer(text, "publish")


async def test_audio_without_opus_is_unsupported() -> None:
    lines = (await make_offer("sendonly", ("audio",))).splitlines()
    without_opus = "\r\n".join(line for line in lines if "opus" not in line)
    with pytest.raises(UnsupportedCodec, match="the hub takes OPUS"):
        parse_offer(without_opus, "publish")


@pytest.mark.parametrize(
    ("offered", "source", "chosen"),
    [
        (("VP8", "H264"), "VP8", "VP8"),  # the source's codec: no transcode
        (("VP8", "H264"), "H264", "H264"),
        (("VP8", "H264"), None, "H264"),  # not live yet: what phones publish
        (("VP8",), None, "VP8"),
        (("VP8",), "H264", "VP8"),  # this viewer needs a transcode
        ((), "H264", None),
    ],
)
def test_video_codec_for_a_viewer(
    offered: tuple[str, ...], source: str | None, chosen: str | None
) -> None:
    assert choose_video_codec(offered, source) == chosen
