"""A WHEP viewer in Python that takes the frames as they arrive, undecoded, into a `Feed`.

Tests and benches use it to check what the hub forwards byte for byte, and to read the frame
counter back (decoding is theirs to do). A PLI to the hub goes out when `feed` wants a key frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urljoin

import httpx
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc import RTCSessionDescription as Description

from hub.media.engine import codec_preferences
from hub.media.ingest.passthrough import PassthroughReceiver
from hub.media.relay.frames import Feed, Kind


class WhepViewer:
    """Plays one WHEP resource; received frames are published on `self.feed`."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        video_codecs: Sequence[str] = ("H264", "VP8"),
        audio: bool = True,
        ice_servers: Sequence[RTCIceServer] = (),
    ) -> None:
        self.url, self.token = url, token
        self.video_codecs, self.audio = list(video_codecs), audio
        self.feed = Feed(url, on_keyframe_wanted=self.request_keyframe)
        self.session_url: str | None = None
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=list(ice_servers)))
        self._receivers: list[PassthroughReceiver] = []

    async def start(self) -> None:
        """Sends the offer and applies the answer; raises `httpx.HTTPStatusError` if refused."""
        kinds: tuple[Kind, ...] = ("video", "audio") if self.audio else ("video",)
        for kind in kinds:
            transceiver = self.pc.addTransceiver(kind, direction="recvonly")
            if kind == "video":
                preferences = []
                for codec in (c for n in self.video_codecs for c in codec_preferences(kind, n)):
                    if codec not in preferences:
                        preferences.append(codec)
                transceiver.setCodecPreferences(preferences)
            receiver = PassthroughReceiver(transceiver.receiver, kind, self.feed.publish)
            self._receivers.append(receiver)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        async with httpx.AsyncClient(timeout=10.0) as http:
            response = await http.post(
                self.url,
                content=self.pc.localDescription.sdp,
                headers={"Content-Type": "application/sdp", **self._auth()},
            )
        response.raise_for_status()
        self.session_url = urljoin(self.url, response.headers["location"])
        await self.pc.setRemoteDescription(Description(sdp=response.text, type="answer"))

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request_keyframe(self) -> None:
        for receiver in self._receivers:
            receiver.request_keyframe()

    async def stop(self, delete: bool = True) -> None:
        """Ends the session (DELETE unless told not to) and closes the connection."""
        if delete and self.session_url is not None:
            async with httpx.AsyncClient(timeout=10.0) as http:
                await http.delete(self.session_url, headers=self._auth())
        for receiver in self._receivers:
            receiver.close()
        await self.pc.close()
        self.feed.close()
