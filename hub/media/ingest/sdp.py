"""Checks an SDP offer before any peer connection exists, so a refusal changes nothing; picks
the hub's DTLS role in the answer.

aiortc's own parser is lenient and only fails deep inside `setRemoteDescription`; the WHIP and
WHEP endpoints must answer 400 for an unusable offer (RFC 9725 §4.2) without touching the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hub.media.errors import OfferError, UnsupportedCodec

Purpose = Literal["publish", "view"]
VIDEO_CODECS = ("H264", "VP8")
AUDIO_CODECS = ("OPUS",)
DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
SETUP_ROLES = ("actpass", "passive", "active")
# Which directions of the remote side let the hub receive (publish) or send (view).
USABLE = {"publish": ("sendonly", "sendrecv"), "view": ("recvonly", "sendrecv")}


@dataclass(frozen=True, slots=True)
class MediaSection:
    """One m= section: its kind, the offerer's direction and codec names in its preference order."""

    kind: str
    direction: str
    codecs: tuple[str, ...]
    port: int


@dataclass(frozen=True, slots=True)
class Offer:
    """The parts of an offer the hub decides on."""

    sdp: str
    sections: tuple[MediaSection, ...]
    dtls_setups: frozenset[str] = frozenset()  # every a=setup value of the offer

    def section(self, kind: str) -> MediaSection | None:
        """The first usable section of this kind, if any."""
        return next((s for s in self.sections if s.kind == kind), None)

    def video_codecs(self) -> tuple[str, ...]:
        """The video codecs the hub relays, in the offerer's order of preference."""
        video = self.section("video")
        if video is None:
            return ()
        return tuple(dict.fromkeys(c for c in video.codecs if c in VIDEO_CODECS))


def parse_offer(sdp: str, purpose: Purpose) -> Offer:
    """Returns the offer's usable audio and video sections, or raises `OfferError`."""
    lines = [line.strip() for line in sdp.replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines or lines[0] != "v=0":
        raise OfferError("the body is not an SDP session description (no v=0 line)")
    blocks = _media_blocks(lines)
    if not blocks:
        raise OfferError("the offer has no media sections")
    session = lines[: lines.index(blocks[0][0])]
    _check_is_offer(lines)
    _check_transport(session, blocks)
    sections = tuple(
        s for s in (_section(block, session) for block in blocks) if s.kind in ("audio", "video")
    )
    usable = tuple(s for s in sections if s.port != 0 and s.direction in USABLE[purpose])
    if not usable:
        verb = "send" if purpose == "publish" else "receive"
        raise OfferError(f"the offer has no audio or video section to {verb}")
    _check_codecs(usable)
    setups = frozenset(line[len("a=setup:") :] for line in lines if line.startswith("a=setup:"))
    return Offer(sdp=sdp, sections=usable, dtls_setups=setups)


def answer_as_dtls_server(answer_sdp: str, offer: Offer) -> str:
    """The answer with the hub as DTLS server (a=setup:passive) where the offer leaves the choice.

    RFC 5763 §5 lets the answerer to an actpass offer be either side. As the server the hub picks
    the cipher suite for its own ECDSA certificate and takes any client certificate; as the client
    aiortc offers only ECDHE-ECDSA suites, which a peer with an RSA certificate cannot serve
    (GStreamer's webrtcbin: "no shared cipher"). aiortc answers actpass as the client
    (a=setup:active) and takes its role from the answer given to `setLocalDescription`. An offer
    that asks for a role (FFmpeg's WHIP muxer offers passive) keeps the answer aiortc made.
    """
    if offer.dtls_setups != {"actpass"}:
        return answer_sdp
    lines = answer_sdp.split("\r\n")
    return "\r\n".join("a=setup:passive" if line == "a=setup:active" else line for line in lines)


def _media_blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = []
    for line in lines:
        if line.startswith("m="):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    return blocks


def _check_is_offer(lines: list[str]) -> None:
    # JSEP (RFC 9429 §5.2.1) has offers carry a=setup:actpass, but FFmpeg's WHIP muxer (the
    # encoder of many OB trucks) offers a=setup:passive and takes the DTLS server's part; aiortc
    # answers it as the client. Only a role that cannot set up DTLS at all is refused.
    for line in lines:
        if line.startswith("a=setup:") and line[len("a=setup:") :] not in SETUP_ROLES:
            raise OfferError(f"the offer's DTLS role is not one the hub can answer ({line})")


def _check_transport(session: list[str], blocks: list[list[str]]) -> None:
    for name in ("a=ice-ufrag:", "a=ice-pwd:", "a=fingerprint:"):
        if not any(line.startswith(name) for line in session) and not all(
            any(line.startswith(name) for line in block) for block in blocks
        ):
            raise OfferError(f"the offer has no {name[2:-1]} attribute")


def _section(block: list[str], session: list[str]) -> MediaSection:
    fields = block[0][2:].split()
    if len(fields) < 4:
        raise OfferError(f"malformed media line: {block[0]}")
    kind, port_text = fields[0], fields[1]
    try:
        port = int(port_text.split("/")[0])
    except ValueError:
        raise OfferError(f"malformed media line: {block[0]}") from None
    names: dict[str, str] = {}
    for line in block:
        if line.startswith("a=rtpmap:"):
            payload_type, _, encoding = line[len("a=rtpmap:") :].partition(" ")
            names[payload_type] = encoding.split("/")[0].upper()
    codecs = tuple(names[pt] for pt in fields[3:] if pt in names)
    direction = _direction(block) or _direction(session) or "sendrecv"
    return MediaSection(kind=kind, direction=direction, codecs=codecs, port=port)


def _direction(lines: list[str]) -> str | None:
    return next((line[2:] for line in lines if line[2:] in DIRECTIONS), None)


def _check_codecs(sections: tuple[MediaSection, ...]) -> None:
    for section in sections:
        wanted = VIDEO_CODECS if section.kind == "video" else AUDIO_CODECS
        if not any(codec in wanted for codec in section.codecs):
            offered = ", ".join(dict.fromkeys(section.codecs)) or "none"
            raise UnsupportedCodec(
                f"the {section.kind} section offers {offered}; the hub takes {', '.join(wanted)}"
            )
