"""The slate card, its glyphs, and fitting a source's picture into the output frame."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import av

from hub.media.program.glyphs import builtin_glyphs, unifont_glyphs
from hub.media.program.picture import fit
from hub.media.program.slate import TEXT, Slate

NOON = datetime(2026, 11, 23, 12, 0, 0)


def lit_pixels(frame: av.VideoFrame, top: int, bottom: int) -> int:
    plane = frame.planes[0]
    luma = bytes(plane)
    return sum(
        1
        for y in range(top, bottom)
        for x in range(frame.width)
        if luma[y * plane.line_size + x] == TEXT
    )


def test_the_builtin_font_covers_ascii_only() -> None:
    glyphs = builtin_glyphs()

    assert glyphs.covers("STAND BY 2026-11-23 12:00:00")
    assert glyphs.covers("stand by")  # drawn in capitals
    assert not glyphs.covers("请稍候")


def test_without_a_cjk_font_the_slate_falls_back_to_ascii(tmp_path: Path) -> None:
    slate = Slate(
        640,
        360,
        centre="某县融媒体中心",
        centre_latin="County Media Centre",
        glyphs=builtin_glyphs(),
    )
    frame = slate.picture(NOON)

    assert (frame.width, frame.height, frame.format.name) == (640, 360, "yuv420p")
    assert lit_pixels(frame, 108, 180) > 500, "STAND BY and the centre's name are drawn"


def test_a_unifont_file_gives_the_chinese_title(tmp_path: Path) -> None:
    # Unifont's .hex format: code point, colon, 64 hex digits for a 16x16 glyph (here: boxes).
    box = "FFFF" + "8001" * 14 + "FFFF"
    lines = [f"{ord(c):04X}:{box}" for c in "请稍候某县"]
    lines += [f"{ord(c):04X}:{'FF' + '81' * 14 + 'FF'}" for c in "STAND BY0123456789-: "]
    font = tmp_path / "unifont.hex"
    font.write_text("\n".join(lines) + "\n")

    glyphs = unifont_glyphs("请稍候STAND BY某县", font)
    assert glyphs is not None and glyphs.covers("请稍候") and glyphs.get("请") is not None
    chinese = Slate(640, 360, centre="某县", glyphs=glyphs)
    ascii_only = Slate(640, 360, centre="某县", glyphs=builtin_glyphs())
    title_band = (108, 160)
    assert lit_pixels(chinese.picture(NOON), *title_band) != lit_pixels(
        ascii_only.picture(NOON), *title_band
    )


def test_no_unifont_file_means_no_unifont_glyphs(tmp_path: Path) -> None:
    assert unifont_glyphs("请", tmp_path / "missing.hex") is None


def test_the_clock_runs_and_is_drawn_once_a_second() -> None:
    slate = Slate(320, 180, centre="Test County")

    first = slate.picture(NOON)
    assert slate.picture(NOON.replace(microsecond=500_000)) is first
    later = slate.picture(NOON.replace(second=1))
    assert later is not first
    assert bytes(later.planes[0]) != bytes(first.planes[0])


def test_a_picture_of_the_output_size_passes_through() -> None:
    picture = av.VideoFrame(320, 180, "yuv420p")

    assert fit(picture, 320, 180) is picture


def test_a_picture_of_the_same_shape_is_scaled() -> None:
    fitted = fit(av.VideoFrame(640, 360, "yuv420p"), 320, 180)

    assert (fitted.width, fitted.height, fitted.format.name) == (320, 180, "yuv420p")


def test_a_tall_picture_gets_bars_at_the_sides() -> None:
    tall = av.VideoFrame(90, 160, "yuv420p")
    for plane, value in zip(tall.planes, (200, 128, 128), strict=True):
        plane.update(bytes([value]) * plane.buffer_size)

    fitted = fit(tall, 320, 180)

    luma, stride = bytes(fitted.planes[0]), fitted.planes[0].line_size
    row = luma[90 * stride : 90 * stride + 320]
    assert row[:100] == bytes([16]) * 100 and row[-100:] == bytes([16]) * 100
    assert set(row[120:200]) == {200}
