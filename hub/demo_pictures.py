"""Pictures for the demo newsroom's uploads: a plain landscape (sky, sun, hills, water), as PNG.

The demo's stories use captures like real ones do, so the review page has something to show;
the pictures are drawn here, pixel by pixel, so the demo needs no image library.
"""

from __future__ import annotations

import math
import struct
import zlib

WIDTH, HEIGHT = 480, 270


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    """An 8-bit RGB PNG from rows of width × 3 bytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(raw, 6)),
            _chunk(b"IEND", b""),
        )
    )


def landscape(seed: int) -> bytes:
    """A landscape that differs with `seed`: the sun's place, the hills' shape, the light."""
    sun_x, sun_y = WIDTH * (0.2 + 0.12 * (seed % 6)), HEIGHT * (0.18 + 0.04 * (seed % 3))
    phase, warmth = seed * 1.7, 0.5 + 0.1 * (seed % 5)
    horizon = int(HEIGHT * 0.62)
    rows = []
    for y in range(HEIGHT):
        row = bytearray()
        for x in range(WIDTH):
            hill = horizon - 28 * math.sin(x / 53 + phase) - 14 * math.sin(x / 17 + 2 * phase)
            if y < hill:  # sky, lighter towards the horizon, and the sun
                t = y / horizon
                r, g, b = 70 + 120 * t * warmth, 120 + 90 * t, 200 + 40 * t
                if math.hypot(x - sun_x, y - sun_y) < 18:
                    r, g, b = 255, 236, 170
            elif y < horizon + 40:  # fields
                shade = 0.75 + 0.25 * math.sin(x / 9 + y / 5)
                r, g, b = 60 * shade, 130 * shade, 60 * shade
            else:  # the river, with ripples
                ripple = 0.85 + 0.15 * math.sin(x / 6 + y * 1.3 + phase)
                r, g, b = 50 * ripple, 95 * ripple, 150 * ripple
            row += bytes((min(255, int(r)), min(255, int(g)), min(255, int(b))))
        rows.append(bytes(row))
    return png(WIDTH, HEIGHT, rows)
