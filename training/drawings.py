"""`python -m training drawings`: sets of canvas-like drawings (training.synthesis) written to disk.

    python -m training drawings training --out data/drawings/train-120k.npz --count 120000 --seed 1 \
        --data-dir data/mnist
    python -m training drawings fixtures --out tests/fixtures/drawings

`training`: MNIST *training* digits redrawn with a pen, with wider settings than the benchmark's
(bench/drawings.py, which draws only *test* digits: the two share no source digit), and put
through the app's own preprocessing, so that the network learns from exactly what the app hands
it: `python -m training train --extra-data FILE` reads the file; `models/default` learned from the first
command above (its card says so). `fixtures`: the pen drawings the web tests post.
"""

import argparse
import io
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from pathlib import Path

import numpy as np
from PIL import Image

from nn.mnist import PROJECT_DATA
from nn.mnist import DataError
from nn.mnist import read_split
from nn.model_files import load_models
from nn.paths import MODELS_DIR
from preprocess import mnistify
from training.paths import from_root
from training.synthesis import colour
from training.synthesis import pen_drawing
from training.synthesis import pick_style

# Training drawings vary the tracing beyond the benchmark's settings, so that a network learns
# pen drawings in general rather than this generator's habits: (low, high) of uniform draws.
TRAINING_VARIETY = {"heights": (40, 260), "pens": (4, 30), "threshold": (80, 150), "rounds": (2, 9)}
CHUNK = 500  # drawings per job; the digits travel with each job, so workers never read the data files


def training_drawing(digit: np.ndarray, seed: int, index: int) -> np.ndarray | None:
    """One MNIST *training* digit redrawn like the benchmark's pen drawings and put through the
    app's own preprocessing: the 28x28 uint8 the network would read, or None if it came out blank."""
    rng = np.random.default_rng([seed, 3, index])
    style = pick_style(rng)
    v = TRAINING_VARIETY
    trace = (int(rng.integers(*v["threshold"])), int(rng.integers(*v["rounds"])))
    mask, _ = pen_drawing(digit, rng, style, heights=v["heights"], pens=v["pens"], trace=trace)
    png = io.BytesIO()
    colour(mask, style, rng).save(png, "PNG", compress_level=1)
    steps = mnistify(png.getvalue())
    return None if steps.blank else np.round(steps.mnist * 255).astype(np.uint8)


def _training_chunk(job: tuple) -> list:
    digits, seed, first = job
    return [training_drawing(digit, seed, first + k) for k, digit in enumerate(digits)]


def training_command(out: Path, count: int, seed: int, data_dir: Path) -> str:
    """The command that writes this file, paths from the project root: the file records it."""
    return (
        f"python -m training drawings training --out {from_root(out)} --count {count} --seed {seed} "
        f"--data-dir {from_root(data_dir)}"
    )


def write_training_drawings(out: Path, count: int, seed: int, data_dir: Path, workers: int = 2, log=print) -> None:
    """out (.npz): x (N, 28, 28) uint8 and t (N,) labels of `count` drawings made from the MNIST
    training set (every digit once before any twice), for `python -m training train --extra-data`. The
    arrays are a function of seed and count; blanks (digits too faint to trace) are left out."""
    start = time.perf_counter()
    images, labels = read_split(data_dir, "train")
    order = np.random.default_rng(seed).permutation(len(labels))
    sources = order[np.arange(count) % len(order)]
    jobs = [(images[sources[i : i + CHUNK]], seed, i) for i in range(0, count, CHUNK)]
    drawn = []
    with ProcessPoolExecutor(max_workers=workers) if workers > 1 else nullcontext() as pool:
        chunks = pool.map(_training_chunk, jobs) if pool else map(_training_chunk, jobs)
        for k, chunk in enumerate(chunks):
            drawn += chunk
            log(f"  {min((k + 1) * CHUNK, count)}/{count} drawings, {time.perf_counter() - start:.0f} s")
    keep = np.array([x is not None for x in drawn], dtype=bool)
    x = np.stack([x for x in drawn if x is not None])
    out.parent.mkdir(parents=True, exist_ok=True)
    about = (
        f"{len(x)} MNIST training digits redrawn with a pen and framed by the app's preprocessing: "
        + training_command(out, count, seed, data_dir)
    )
    np.savez_compressed(out, x=x, t=labels[sources][keep].astype(np.uint8), source=sources[keep], about=about)
    log(f"wrote {out}: {len(x)} drawings ({count - len(x)} blank left out), {time.perf_counter() - start:.0f} s")


