"""WHIP/WHEP over HTTP (RFC 9725): status codes, headers, and no change on a refused request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aioice import stun
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection

from hub.demo_camera import EncodedPatternTrack
from hub.media.engine import MediaConfig
from hub.media.ingest.http import ice_server_links
from tests.media.conftest import FAST, Hub, bearer, running_hub

SDP = {"Content-Type": "application/sdp"}


async def offer(direction: str) -> str:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("video", direction=direction)
    pc.addTransceiver("audio", direction=direction)
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return sdp


async def offered(http: httpx.AsyncClient, url: str, direction: str, token: str) -> httpx.Response:
    """POSTs a new SDP offer to a WHIP or WHEP URL with `token`, as a client starting a session."""
    return await http.post(url, content=await offer(direction), headers={**SDP, **bearer(token)})


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


async def test_whip_answers_201_and_delete_ends_the_session(
    hub: Hub, http: httpx.AsyncClient
) -> None:
    response = await offered(http, hub.whip("cam1"), "sendonly", "pub-cam1")
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/sdp"
    assert response.text.startswith("v=0") and "a=candidate:" in response.text
    location = response.headers["location"]
    session = location.rsplit("/", 1)[1]
    assert location == f"/whip/cam1/{session}"
    assert response.headers["etag"] == f'"{session}"'
    assert "link" not in response.headers  # no ICE servers configured
    assert hub.engine.stats().publishers == 1

    deleted = await http.delete(hub.url + location, headers=bearer("pub-cam1"))
    assert deleted.status_code == 200
    assert hub.engine.stats().publishers == 0
    again = await http.delete(hub.url + location, headers=bearer("pub-cam1"))
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "no_session"


async def test_whep_answers_201_for_a_source_not_yet_live(
    hub: Hub, http: httpx.AsyncClient
) -> None:
    response = await offered(http, hub.whep("cam2"), "recvonly", "wall")
    assert response.status_code == 201
    assert response.headers["location"].startswith("/whep/cam2/")
    assert "a=sendonly" in response.text
    assert len(hub.engine.stats().viewers) == 1
    deleted = await http.delete(hub.url + response.headers["location"], headers=bearer("wall"))
    assert deleted.status_code == 200
    assert hub.engine.stats().viewers == ()


@pytest.mark.parametrize(
    ("path", "headers", "body", "status", "code"),
    [
        ("/whip/cam1", SDP, "GOOD", 401, "no_token"),
        ("/whip/cam1", {**SDP, "Authorization": "Basic abc"}, "GOOD", 401, "no_token"),
        ("/whip/cam1", {**SDP, **bearer("nope")}, "GOOD", 401, "bad_token"),
        ("/whip/cam2", {**SDP, **bearer("pub-cam1")}, "GOOD", 403, "forbidden"),
        ("/whip/nowhere", {**SDP, **bearer("pub-all")}, "GOOD", 404, "unknown_source"),
        (
            "/whip/cam1",
            {"Content-Type": "application/json", **bearer("pub-all")},
            "GOOD",
            415,
            "unsupported_media_type",
        ),
        ("/whip/cam1", {**SDP, **bearer("pub-all")}, "HUGE", 413, "offer_too_large"),
        ("/whip/cam1", {**SDP, **bearer("pub-all")}, "v=0\r\nnonsense", 400, "bad_offer"),
        ("/whip/cam1", {**SDP, **bearer("pub-all")}, "HOLDCONN", 400, "bad_offer"),
        ("/whip/cam1", {**SDP, **bearer("pub-all")}, "RECVONLY", 400, "bad_offer"),
        ("/whip/cam1", {**SDP, **bearer("pub-all")}, "NO_MEDIA", 400, "bad_offer"),
        ("/whep/cam1", {**SDP, **bearer("pub-all")}, "GOOD_VIEW", 401, "bad_token"),
        ("/whep/cam1", {**SDP, **bearer("wall")}, "GOOD", 400, "bad_offer"),
    ],
)
async def test_a_refused_request_changes_nothing(
    hub: Hub,
    http: httpx.AsyncClient,
    path: str,
    headers: dict[str, str],
    body: str,
    status: int,
    code: str,
) -> None:
    good = await offer("sendonly")
    bodies = {
        "GOOD": good,
        "GOOD_VIEW": await offer("recvonly"),
        "HUGE": good + "a=x-padding:" + "x" * 70_000 + "\r\n",
        "HOLDCONN": good.replace("a=setup:actpass", "a=setup:holdconn"),  # no DTLS to set up
        "RECVONLY": await offer("recvonly"),
        "NO_MEDIA": good.split("m=")[0],
    }
    before = hub.engine.stats()

    response = await http.post(hub.url + path, content=bodies.get(body, body), headers=headers)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert hub.engine.stats() == before


async def test_a_second_publisher_is_refused_while_the_first_is_live(
    hub: Hub, http: httpx.AsyncClient
) -> None:
    track = EncodedPatternTrack("VP8", 320, 240)
    first = await hub.publish("cam1", [track])
    await hub.facts.wait_for("live", "cam1")
    before = hub.engine.stats()

    response = await offered(http, hub.whip("cam1"), "sendonly", "pub-all")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "source_live"
    after = hub.engine.stats()
    assert after.publishers == before.publishers == 1
    assert after.sources[0].session == before.sources[0].session
    assert hub.facts.of("cam1", "live", "interrupted") == hub.facts.of("cam1", "live")
    await first.pc.close()


async def test_patch_and_other_methods_answer_405(hub: Hub, http: httpx.AsyncClient) -> None:
    patch = await http.patch(hub.whip("cam1") + "/abc", headers=bearer("pub-all"))
    assert patch.status_code == 405
    assert patch.json()["error"]["code"] == "no_trickle"
    assert "DELETE" in patch.headers["allow"]
    get = await http.get(hub.whip("cam1"))
    assert get.status_code == 405
    assert get.json()["error"]["code"] == "method_not_allowed"


async def test_cors_preflight(hub: Hub, http: httpx.AsyncClient) -> None:
    response = await http.options(
        hub.whip("cam1"),
        headers={"Origin": "https://phone.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "Authorization" in response.headers["access-control-allow-headers"]
    assert response.headers["accept-post"] == "application/sdp"


def test_ice_server_links_follow_rfc_9725() -> None:
    servers = (
        RTCIceServer("stun:stun.example.net"),
        RTCIceServer(["turn:turn.example.net?transport=udp"], username="u", credential="p"),
    )
    assert ice_server_links(servers) == [
        '<stun:stun.example.net>; rel="ice-server"',
        '<turn:turn.example.net?transport=udp>; rel="ice-server"; username="u"; '
        'credential="p"; credential-type="password"',
    ]


class StunResponder(asyncio.DatagramProtocol):
    """Answers STUN binding requests (RFC 5389 §7.3) with the sender's own address."""

    def connection_made(self, transport: Any) -> None:
        self.transport = transport  # a datagram transport: it has sendto()
        self.requests = 0

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        request = stun.parse_message(data)
        self.requests += 1
        response = stun.Message(
            message_method=stun.Method.BINDING,
            message_class=stun.Class.RESPONSE,
            transaction_id=request.transaction_id,
        )
        response.attributes["XOR-MAPPED-ADDRESS"] = addr
        self.transport.sendto(bytes(response), addr)


async def test_configured_ice_servers_are_used_and_announced(http: httpx.AsyncClient) -> None:
    loop = asyncio.get_running_loop()
    transport, responder = await loop.create_datagram_endpoint(
        StunResponder, local_addr=("192.0.2.2", 0)
    )
    port = transport.get_extra_info("sockname")[1]
    config = MediaConfig(
        ice_servers=(RTCIceServer(f"stun:192.0.2.2:{port}"),),
        media_timeout=FAST.media_timeout,
    )
    try:
        async with running_hub(config) as hub:
            response = await offered(http, hub.whip("cam1"), "sendonly", "pub-all")
            assert response.status_code == 201
            assert response.headers.get_list("link") == [
                f'<stun:192.0.2.2:{port}>; rel="ice-server"'
            ]
            assert responder.requests >= 1
    finally:
        transport.close()
