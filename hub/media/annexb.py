"""H.264 Annex-B access units: split into NAL units, find the parameter sets (ITU-T H.264 B.1)."""

from __future__ import annotations

START_CODE = b"\x00\x00\x00\x01"
NAL_SPS = 7
NAL_PPS = 8


def nal_units(access_unit: bytes) -> list[bytes]:
    """Returns the NAL units of an Annex-B access unit, without their start codes."""
    units: list[bytes] = []
    start = _next_start(access_unit, 0)
    while start is not None:
        begin = start + 3
        after = _next_start(access_unit, begin)
        end = len(access_unit) if after is None else after
        # A four-byte start code leaves its leading zero at the end of the previous unit.
        unit = access_unit[begin:end].rstrip(b"\x00") if after is not None else access_unit[begin:]
        if unit:
            units.append(unit)
        start = after
    return units


def _next_start(data: bytes, offset: int) -> int | None:
    found = data.find(b"\x00\x00\x01", offset)
    return None if found < 0 else found


def nal_type(unit: bytes) -> int:
    return unit[0] & 0x1F


def parameter_sets(access_unit: bytes) -> bytes:
    """The SPS and PPS of a key frame as Annex-B bytes (the muxers' H.264 extradata), or b""."""
    sets = [u for u in nal_units(access_unit) if nal_type(u) in (NAL_SPS, NAL_PPS)]
    return b"".join(START_CODE + u for u in sets)
