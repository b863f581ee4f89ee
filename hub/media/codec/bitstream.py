"""What the hub reads from an encoded video frame: is it a key frame, and at what size.

The relay never decodes; it only looks at frame headers. VP8: the frame tag and the key frame
start code (RFC 6386 §9.1). H.264: NAL unit types in an Annex-B access unit, and the width and
height in the sequence parameter set (ITU-T H.264 §7.3.2.1.1).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

VP8_START_CODE = b"\x9d\x01\x2a"
NAL_IDR = 5
NAL_SPS = 7
NAL_PPS = 8
# Profiles whose SPS carries chroma format, bit depths and scaling lists (H.264 §7.3.2.1.1).
HIGH_PROFILES = frozenset({100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135})


@dataclass(frozen=True, slots=True)
class FrameInfo:
    """A video frame's key frame flag and, for key frames that carry it, the picture size."""

    keyframe: bool
    width: int = 0
    height: int = 0


def vp8_frame_info(frame: bytes) -> FrameInfo:
    """Reads the VP8 frame tag: bit 0 is 0 on key frames, which then carry their size."""
    if len(frame) < 10 or frame[0] & 0x01 or frame[3:6] != VP8_START_CODE:
        return FrameInfo(keyframe=False)
    width = int.from_bytes(frame[6:8], "little") & 0x3FFF
    height = int.from_bytes(frame[8:10], "little") & 0x3FFF
    return FrameInfo(keyframe=True, width=width, height=height)


def nal_units(access_unit: bytes) -> Iterator[bytes]:
    """Splits an Annex-B access unit on its 3- and 4-byte start codes."""
    start = access_unit.find(b"\x00\x00\x01")
    while start != -1:
        start += 3
        end = access_unit.find(b"\x00\x00\x01", start)
        if end == -1:
            yield access_unit[start:]
            return
        yield access_unit[start : end - 1 if access_unit[end - 1] == 0 else end]
        start = end


def h264_frame_info(access_unit: bytes) -> FrameInfo:
    """A frame is a key frame when it holds an IDR slice; its SPS, if present, gives the size."""
    keyframe = False
    width = height = 0
    for nal in nal_units(access_unit):
        if not nal:
            continue
        nal_type = nal[0] & 0x1F
        if nal_type == NAL_IDR:
            keyframe = True
        elif nal_type == NAL_SPS and not width:
            try:
                width, height = h264_sps_size(nal)
            except ValueError:
                width = height = 0
    return FrameInfo(keyframe=keyframe, width=width, height=height)


def frame_info(codec: str, data: bytes) -> FrameInfo:
    """Dispatches on the codec name as aiortc spells it ("VP8", "H264")."""
    if codec == "VP8":
        return vp8_frame_info(data)
    if codec == "H264":
        return h264_frame_info(data)
    return FrameInfo(keyframe=True)


class BitReader:
    """Reads bits and Exp-Golomb codes (H.264 §9.1) from an RBSP."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def bit(self) -> int:
        byte = self._pos >> 3
        if byte >= len(self._data):
            raise ValueError("SPS is truncated")
        value = (self._data[byte] >> (7 - (self._pos & 7))) & 1
        self._pos += 1
        return value

    def bits(self, count: int) -> int:
        value = 0
        for _ in range(count):
            value = (value << 1) | self.bit()
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bit() == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("Exp-Golomb code is too long")
        return (1 << zeros) - 1 + self.bits(zeros)

    def se(self) -> int:
        code = self.ue()
        return (code + 1) // 2 if code & 1 else -(code // 2)


def unescape_rbsp(nal: bytes) -> bytes:
    """Removes emulation prevention bytes: 00 00 03 → 00 00 (H.264 §7.4.1)."""
    return nal.replace(b"\x00\x00\x03", b"\x00\x00")


def _skip_scaling_list(reader: BitReader, size: int) -> None:
    last = following = 8
    for _ in range(size):
        if following:
            following = (last + reader.se() + 256) % 256
        last = following or last


def h264_sps_size(sps: bytes) -> tuple[int, int]:
    """Width and height in pixels from a sequence parameter set NAL unit (header included)."""
    reader = BitReader(unescape_rbsp(sps[1:]))
    profile_idc = reader.bits(8)
    reader.bits(16)  # constraint flags, level_idc
    reader.ue()  # seq_parameter_set_id
    chroma_format_idc = 1
    separate_colour_plane = 0
    if profile_idc in HIGH_PROFILES:
        chroma_format_idc = reader.ue()
        if chroma_format_idc == 3:
            separate_colour_plane = reader.bit()
        reader.ue()  # bit_depth_luma_minus8
        reader.ue()  # bit_depth_chroma_minus8
        reader.bit()  # qpprime_y_zero_transform_bypass_flag
        if reader.bit():  # seq_scaling_matrix_present_flag
            for index in range(8 if chroma_format_idc != 3 else 12):
                if reader.bit():
                    _skip_scaling_list(reader, 16 if index < 6 else 64)
    reader.ue()  # log2_max_frame_num_minus4
    pic_order_cnt_type = reader.ue()
    if pic_order_cnt_type == 0:
        reader.ue()  # log2_max_pic_order_cnt_lsb_minus4
    elif pic_order_cnt_type == 1:
        reader.bit()  # delta_pic_order_always_zero_flag
        reader.se()  # offset_for_non_ref_pic
        reader.se()  # offset_for_top_to_bottom_field
        for _ in range(reader.ue()):
            reader.se()
    reader.ue()  # max_num_ref_frames
    reader.bit()  # gaps_in_frame_num_value_allowed_flag
    width_in_mbs = reader.ue() + 1
    height_in_map_units = reader.ue() + 1
    frame_mbs_only = reader.bit()
    if not frame_mbs_only:
        reader.bit()  # mb_adaptive_frame_field_flag
    reader.bit()  # direct_8x8_inference_flag
    crop = (0, 0, 0, 0)
    if reader.bit():  # frame_cropping_flag
        crop = (reader.ue(), reader.ue(), reader.ue(), reader.ue())
    # Crop units depend on chroma subsampling (H.264 §7.4.2.1.1, table 6-1).
    chroma_array_type = 0 if separate_colour_plane else chroma_format_idc
    sub_width, sub_height = {1: (2, 2), 2: (2, 1), 3: (1, 1)}.get(chroma_array_type, (1, 1))
    if chroma_array_type == 0:
        sub_width = sub_height = 1
    unit_x = sub_width
    unit_y = sub_height * (2 - frame_mbs_only)
    width = width_in_mbs * 16 - unit_x * (crop[0] + crop[1])
    height = (2 - frame_mbs_only) * height_in_map_units * 16 - unit_y * (crop[2] + crop[3])
    return width, height


def h264_parameter_sets(access_unit: bytes) -> tuple[bytes | None, bytes | None]:
    """The SPS and PPS NAL units an access unit carries, if any."""
    sps = pps = None
    for nal in nal_units(access_unit):
        if nal and nal[0] & 0x1F == NAL_SPS:
            sps = nal
        elif nal and nal[0] & 0x1F == NAL_PPS:
            pps = nal
    return sps, pps


def parameter_sets(access_unit: bytes) -> bytes:
    """The SPS and PPS of a key frame as Annex-B bytes (the muxers' H.264 extradata), or b""."""
    sets = [nal for nal in nal_units(access_unit) if nal and nal[0] & 0x1F in (NAL_SPS, NAL_PPS)]
    return b"".join(b"\x00\x00\x00\x01" + nal for nal in sets)
