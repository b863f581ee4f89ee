"""Cut a recording killed mid-write back to its last whole fragment.

A fragmented MP4 is a run of top-level boxes (ISO/IEC 14496-12 §4.2) and a Matroska/WebM file a
Segment of top-level elements (RFC 9559 §4, EBML RFC 8794): each says its own size, so a last
box or cluster that runs past the end of the file is the one the kill tore. The muxers write a
fragment's `moof` and `mdat` one after the other; a `moof` whose `mdat` is torn goes too.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
MATROSKA_SEGMENT = 0x18538067


def trim_torn_tail(path: Path) -> int:
    """Truncates an incomplete last box or element; returns the number of bytes removed."""
    with path.open("r+b") as file:
        size = file.seek(0, 2)
        file.seek(0)
        whole = _matroska_end(file, size) if file.read(4) == EBML_MAGIC else _mp4_end(file, size)
        if whole == 0:
            return 0  # not even a whole header: nothing is playable, keep the bytes as found
        if whole < size:
            file.truncate(whole)
    return size - whole


def _mp4_end(file: BinaryIO, size: int) -> int:
    position = whole = 0
    while position + 8 <= size:
        file.seek(position)
        box_size, box_type = struct.unpack(">I4s", file.read(8))
        header = 8
        if box_size == 1:
            (box_size,) = struct.unpack(">Q", file.read(8))
            header = 16
        elif box_size == 0:  # "extends to the end of the file": nothing to cut
            return size
        if box_size < header or position + box_size > size:
            break
        position += box_size
        if box_type != b"moof":
            whole = position
    return whole


def _matroska_end(file: BinaryIO, size: int) -> int:
    file.seek(0)
    try:
        _, header_size = _element(file)
        file.seek(header_size or 0, 1)
        segment_id, _ = _element(file)
    except EOFError:
        return 0
    if segment_id != MATROSKA_SEGMENT or header_size is None:
        return size  # not a layout we know how to walk: leave it as it is
    whole = position = file.tell()
    while position < size:
        file.seek(position)
        try:
            _, element_size = _element(file)
        except EOFError:
            break
        if element_size is None:
            return size  # an element of unknown size runs to the end: cannot tell
        end = file.tell() + element_size
        if end > size:
            break
        whole = position = end
    return whole


def _element(file: BinaryIO) -> tuple[int, int | None]:
    """Reads an EBML element header: its id and its data size (None when "unknown")."""
    element_id, _ = _vint(file, keep_marker=True)
    value, length = _vint(file, keep_marker=False)
    unknown = value == (1 << (7 * length)) - 1
    return element_id, None if unknown else value


def _vint(file: BinaryIO, *, keep_marker: bool) -> tuple[int, int]:
    first = file.read(1)
    if not first or first[0] == 0:
        raise EOFError("no EBML variable-length integer here")
    length = 9 - first[0].bit_length()
    rest = file.read(length - 1)
    if len(rest) < length - 1:
        raise EOFError("EBML variable-length integer cut short")
    value = first[0] if keep_marker else first[0] & (0xFF >> length)
    for byte in rest:
        value = (value << 8) | byte
    return value, length
