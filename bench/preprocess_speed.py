"""Milliseconds per mnistify call (decode, ink map, framing, plain resize) for canvas-sized
PNG drawings, and per mnist_style call on arrays as training augmentation uses it.

    python -m bench.preprocess_speed [--repeat 200]

Wall-clock time on a shared machine is noisy; CPU time of this process is printed beside it.
"""

import argparse
import io
import sys
import time

import numpy as np
from PIL import Image
from PIL import ImageDraw

from preprocess import mnist_style
from preprocess import mnistify

STROKES = [[(0.2, 0.25), (0.35, 0.1), (0.65, 0.1), (0.8, 0.3), (0.2, 0.9), (0.85, 0.9)]]  # a "2"


def canvas(size: int, style: str) -> Image.Image:
    """A digit drawn as the app's canvas sends it: an 18 px pen at 280 px, scaled with size."""
    pen = round(18 * size / 280)
    paper = (0, 0, 0, 0) if style == "transparent" else (255, 255, 255, 255)
    image = Image.new("RGBA", (size, size), paper)
    draw = ImageDraw.Draw(image)
    for line in STROKES:
        points = [(x * size, y * size) for x, y in line]
        draw.line(points, fill=(0, 0, 0, 255), width=pen, joint="curve")
    return image


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def measure(call, repeat: int) -> tuple:
    """(wall ms, CPU ms) per call, after one warm-up call."""
    call()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        call()
    return ((time.perf_counter() - wall) / repeat * 1e3, (time.process_time() - cpu) / repeat * 1e3)


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200, help="calls per measurement")
    args = parser.parse_args(argv)
    print(f"{'what':<44} {'wall ms':>8} {'cpu ms':>8}")
    for size in (280, 560):
        for style in ("opaque white", "transparent"):
            data = png(canvas(size, style))
            wall, cpu = measure(lambda data=data: mnistify(data), args.repeat)
            print(f"{f'mnistify {size}x{size} PNG, {style}':<44} {wall:>8.2f} {cpu:>8.2f}")
    for size in (28, 280, 560):
        ink = np.asarray(canvas(size, "transparent").getchannel("A"), dtype=np.float32) / 255.0
        wall, cpu = measure(lambda ink=ink: mnist_style(ink), args.repeat)
        print(f"{f'mnist_style on a {size}x{size} array':<44} {wall:>8.2f} {cpu:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
