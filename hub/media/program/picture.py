"""Fitting a source's decoded picture into the output frame: scaled to fit, shape kept, black bars
around it (a phone held upright sends a tall picture into a wide output); and a picture made from
its planes' bytes (the slate, the test patterns)."""

from __future__ import annotations

import av

BLACK_LUMA = 16
NEUTRAL_CHROMA = 128


def fit(picture: av.VideoFrame, width: int, height: int) -> av.VideoFrame:
    """The picture as a `width`×`height` YUV 4:2:0 frame."""
    if (picture.width, picture.height) == (width, height):
        if picture.format.name == "yuv420p":
            return picture
        return picture.reformat(format="yuv420p")
    scale = min(width / picture.width, height / picture.height)
    inner_width = min(width, round(picture.width * scale / 2) * 2)
    inner_height = min(height, round(picture.height * scale / 2) * 2)
    if width - inner_width <= 2 and height - inner_height <= 2:  # same shape: no bars
        return picture.reformat(width, height, "yuv420p")
    inner = picture.reformat(inner_width, inner_height, "yuv420p")
    return _centre(inner, width, height)


def _centre(inner: av.VideoFrame, width: int, height: int) -> av.VideoFrame:
    frame = av.VideoFrame(width, height, "yuv420p")
    left, top = (width - inner.width) // 2 // 2 * 2, (height - inner.height) // 2 // 2 * 2
    for index, (fill, shift) in enumerate(
        ((BLACK_LUMA, 0), (NEUTRAL_CHROMA, 1), (NEUTRAL_CHROMA, 1))
    ):
        target, source = frame.planes[index], inner.planes[index]
        canvas = bytearray([fill]) * (target.line_size * (height >> shift))
        pixels = bytes(source)
        row_width = inner.width >> shift
        x = left >> shift
        for row in range(inner.height >> shift):
            start = (row + (top >> shift)) * target.line_size + x
            begin = row * source.line_size
            canvas[start : start + row_width] = pixels[begin : begin + row_width]
        target.update(bytes(canvas))
    return frame


def yuv420_frame(width: int, height: int, luma: bytes, u: bytes, v: bytes) -> av.VideoFrame:
    """A `width`×`height` YUV 4:2:0 frame from its three planes' pixels, row after row."""
    frame = av.VideoFrame(width, height, "yuv420p")
    widths = (width, width // 2, width // 2)
    for plane, data, row in zip(frame.planes, (luma, u, v), widths, strict=True):
        plane.update(_padded(data, row, plane.line_size))
    return frame


def _padded(data: bytes, width: int, stride: int) -> bytes:
    """Rows of `width` pixels, each padded to `stride` bytes (FFmpeg pads lines for alignment)."""
    if stride == width:
        return data
    padding = bytes(stride - width)
    return b"".join(data[i : i + width] + padding for i in range(0, len(data), width))
