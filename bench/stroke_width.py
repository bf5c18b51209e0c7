"""Does bringing strokes to MNIST's width help the network read drawings? An experiment.

MNIST test digits are redrawn as pen strokes (training.synthesis traces their skeletons) with
thin, medium and thick pens at random sizes and positions on a 280x280 canvas, then read by
a model after each preprocessing variant. Only test digits are used.

    python -m bench.stroke_width [--n 600] [--model book] [--seed 7]
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from nn.mnist import PROJECT_DATA
from nn.mnist import read_split
from nn.model_files import load_models
from preprocess.framing import MNIST_STROKE_RANGE
from preprocess.framing import frame
from preprocess.framing import plain_resize
from preprocess.ink import ink_map
from training.synthesis import CANVAS
from training.synthesis import colour
from training.synthesis import draw_pen
from training.synthesis import place
from training.synthesis import skeleton_strokes

ROOT = Path(__file__).resolve().parent.parent
PENS = {"thin 4-8": (4, 8), "medium 10-18": (10, 18), "thick 20-30": (20, 30)}
HEIGHTS = (50, 250)
VARIANTS = {
    "plain resize": "plain",
    "framed, strokes as drawn": None,
    "framed, strokes to MNIST range": MNIST_STROKE_RANGE,
    "framed, strokes to MNIST median": (MNIST_STROKE_RANGE[0] + MNIST_STROKE_RANGE[1]) / 2,
    "framed, widen thin only": (MNIST_STROKE_RANGE[0], float("inf")),
}


def redraw(digit: np.ndarray, pen_range: tuple, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit as a pen drawing: ink map (280, 280) of black ink on white paper."""
    points, segments = skeleton_strokes(digit)
    points -= points.min(axis=0)
    span = np.maximum(points.max(axis=0), 1.0)
    height = rng.uniform(*HEIGHTS)
    pen = min(rng.uniform(*pen_range), 0.3 * height)
    scale = min((height - pen) / span[1], (CANVAS - 4 - pen) / span[0])
    ink_w, ink_h = span[0] * scale + pen, span[1] * scale + pen
    x0, y0 = place(ink_w, ink_h, rng, CANVAS, 2)
    mask = draw_pen(points * scale + [x0 + pen / 2, y0 + pen / 2], segments, pen, CANVAS)
    return ink_map(colour(mask, "app", rng))


def variant_input(ink: np.ndarray, setting) -> np.ndarray:
    if setting == "plain":
        return plain_resize(ink)
    if isinstance(setting, float):
        setting = (setting, setting)
    return frame(ink, setting).mnist


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=600, help="digits per pen width")
    parser.add_argument("--model", default="book")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    images, labels = read_split(PROJECT_DATA, "test")
    network = load_models(ROOT / "models")[args.model].network
    rng = np.random.default_rng(args.seed)
    picks = rng.choice(len(images), args.n, replace=False)

    mnist = images.astype(np.float32) / 255.0
    print(f"model {args.model}; MNIST test set (10,000) as given vs reframed by mnist_style:")
    print(f"  as given {network.accuracy(mnist.reshape(-1, 784), labels) / len(labels):.4f}")
    for name, setting in VARIANTS.items():
        if setting == "plain":
            continue
        x = np.stack([variant_input(m, setting).reshape(784) for m in mnist])
        print(f"  {name:<34} {network.accuracy(x, labels) / len(labels):.4f}")

    print(f"\npen drawings of {args.n} random MNIST test digits per pen, height {HEIGHTS} px on {CANVAS} px:")
    header = f"{'variant':<34}" + "".join(f"{pen:>15}" for pen in PENS) + f"{'all':>9}"
    print(header)
    start = time.perf_counter()
    inks = {pen: [redraw(images[i], span, rng) for i in picks] for pen, span in PENS.items()}
    truth = labels[picks]
    source = network.accuracy(mnist[picks].reshape(-1, 784), truth) / len(truth)
    print(f"{'(the same digits as MNIST images)':<34}" + f"{source:>15.4f}" * len(PENS) + f"{source:>9.4f}")
    for name, setting in VARIANTS.items():
        scores = []
        for pen in PENS:
            x = np.stack([variant_input(ink, setting).reshape(784) for ink in inks[pen]])
            scores.append(network.accuracy(x, truth) / len(truth))
        print(f"{name:<34}" + "".join(f"{s:>15.4f}" for s in scores) + f"{np.mean(scores):>9.4f}")
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
