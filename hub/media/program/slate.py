"""The slate: a "stand by / 请稍候" card with the centre's name and a running clock, shown on an
output whose sources are all down (docs/design.md §3: an output never goes dark silently).

Drawn into YUV 4:2:0 planes with byte-slice assignment (no numpy in the build); the still part is
drawn once, and only the clock line is redrawn, once a second.
"""

from __future__ import annotations

from datetime import datetime

import av

from hub.media.program.glyphs import Glyph, GlyphSet, builtin_glyphs, unifont_glyphs
from hub.media.program.picture import yuv420_frame

STAND_BY_CHINESE = "请稍候"
STAND_BY = "STAND BY"
BACKGROUND = (36, 150, 116)  # Y, U, V: a dark slate blue
BAND = (58, 128, 128)  # the text band, neutral so white text stays white
TEXT = 235


class Slate:
    """Renders the stand-by card at the output's size."""

    def __init__(
        self,
        width: int,
        height: int,
        *,
        centre: str,
        centre_latin: str = "",
        glyphs: GlyphSet | None = None,
    ) -> None:
        self.width, self.height = width, height
        wanted = STAND_BY_CHINESE + STAND_BY + centre + "0123456789-: "
        self.glyphs = glyphs or unifont_glyphs(wanted) or builtin_glyphs()
        if not self.glyphs.covers(centre):  # e.g. Chinese without a CJK font: say it in ASCII
            centre = centre_latin if self.glyphs.covers(centre_latin) else ""
        title = STAND_BY
        if self.glyphs.covers(STAND_BY_CHINESE):
            title = f"{STAND_BY_CHINESE}  {STAND_BY}"
        self._band = (height * 3 // 10, height * 8 // 10)
        self._rows: dict[tuple[str, int], list[bytes]] = {}
        self._chroma = (self._chroma_plane(1), self._chroma_plane(2))
        self._still = self._background()
        self._clock_top = self._band[0] + height * 34 // 100
        self._line(self._still, title, self._band[0] + height * 4 // 100, height * 12 // 100)
        self._line(self._still, centre, self._band[0] + height * 20 // 100, height * 8 // 100)
        self._shown: tuple[str, av.VideoFrame] | None = None

    def picture(self, now: datetime) -> av.VideoFrame:
        """The card with `now` on its clock (the same frame object within a second)."""
        text = now.strftime("%Y-%m-%d %H:%M:%S")
        if self._shown is None or self._shown[0] != text:
            luma = bytearray(self._still)
            self._line(luma, text, self._clock_top, self.height * 7 // 100)
            self._shown = (text, self._frame(bytes(luma)))
        return self._shown[1]

    def _background(self) -> bytearray:
        top, bottom = self._band
        width = self.width
        return bytearray(
            bytes([BACKGROUND[0]]) * (width * top)
            + bytes([BAND[0]]) * (width * (bottom - top))
            + bytes([BACKGROUND[0]]) * (width * (self.height - bottom))
        )

    def _line(self, luma: bytearray, text: str, top: int, size: int) -> None:
        """Draws `text` centred, glyphs scaled to about `size` pixels high."""
        chars = [c for c in text if self.glyphs.get(c) is not None]
        if not chars:
            return
        advance = sum(self._glyph(c).width + 1 for c in chars)
        scale = max(1, min(size // self.glyphs.height, (self.width * 9 // 10) // advance))
        left = (self.width - advance * scale) // 2
        drawn = [self._scaled(c, scale) for c in chars]
        for row in range(self.glyphs.height):
            pixels = b"".join(rows[row] for rows in drawn)
            for dy in range(scale):
                start = (top + row * scale + dy) * self.width + left
                luma[start : start + len(pixels)] = pixels

    def _glyph(self, char: str) -> Glyph:
        glyph = self.glyphs.get(char)
        assert glyph is not None, "only characters with a glyph reach here"
        return glyph

    def _scaled(self, char: str, scale: int) -> list[bytes]:
        """The glyph's pixel rows at `scale`, with a column of spacing; kept for reuse."""
        rows = self._rows.get((char, scale))
        if rows is None:
            glyph = self._glyph(char)
            first = self.glyphs.height - glyph.height  # shorter glyphs sit on the baseline
            rows = []
            for row in range(self.glyphs.height):
                lit = [row >= first and glyph.lit(row - first, c) for c in range(glyph.width)]
                rows.append(b"".join(bytes([TEXT if x else BAND[0]]) * scale for x in (*lit, 0)))
            self._rows[(char, scale)] = rows
        return rows

    def _frame(self, luma: bytes) -> av.VideoFrame:
        return yuv420_frame(self.width, self.height, luma, *self._chroma)

    def _chroma_plane(self, index: int) -> bytes:
        width = self.width // 2
        top, bottom = (edge // 2 for edge in self._band)
        return (
            bytes([BACKGROUND[index]]) * (width * top)
            + bytes([BAND[index]]) * (width * (bottom - top))
            + bytes([BACKGROUND[index]]) * (width * (self.height // 2 - bottom))
        )
