"""Bitmap glyphs for on-screen text, without a font library (no Pillow or FreeType here, and
FFmpeg's drawtext is not in the PyAV build).

A built-in 5×7 font covers ASCII (lower case drawn as upper case). A GNU Unifont `.hex` file
(Debian package `unifont`), when the machine has one, gives every character of the Basic
Multilingual Plane, Chinese included, as 8×16 or 16×16 bitmaps; the slate uses it when it covers
the text, and falls back to ASCII otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

UNIFONT_PATHS = (Path("/usr/share/unifont/unifont.hex"),)


@dataclass(frozen=True, slots=True)
class Glyph:
    width: int
    rows: tuple[int, ...]  # one bit mask per row, most significant bit on the left

    @property
    def height(self) -> int:
        return len(self.rows)

    def lit(self, row: int, column: int) -> bool:
        return bool(self.rows[row] >> (self.width - 1 - column) & 1)


def _five_by_seven(table: Mapping[str, str]) -> Mapping[str, Glyph]:
    """Glyphs from seven hex digit pairs per character (five bits used per row)."""
    return MappingProxyType({c: Glyph(5, tuple(bytes.fromhex(rows))) for c, rows in table.items()})


BUILTIN = _five_by_seven(
    {
        " ": "00000000000000",
        "0": "0e11131519110e",
        "1": "040c040404040e",
        "2": "0e11010204081f",
        "3": "1f02040201110e",
        "4": "02060a121f0202",
        "5": "1f101e0101110e",
        "6": "0608101e11110e",
        "7": "1f010204080808",
        "8": "0e11110e11110e",
        "9": "0e11110f01020c",
        "A": "0e11111f111111",
        "B": "1e11111e11111e",
        "C": "0e11101010110e",
        "D": "1c12111111121c",
        "E": "1f10101e10101f",
        "F": "1f10101e101010",
        "G": "0e11101711110f",
        "H": "1111111f111111",
        "I": "0e04040404040e",
        "J": "0702020202120c",
        "K": "11121418141211",
        "L": "1010101010101f",
        "M": "111b1515111111",
        "N": "11111915131111",
        "O": "0e11111111110e",
        "P": "1e11111e101010",
        "Q": "0e11111115120d",
        "R": "1e11111e141211",
        "S": "0f10100e01011e",
        "T": "1f040404040404",
        "U": "1111111111110e",
        "V": "11111111110a04",
        "W": "1111111515150a",
        "X": "11110a040a1111",
        "Y": "11110a04040404",
        "Z": "1f01020408101f",
        ":": "000c0c000c0c00",
        "-": "0000001f000000",
        ".": "00000000000c0c",
        ",": "000000000c0408",
        "/": "00010204081000",
        "(": "02040808080402",
        ")": "08040202020408",
        "!": "04040404040004",
        "?": "0e110102040004",
        "+": "0004041f040400",
        "_": "0000000000001f",
        "#": "0a0a1f0a1f0a0a",
        "&": "0c12140815120d",
        "'": "04040800000000",
    }
)


class GlyphSet:
    """The glyphs one piece of text can be drawn with."""

    def __init__(self, glyphs: Mapping[str, Glyph]) -> None:
        self._glyphs = glyphs

    def get(self, char: str) -> Glyph | None:
        return self._glyphs.get(char) or self._glyphs.get(char.upper())

    def covers(self, text: str) -> bool:
        return all(self.get(c) is not None for c in text)

    @property
    def height(self) -> int:
        return max((g.height for g in self._glyphs.values()), default=7)


def builtin_glyphs() -> GlyphSet:
    return GlyphSet(BUILTIN)


def unifont_glyphs(chars: Iterable[str], path: Path | None = None) -> GlyphSet | None:
    """The Unifont glyphs of `chars` from a `.hex` file ("XXXX:bitmap" lines), if one exists."""
    candidates = [path] if path is not None else list(UNIFONT_PATHS)
    found = next((p for p in candidates if p.is_file()), None)
    if found is None:
        return None
    wanted = {f"{ord(c):04X}" for c in set(chars)}
    glyphs: dict[str, Glyph] = {}
    with found.open(encoding="ascii", errors="replace") as lines:
        for line in lines:
            code, _, bitmap = line.strip().partition(":")
            if code in wanted and len(bitmap) in (32, 64):
                width = len(bitmap) // 4  # 32 hex digits: 8×16; 64: 16×16
                step = width // 4
                rows = tuple(int(bitmap[i : i + step], 16) for i in range(0, len(bitmap), step))
                glyphs[chr(int(code, 16))] = Glyph(width, rows)
    return GlyphSet(MappingProxyType(glyphs))
