"""Drawings as the canvas sends them (280x280 PNG data URLs), for the classroom tests and bench."""

import base64
import io

from PIL import Image
from PIL import ImageDraw

# Strokes in 0..1 of the canvas that the shipped models read as these digits.
STROKES = {
    1: [[(0.5, 0.15), (0.5, 0.85)]],
    7: [[(0.25, 0.18), (0.75, 0.18), (0.42, 0.85)]],
    0: [[(0.5, 0.15), (0.72, 0.3), (0.72, 0.7), (0.5, 0.85), (0.28, 0.7), (0.28, 0.3), (0.5, 0.15)]],
}


def png(digit: int = 1, size: int = 280) -> bytes:
    image = Image.new("L", (size, size), 255)
    pen = ImageDraw.Draw(image)
    for stroke in STROKES[digit]:
        pen.line([(x * size, y * size) for x, y in stroke], fill=0, width=size // 16, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
