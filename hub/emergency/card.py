"""The emergency card: what an output shows while an alert is on air, set in a real CJK font.

Pillow with FreeType draws it (Debian's fonts-noto-cjk, or any font `HUB_CARD_FONT` names), so
Chinese headlines are shaped and anti-aliased rather than bitmap glyphs. Without a CJK font the
card still goes out, with the Latin words only, and `font_missing` says so for the wall.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import av
from PIL import Image, ImageDraw, ImageFont

from hub.emergency.cap import CHINA

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Bold.ttc",
)
RED = (170, 16, 24)
BAND = (255, 255, 255)
TITLE = "应急广播  EMERGENCY"


def cjk_font_path() -> Path | None:
    """The font the card is set in: HUB_CARD_FONT, else the first Noto CJK found."""
    wanted = os.environ.get("HUB_CARD_FONT")
    for candidate in (wanted, *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@dataclass(frozen=True, slots=True)
class CardText:
    headline: str
    area: str
    expires: datetime


def wrap(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> list[str]:
    """Breaks Chinese (no spaces) and Latin text into lines no wider than `width` pixels."""
    lines: list[str] = []
    current = ""
    for char in text:
        if char == "\n" or draw.textlength(current + char, font=font) > width:
            lines.append(current)
            current = "" if char in "\n " else char
        else:
            current += char
    if current:
        lines.append(current)
    return lines


def render_card(text: CardText, width: int, height: int) -> tuple[Image.Image, bool]:
    """The card as an RGB picture, and whether a CJK font was found."""
    font_path = cjk_font_path()
    image = Image.new("RGB", (width, height), RED)
    draw = ImageDraw.Draw(image)

    def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        if font_path is None:
            return ImageFont.load_default(size)
        return ImageFont.truetype(str(font_path), size)

    margin = width // 20
    band = height // 7
    draw.rectangle((0, 0, width, band), fill=BAND)
    title = TITLE if font_path else "EMERGENCY ALERT"
    title_font = font(band * 6 // 10)
    draw.text((margin, band // 2), title, font=title_font, fill=RED, anchor="lm")

    headline_font = font(height // 9)
    y = band + height // 14
    for line in wrap(draw, text.headline, headline_font, width - 2 * margin)[:3]:
        draw.text((margin, y), line, font=headline_font, fill=BAND)
        y += height // 8
    small = font(height // 18)
    area = f"范围：{text.area}" if font_path else text.area
    for line in wrap(draw, area, small, width - 2 * margin)[:2]:
        draw.text((margin, y + height // 40), line, font=small, fill=BAND)
        y += height // 14
    until = text.expires.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    footer = f"有效至 {until}" if font_path else f"until {until}"
    draw.text((margin, height - height // 12), footer, font=small, fill=BAND, anchor="lm")
    return image, font_path is not None


def card_frame(text: CardText, width: int, height: int) -> tuple[av.VideoFrame, bool]:
    """The card as a YUV 4:2:0 frame at the output's size, and whether its font had CJK."""
    image, has_cjk = render_card(text, width, height)
    frame = av.VideoFrame.from_image(image).reformat(format="yuv420p")  # type: ignore[no-untyped-call]
    return frame, has_cjk
