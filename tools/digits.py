"""Digits drawn the way the canvas draws them (280x280, dark round strokes 1/16 of the side on
white), for the tests and the benchmarks (both use this module and never import each other).
Paths are in fractions of the side, one list per stroke; the shipped models read these three as
the digits they are."""

import base64
import io
import math

from PIL import Image
from PIL import ImageDraw

SIDE = 280
PEN = SIDE / 16

STROKES = {
    "1": [[(0.52, 0.15 + i * 0.035) for i in range(21)]],
    "7": [[(0.25 + i * 0.025, 0.2) for i in range(21)] + [(0.75 - i * 0.0175, 0.2 + i * 0.0325) for i in range(1, 21)]],
    "0": [
        [(0.5 + 0.22 * math.sin(t / 40 * 2 * math.pi), 0.5 - 0.33 * math.cos(t / 40 * 2 * math.pi)) for t in range(42)]
    ],
}


def png(strokes: list, size: int = SIDE, mode: str = "RGB") -> bytes:
    """The strokes as a PNG, like the canvas's export."""
    image = Image.new(mode, (size, size), "white")
    draw = ImageDraw.Draw(image)
    width = round(PEN * size / SIDE)
    for stroke in strokes:
        points = [(x * size, y * size) for x, y in stroke]
        draw.line(points, fill="black", width=width, joint="curve")
        for x, y in (points[0], points[-1]):
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def digit_png(digit: str | int) -> bytes:
    """The drawing of 0, 1 or 7 (a string or a number)."""
    return png(STROKES[str(digit)])


def data_url(png_bytes: bytes) -> str:
    """A PNG as the canvas's form field sends it."""
    return "data:image/png;base64," + base64.b64encode(png_bytes).decode("ascii")