def write_fixtures(folder: Path, seed: int = 20240, models_dir: Path = MODELS_DIR) -> None:
    """Two small app-style pen drawings per digit, plus labels.json, for web tests to post. The
    sources are test digits the book's network reads surely in MNIST form, so that a test that
    fails on them points at the drawing path, not at an ambiguous scrawl."""
    images, labels = read_split(PROJECT_DATA, "test")
    sure = load_models(models_dir)["book"].network.predict(images.reshape(-1, 784) / 255.0)
    clear = (sure.argmax(axis=1) == labels) & (sure.max(axis=1) > 0.9)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    entries = []
    for digit in range(10):
        for k, source in enumerate(rng.choice(np.flatnonzero(clear & (labels == digit)), 2, replace=False)):
            item_rng = np.random.default_rng([seed, digit, k])
            style = "app" if k == 0 else "rgba"
            mask, facts = pen_drawing(images[int(source)], item_rng, "app", heights=(100, 230))
            if style == "rgba":  # the app's canvas without a white fill: transparent black + black ink
                image = Image.new("RGBA", mask.size, (0, 0, 0, 0))
                image.putalpha(mask)
            else:
                image = colour(mask, "app", item_rng)
            name = f"{digit}_{k}.png"
            image.save(folder / name, optimize=True)
            entries.append({"file": name, "label": digit, "style": style, "mnist_test_index": int(source), **facts})
    note = (
        "Pen-stroke drawings traced from MNIST test digits by python -m training drawings fixtures: "
        "280x280 RGBA, the app's 18 px black pen; style 'app' on opaque white, 'rgba' on transparent."
    )
    (folder / "labels.json").write_text(
        json.dumps({"about": note, "items": entries}, indent=1) + "\n", encoding="utf-8"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.ArgumentDefaultsHelpFormatter
    kinds = parser.add_subparsers(dest="kind", required=True)
    training = kinds.add_parser(
        "training",
        help="MNIST training digits drawn with a pen and put through the app's preprocessing (.npz)",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    training.add_argument(
        "--out", type=Path, required=True, metavar="FILE.npz", help="e.g. data/drawings/train-120k.npz"
    )
    training.add_argument("--count", type=int, default=60000, help="how many drawings")
    training.add_argument("--seed", type=int, default=1, help="the drawings are a function of seed and count")
    training.add_argument("--data-dir", type=Path, default=PROJECT_DATA, help="MNIST folder holding the training set")
    training.add_argument("--workers", type=int, default=2, help="processes drawing them")
    fixtures = kinds.add_parser(
        "fixtures",
        help="two app-style pen drawings per digit for the web tests (PNG + labels.json)",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    fixtures.add_argument("--out", type=Path, default=Path("tests/fixtures/drawings"), help="folder to write")


def run(args: argparse.Namespace) -> int:
    if args.kind == "fixtures":
        write_fixtures(args.out)
        return 0
    if args.count < 1 or args.workers < 1:
        print("error: --count and --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        write_training_drawings(args.out, args.count, args.seed, args.data_dir, args.workers)
    except DataError as exc:
        print(f"error: {exc}; get MNIST with: python -m training download --out {args.data_dir}", file=sys.stderr)
        return 1
    return 0
