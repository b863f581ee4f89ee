"""A WHIP publisher or WHEP viewer on GStreamer's own WebRTC stack (`webrtcbin`, libnice, its
DTLS with an RSA certificate), as studio and OB-truck encoders built on GStreamer are.

Runs under Debian's Python (/usr/bin/python3, with python3-gi), not the project's venv:

    gstreamer_peer.py publish URL TOKEN VP8|H264 SECONDS   prints the video frames it sent
    gstreamer_peer.py view URL TOKEN VP8|H264 SECONDS      prints the video frames it decoded

Both offer (WHIP and WHEP alike), once ICE gathering is complete: the hub takes no trickle ICE.
Progress goes to stderr; exit status 0 means the connection came up, media ran for SECONDS and
the session was deleted; 1 means it never connected or failed.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from urllib.parse import urljoin

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

CONNECT_TIMEOUT_S = 15
SOURCE = "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=180,framerate=30/1"
ENCODERS = {
    "VP8": (
        "vp8enc name=encoder deadline=1 keyframe-max-dist=30 ! rtpvp8pay pt=96 ! "
        "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000"
    ),
    "H264": (
        "x264enc name=encoder tune=zerolatency speed-preset=ultrafast key-int-max=30 ! "
        "video/x-h264,profile=constrained-baseline ! "
        "rtph264pay pt=102 config-interval=-1 aggregate-mode=zero-latency ! "
        "application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000,"
        "packetization-mode=(string)1"
    ),
}
RECEIVE_CAPS = {
    "VP8": "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000",
    "H264": (
        "application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000,"
        "packetization-mode=(string)1,profile-level-id=(string)42e01f"
    ),
}
DECODERS = {"VP8": "rtpvp8depay ! vp8dec", "H264": "rtph264depay ! avdec_h264"}


def say(*words: object) -> None:
    print("gstreamer_peer:", *words, file=sys.stderr, flush=True)


class Peer:
    """One webrtcbin, its WHIP/WHEP session and the frames counted on its video path."""

    def __init__(self, mode: str, url: str, token: str, codec: str, seconds: float) -> None:
        self.url, self.token, self.codec, self.seconds = url, token, codec, seconds
        self.frames, self.connected, self.ok = 0, False, False
        self.session_url: str | None = None
        self.loop = GLib.MainLoop()
        if mode == "publish":
            self.pipeline = Gst.parse_launch(
                f"{SOURCE} ! videoconvert ! queue ! {ENCODERS[codec]} ! webrtcbin name=pc"
            )
        else:
            self.pipeline = Gst.Pipeline.new()
            self.pipeline.add(Gst.ElementFactory.make("webrtcbin", "pc"))
        self.pc = self.pipeline.get_by_name("pc")
        self.pc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
        self.pc.connect("notify::ice-gathering-state", self.on_gathering)
        self.pc.connect("notify::connection-state", self.on_connection)
        self.pc.connect("notify::ice-connection-state", self.on_ice)
        if mode == "publish":
            count_on = self.pipeline.get_by_name("encoder").get_static_pad("src")
            count_on.add_probe(Gst.PadProbeType.BUFFER, self.count)
        else:
            direction = GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY
            self.pc.emit("add-transceiver", direction, Gst.Caps.from_string(RECEIVE_CAPS[codec]))
            self.pc.connect("pad-added", self.on_pad)
        self.pipeline.get_bus().add_signal_watch()
        self.pipeline.get_bus().connect("message::error", self.on_error)

    def run(self) -> bool:
        self.pipeline.set_state(Gst.State.PLAYING)
        GLib.timeout_add(100, self.create_offer)
        GLib.timeout_add_seconds(CONNECT_TIMEOUT_S, self.connect_timeout)
        self.loop.run()
        self.pipeline.set_state(Gst.State.NULL)
        return self.ok

    # Signalling: a complete offer, one POST, the answer.

    def create_offer(self) -> bool:
        promise = Gst.Promise.new_with_change_func(self.on_offer, None)
        self.pc.emit("create-offer", None, promise)
        return False

    def on_offer(self, promise: Gst.Promise, _data: object) -> None:
        reply = promise.get_reply()
        offer = reply.get_value("offer") if reply is not None else None
        if offer is None or "m=" not in offer.sdp.as_text():
            # The first reply can be empty while the encoder's pads are still being linked.
            say("empty offer, asking again")
            GLib.timeout_add(100, self.create_offer)
            return
        self.pc.emit("set-local-description", offer, Gst.Promise.new())

    def on_gathering(self, pc: Gst.Element, _param: object) -> None:
        if pc.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            GLib.idle_add(self.post_offer)

    def post_offer(self) -> bool:
        offer = self.pc.get_property("local-description").sdp.as_text()
        say("offer:", " | ".join(line for line in offer.splitlines() if self.worth_showing(line)))
        request = urllib.request.Request(
            self.url, data=offer.encode(), method="POST", headers=self.headers("application/sdp")
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer, location = response.read().decode(), response.headers["Location"]
        except urllib.error.HTTPError as exc:
            return self.fail(f"POST {self.url} answered {exc.code}: {exc.read().decode()}")
        except OSError as exc:
            return self.fail(f"POST {self.url} failed: {exc}")
        self.session_url = urljoin(self.url, location)
        say("answer:", " | ".join(line for line in answer.splitlines() if self.worth_showing(line)))
        _, message = GstSdp.SDPMessage.new_from_text(answer)
        description = GstWebRTC.WebRTCSessionDescription.new(
            GstWebRTC.WebRTCSDPType.ANSWER, message
        )
        self.pc.emit("set-remote-description", description, Gst.Promise.new())
        return False

    @staticmethod
    def worth_showing(line: str) -> bool:
        return line.startswith(("m=", "a=rtpmap:", "a=fmtp:", "a=setup:", "a=fingerprint:sha-256"))

    def headers(self, content_type: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if content_type is not None:
            headers["Content-Type"] = content_type
        return headers

    # Connection and media.

    def on_ice(self, pc: Gst.Element, _param: object) -> None:
        say("ICE", pc.get_property("ice-connection-state").value_nick)

    def on_connection(self, pc: Gst.Element, _param: object) -> None:
        state = pc.get_property("connection-state")
        say("connection", state.value_nick)
        if state == GstWebRTC.WebRTCPeerConnectionState.CONNECTED and not self.connected:
            self.connected = True
            GLib.timeout_add(int(self.seconds * 1000), self.finish)
        elif state == GstWebRTC.WebRTCPeerConnectionState.FAILED:
            GLib.idle_add(self.fail, "the connection failed (ICE or DTLS)")

    def on_pad(self, _pc: Gst.Element, pad: Gst.Pad) -> None:
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        decode = Gst.parse_bin_from_description(
            f"queue ! {DECODERS[self.codec]} ! fakesink name=sink sync=false", True
        )
        self.pipeline.add(decode)
        decode.sync_state_with_parent()
        sink = decode.get_by_name("sink").get_static_pad("sink")
        sink.add_probe(Gst.PadProbeType.BUFFER, self.count)
        linked = pad.link(decode.get_static_pad("sink"))
        say("receiving", pad.get_current_caps().to_string(), "link", linked.value_nick)

    def count(self, _pad: Gst.Pad, _info: object) -> Gst.PadProbeReturn:
        self.frames += 1
        return Gst.PadProbeReturn.OK

    def on_error(self, _bus: Gst.Bus, message: Gst.Message) -> None:
        error, debug = message.parse_error()
        self.fail(f"pipeline error: {error.message} ({debug})")

    def connect_timeout(self) -> bool:
        if not self.connected:
            self.fail(f"not connected after {CONNECT_TIMEOUT_S} s")
        return False

    def finish(self) -> bool:
        self.ok = True
        self.delete_session()
        self.loop.quit()
        return False

    def fail(self, reason: str) -> bool:
        say(reason)
        self.delete_session()
        self.loop.quit()
        return False

    def delete_session(self) -> None:
        if self.session_url is None:
            return
        request = urllib.request.Request(self.session_url, method="DELETE", headers=self.headers())
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except OSError as exc:
            say(f"DELETE {self.session_url} failed: {exc}")
        self.session_url = None


def main(argv: list[str]) -> int:
    mode, url, token, codec, seconds = argv[1], argv[2], argv[3], argv[4], float(argv[5])
    Gst.init(None)
    peer = Peer(mode, url, token, codec, seconds)
    ok = peer.run()
    print(json.dumps({"frames": peer.frames, "connected": ok}), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
