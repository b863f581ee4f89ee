"""Is a reassembled frame whole? Only whole frames are forwarded; only whole key frames end a wait.

The jitter buffer releases the packets from its origin to a marker bit. That is a whole frame when
the origin is a frame's first packet: after a frame that ended on a marker, or after a gap given up
on at a marker (`MarkerJitterBuffer` says so in `at_boundary`). When aiortc's own overflow or
reset moved the origin, it can sit in the middle of a frame, and the packets up to the next marker
are a frame's tail: for H.264 the later slices of an IDR, which look like a key frame once the
hub puts the parameter sets before them. Such a frame is whole only if the codec says it begins:

- VP8: the first packet's payload descriptor starts partition 0 (S=1, PID=0, RFC 7741 §4.2); a
  key frame also holds all of its first partition (its size is in the frame tag, RFC 6386 §9.1);
- H.264: the access unit begins with a whole NAL unit (not the rest of a fragmentation unit,
  RFC 6184 §5.8) and its first slice starts at macroblock 0 (H.264 §7.4.3); an IDR access unit
  holds only IDR slices, the first at macroblock 0, and SPS and PPS once the hub has put the
  remembered ones before it (`h264_has_parameter_sets`).
"""

from __future__ import annotations

from hub.media.codec.bitstream import NAL_IDR, NAL_PPS, NAL_SPS, BitReader, nal_units, unescape_rbsp

START_CODE = b"\x00\x00\x00\x01"
NAL_SLICE = 1


def vp8_payload_starts_frame(payload: bytes) -> bool:
    """The RTP payload descriptor's S bit set and partition index 0."""
    return bool(payload) and payload[0] & 0x10 != 0 and payload[0] & 0x07 == 0


def vp8_whole(frame: bytes, keyframe: bool) -> bool:
    """A key frame is 10 header bytes and its first partition, at least."""
    if not keyframe:
        return bool(frame)
    first_partition = (int.from_bytes(frame[:3], "little") >> 5) & 0x7FFFF
    return len(frame) >= 10 + first_partition


def first_macroblock(nal: bytes) -> int | None:
    """A slice's first_mb_in_slice, or None when its header cannot be read."""
    try:
        return BitReader(unescape_rbsp(nal[1:16])).ue()
    except (ValueError, IndexError):
        return None


def h264_whole(access_unit: bytes, at_boundary: bool) -> bool:
    """Whether an Annex-B access unit can be decoded on its own terms (see the module docstring)."""
    if not access_unit.startswith(START_CODE) and not access_unit.startswith(START_CODE[1:]):
        return False
    types = []
    first_slice: bytes | None = None
    for nal in nal_units(access_unit):
        if not nal:
            return False
        nal_type = nal[0] & 0x1F
        types.append(nal_type)
        if nal_type in (NAL_SLICE, NAL_IDR) and first_slice is None:
            first_slice = nal
    if first_slice is None:
        return at_boundary  # parameter sets or SEI alone
    if not at_boundary and first_macroblock(first_slice) != 0:
        return False
    if NAL_IDR in types:
        return NAL_SLICE not in types and first_macroblock(first_slice) == 0
    return True


def h264_has_parameter_sets(access_unit: bytes) -> bool:
    """An IDR a new viewer can start from carries SPS and PPS (the hub adds remembered ones)."""
    types = {nal[0] & 0x1F for nal in nal_units(access_unit) if nal}
    return NAL_SPS in types and NAL_PPS in types


def whole_frame(codec: str, data: bytes, first_payload: bytes, at_boundary: bool) -> bool:
    """Whether a depayloaded frame begins where a frame begins (codec names as aiortc spells them).

    Key frames are checked further once their kind is known: `vp8_whole`, `h264_has_parameter_sets`.
    """
    if codec == "VP8":
        return at_boundary or vp8_payload_starts_frame(first_payload)
    if codec == "H264":
        return h264_whole(data, at_boundary)
    return True
