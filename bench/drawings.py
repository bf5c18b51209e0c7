"""How well the app reads real drawings, not MNIST's own 28x28 images.

Builds a set of 280x280 canvases (pen-stroke digits traced from the MNIST *test* set, and digits
typed in handwriting fonts), then runs each through the app's preprocessing and a model, so that
preprocessing and training changes are judged on what people actually draw. The benchmark set
never touches the training set, so the score stays an honest held-out measure.

The same generator, with wider settings, also draws MNIST *training* digits for the network to
learn from (--training-drawings; `python -m nn train --extra-data` reads the file): the two sets
share no source digit.

    python bench/drawings.py --model book --model default [--regenerate] [--save-errors DIR]
    python bench/drawings.py --write-fixtures tests/fixtures/drawings
    python bench/drawings.py --training-drawings build/train/drawn-120k-s1.npz --count 120000 --seed 1 \
        --data-dir /path/to/mnist   # what models/default learned from (its card says so)

The font half needs Debian's handwriting fonts (missing ones are skipped and named):
    apt-get install fonts-bwht fonts-comic-neue fonts-dancingscript fonts-kaushanscript fonts-breip
        fonts-ecolier-court fonts-dkg-handwriting fonts-humor-sans fonts-klee fonts-kristi fonts-rufscript
        fonts-sjfonts fonts-tomsontalks fonts-yusei-magic
"""

import argparse
import io
import json
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: the engine lives at the repo root
    sys.path.insert(0, str(ROOT))

from nn.mnist import PROJECT_DATA  # noqa: E402
from nn.mnist import DataError  # noqa: E402
from nn.mnist import read_split  # noqa: E402
from nn.model_files import load_models  # noqa: E402
from preprocess import mnistify  # noqa: E402

GENERATOR_VERSION = 2  # bump when the drawings change, so that stale sets are rebuilt
OUT_DIR = ROOT / "build" / "drawings"
MODELS_DIR = ROOT / "models"
CANVAS = 280
SUPERSAMPLE = 4  # strokes are drawn this many times larger, then box-filtered: anti-aliasing
APP_PEN = 18  # the app's brush, in CSS px
# The benchmark's tracing: pen widths (px, before the 0.16 x height cap) and (skeleton ink threshold,
# smoothing rounds). Other values make variant sets, to check that a gain is not this generator's habit.
PEN_SETTINGS = {"pens": [6, 28], "trace": [110, 6]}
GOALS = {"pen": 0.985, "font": 0.95}  # what the default model must reach on the hidden set of this kind

# Handwriting-style fonts from Debian packages: (file name, package). Missing ones are skipped and
# named, so a machine without them still measures, just on fewer fonts.
FONT_FILES = [
    ("BecauseWeBuild-Regular.otf", "fonts-bwht"),
    ("BecauseWeConnect-Regular.otf", "fonts-bwht"),
    ("BecauseWeCreate-Regular.otf", "fonts-bwht"),
    ("BecauseWeLearn-Regular.otf", "fonts-bwht"),
    ("BecauseWeMentor-Regular.otf", "fonts-bwht"),
    ("BecauseWeOrganize-Regular.otf", "fonts-bwht"),
    ("ComicNeue-Regular.otf", "fonts-comic-neue"),
    ("ComicNeue-Bold.otf", "fonts-comic-neue"),
    ("ComicNeue-Italic.otf", "fonts-comic-neue"),
    ("ComicNeue-Light.otf", "fonts-comic-neue"),
    ("DancingScript-Regular.otf", "fonts-dancingscript"),
    ("DancingScript-Bold.otf", "fonts-dancingscript"),
    ("KaushanScript-Regular.otf", "fonts-kaushanscript"),
    ("Breip.ttf", "fonts-breip"),
    ("Ecolier-court.ttf", "fonts-ecolier-court"),
    ("dkg.ttf", "fonts-dkg-handwriting"),
    ("dkgBd.ttf", "fonts-dkg-handwriting"),
    ("dkgIt.ttf", "fonts-dkg-handwriting"),
    ("dkgBI.ttf", "fonts-dkg-handwriting"),
    ("Humor-Sans.ttf", "fonts-humor-sans"),
    ("KleeOne-Regular.ttf", "fonts-klee"),
    ("KleeOne-SemiBold.ttf", "fonts-klee"),
    ("Kristi.ttf", "fonts-kristi"),
    ("Rufscript010.ttf", "fonts-rufscript"),
    ("Delphine.ttf", "fonts-sjfonts"),
    ("SteveHand.ttf", "fonts-sjfonts"),
    ("TomsonTalks.ttf", "fonts-tomsontalks"),
    ("YuseiMagic-Regular.ttf", "fonts-yusei-magic"),
]
FONT_DIRS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"]

# How a drawing reaches the API: (style, share). "app" is the app's own canvas (black 18 px pen on
# opaque white, RGBA); "hidpi" the same posted at 2x; "ink" dark ink on light paper (RGB); "rgba"
# ink on a transparent background whose hidden colour is black, as canvas.toBlob gives it;
# "inverted" light ink on a dark background.
STYLES = [("app", 0.25), ("hidpi", 0.05), ("ink", 0.40), ("rgba", 0.18), ("inverted", 0.12)]


# --------------------------------------------------------------------------- pen-stroke digits


def zhang_suen(mask: np.ndarray) -> np.ndarray:
    """One-pixel skeleton of a boolean image (Zhang & Suen 1984): strokes of any width become
    centre lines, which a pen can then redraw at a width of our choosing."""
    img = np.pad(mask.astype(np.uint8), 1)
    while True:
        changed = False
        for first in (True, False):
            p2, p3, p4 = img[:-2, 1:-1], img[:-2, 2:], img[1:-1, 2:]
            p5, p6, p7 = img[2:, 2:], img[2:, 1:-1], img[2:, :-2]
            p8, p9 = img[1:-1, :-2], img[:-2, :-2]
            ring = [p2, p3, p4, p5, p6, p7, p8, p9, p2]
            neighbours = sum(ring[:8], np.zeros(p2.shape, np.uint8))
            transitions = sum(((ring[i] == 0) & (ring[i + 1] == 1)).astype(np.uint8) for i in range(8))
            if first:
                side = (p2 * p4 * p6 == 0) & (p4 * p6 * p8 == 0)
            else:
                side = (p2 * p4 * p8 == 0) & (p2 * p6 * p8 == 0)
            remove = (img[1:-1, 1:-1] == 1) & (neighbours >= 2) & (neighbours <= 6) & (transitions == 1) & side
            if remove.any():
                img[1:-1, 1:-1][remove] = 0
                changed = True
        if not changed:
            return img[1:-1, 1:-1].astype(bool)


def skeleton_strokes(digit: np.ndarray, upsample: int = 4, threshold: int = 110, rounds: int = 6) -> tuple:
    """(points (K, 2) as x, y; segments (M, 2) of point indices) of an MNIST 28x28 digit: the
    digit is enlarged first so that the skeleton follows its curves, not its pixel grid.
    threshold: grey level (0..255) that counts as ink; rounds: of smoothing."""
    size = 28 * upsample
    big = np.asarray(Image.fromarray(digit).resize((size, size), Image.Resampling.BICUBIC))
    skeleton = zhang_suen(big > threshold)
    ys, xs = np.nonzero(skeleton)
    index = -np.ones(skeleton.shape, np.int64)
    index[ys, xs] = np.arange(len(ys))
    padded = np.pad(index, 1, constant_values=-1)
    segments = []
    for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):  # half the 8 directions: each pair once
        other = padded[1 + ys + dy, 1 + xs + dx]
        keep = other >= 0
        segments.append(np.stack([index[ys, xs][keep], other[keep]], axis=1))
    points, segments = np.stack([xs, ys], axis=1).astype(np.float64), np.concatenate(segments)
    points, segments = drop_specks(points, segments, min_points=3 * upsample)
    return smooth(points, segments, rounds), segments


def drop_specks(points: np.ndarray, segments: np.ndarray, min_points: int) -> tuple:
    """Without the tiny skeleton pieces that stray MNIST pixels leave: a pen would not draw them."""
    parent = np.arange(len(points))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in segments:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    roots = np.array([root(i) for i in range(len(points))])
    sizes = Counter(roots.tolist())
    keep = np.array([sizes[r] >= min_points for r in roots])
    if not keep.any():  # a digit made only of specks: keep everything rather than nothing
        return points, segments
    new_index = np.cumsum(keep) - 1
    segments = segments[keep[segments[:, 0]] & keep[segments[:, 1]]]
    return points[keep], new_index[segments]


def smooth(points: np.ndarray, segments: np.ndarray, rounds: int = 6) -> np.ndarray:
    """Each skeleton point pulled halfway to its neighbours' mean, ends held still: the pixel
    staircase becomes the smooth curve a hand would have drawn."""
    degree = np.bincount(segments.ravel(), minlength=len(points))
    movable = degree >= 2
    for _ in range(rounds):
        total = np.zeros_like(points)
        np.add.at(total, segments[:, 0], points[segments[:, 1]])
        np.add.at(total, segments[:, 1], points[segments[:, 0]])
        mean = total[movable] / degree[movable, None]
        points = points.copy()
        points[movable] = 0.5 * points[movable] + 0.5 * mean
    return points


def draw_pen(points: np.ndarray, segments: np.ndarray, pen: float, size: int) -> Image.Image:
    """Ink coverage (mode L, 0..255) of a round pen of width `pen` along the strokes, points
    already in canvas pixels; drawn SUPERSAMPLE times larger and box-filtered down."""
    s = SUPERSAMPLE
    mask = Image.new("L", (size * s, size * s), 0)
    draw = ImageDraw.Draw(mask)
    width = max(1, round(pen * s))
    r = pen * s / 2
    pts = points * s
    for a, b in segments:
        draw.line([tuple(pts[a]), tuple(pts[b])], fill=255, width=width)
    for x, y in pts:  # round joints and caps
        draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    return mask.reduce(s)


def place(width: float, height: float, rng: np.random.Generator, size: int, margin: float) -> tuple:
    """Top-left corner that keeps a width x height box fully inside the canvas."""
    x0 = rng.uniform(margin, max(margin, size - margin - width))
    y0 = rng.uniform(margin, max(margin, size - margin - height))
    return x0, y0


def pen_drawing(
    digit: np.ndarray,
    rng: np.random.Generator,
    style: str,
    heights: tuple = (50, 250),
    pens: list = PEN_SETTINGS["pens"],
    trace: list = PEN_SETTINGS["trace"],
) -> tuple:
    """(ink coverage image, facts) of one MNIST digit redrawn with a pen at a random size,
    position and width (pens, px); app styles use the app's own 18 px brush. trace: (ink
    threshold, smoothing rounds) of the skeleton."""
    points, segments = skeleton_strokes(digit, threshold=trace[0], rounds=trace[1])
    points -= points.min(axis=0)
    span = points.max(axis=0)  # skeleton width, height
    if style in ("app", "hidpi"):  # with an 18 px brush nobody draws a readable digit under ~90 px
        height = rng.uniform(max(90, heights[0]), heights[1])  # of the ink, pen included
        pen = float(APP_PEN)
    else:
        height = rng.uniform(*heights)
        pen = min(rng.uniform(*pens), 0.16 * height)  # thicker fills the loops: unreadable to people too
    aspect = rng.uniform(0.85, 1.15)  # people draw narrower or wider than the MNIST writer
    scale = (height - pen) / max(span[1], 1.0)
    sx, sy = scale * aspect, scale
    ink_w, ink_h = span[0] * sx + pen, span[1] * sy + pen
    limit = CANVAS - 4
    if ink_w > limit:  # a wide digit at a big size: shrink it to fit
        shrink = (limit - pen) / max(ink_w - pen, 1e-6)
        sx, sy = sx * shrink, sy * shrink
        ink_w, ink_h = span[0] * sx + pen, span[1] * sy + pen
    x0, y0 = place(ink_w, ink_h, rng, CANVAS, 2)
    canvas_points = points * [sx, sy] + [x0 + pen / 2, y0 + pen / 2]
    size = CANVAS
    if style == "hidpi":
        canvas_points, pen, size = canvas_points * 2, pen * 2, CANVAS * 2
    mask = draw_pen(canvas_points, segments, pen, size)
    return mask, {"height": round(ink_h), "pen": round(pen, 1)}


def pair(text: str) -> list:
    """'6,28' -> [6, 28]: two whole numbers for an option."""
    try:
        low, high = (int(part) for part in text.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected two whole numbers like 6,28, got {text!r}") from exc
    return [low, high]


# --------------------------------------------------------------------------- handwriting fonts


def find_fonts() -> tuple:
    """([(name, path, package)], [missing (name, package)]) of the handwriting fonts."""
    found, missing = [], []
    for name, package in FONT_FILES:
        paths = [p for d in FONT_DIRS if d.is_dir() for p in d.rglob(name)]
        if paths:
            found.append((Path(name).stem, str(sorted(paths)[0]), package))
        else:
            missing.append((Path(name).stem, package))
    return found, missing


_FONT_CACHE: dict = {}


def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    key = (path, size)
    if key not in _FONT_CACHE:
        _FONT_CACHE[key] = ImageFont.truetype(path, size)
    return _FONT_CACHE[key]


def glyph_mask(path: str, char: str, size: int, stroke: int) -> Image.Image:
    """The glyph's ink coverage, cropped to its ink, at font size `size`."""
    font = load_font(path, size)
    left, top, right, bottom = font.getbbox(char, stroke_width=stroke)
    pad = 4 + stroke
    mask = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(mask).text((pad - left, pad - top), char, font=font, fill=255, stroke_width=stroke, stroke_fill=255)
    box = mask.getbbox()
    return mask.crop(box) if box else mask


def font_drawing(path: str, digit: int, rng: np.random.Generator) -> tuple:
    """(ink coverage image, facts) of a digit typed in a font at a random height, boldness,
    rotation and position."""
    height = rng.uniform(60, 250)
    reference = glyph_mask(path, str(digit), 200, 0).size[1]  # ink height at font size 200
    size = max(8, round(200 * height / max(reference, 1)))
    stroke = 0 if rng.random() < 0.5 else int(rng.integers(1, max(2, round(0.04 * size)) + 1))
    glyph = glyph_mask(path, str(digit), size, stroke)
    angle = rng.uniform(-10, 10)
    glyph = glyph.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    box = glyph.getbbox()
    glyph = glyph.crop(box) if box else glyph
    limit = CANVAS - 4
    if max(glyph.size) > limit:
        factor = limit / max(glyph.size)
        glyph = glyph.resize(
            (max(1, round(glyph.width * factor)), max(1, round(glyph.height * factor))), Image.Resampling.LANCZOS
        )
    x0, y0 = place(glyph.width, glyph.height, rng, CANVAS, 2)
    mask = Image.new("L", (CANVAS, CANVAS), 0)
    mask.paste(glyph, (round(x0), round(y0)))
    return mask, {"height": glyph.height, "size": size, "stroke": stroke, "angle": round(angle, 1)}


# --------------------------------------------------------------------------- colours


def colour(mask: Image.Image, style: str, rng: np.random.Generator) -> Image.Image:
    """The ink coverage turned into the image a browser or a scanner would send."""
    if style in ("app", "hidpi"):
        paper = Image.new("RGBA", mask.size, (255, 255, 255, 255))
        paper.paste((0, 0, 0, 255), mask=mask)
        return paper
    if style == "rgba":
        ink = tuple(int(v) for v in rng.integers(0, 70, 3))
        out = Image.new("RGBA", mask.size, (0, 0, 0, 0))  # canvas.toBlob: transparent black
        out.paste(ink + (255,), mask=mask)
        out.putalpha(mask)
        return out
    if style == "inverted":
        paper = tuple(int(v) for v in rng.integers(0, 50, 3))
        ink = tuple(int(v) for v in rng.integers(200, 256, 3))
    else:
        paper = tuple(int(v) for v in rng.integers(225, 256, 3))
        dark = rng.integers(0, 60, 3)
        if rng.random() < 0.25:  # a blue pen
            dark = np.array([dark[0] // 2, dark[1] // 2, 90 + dark[2] * 2])
        ink = tuple(int(v) for v in dark)
    out = Image.new("RGB", mask.size, paper)
    out.paste(ink, mask=mask)
    return out


def pick_style(rng: np.random.Generator) -> str:
    names = [name for name, _ in STYLES]
    shares = np.array([share for _, share in STYLES])
    return str(rng.choice(names, p=shares / shares.sum()))


# --------------------------------------------------------------------------- the set on disk


def balanced(n: int, kinds: int, rng: np.random.Generator) -> np.ndarray:
    """n indices into `kinds` categories, each full round of categories shuffled: balanced."""
    rounds = [rng.permutation(kinds) for _ in range(-(-n // kinds))]
    return np.concatenate(rounds)[:n] if rounds else np.zeros(0, np.int64)


def generate(
    out: Path,
    seed: int,
    n_pen: int,
    n_font: int,
    data_dir: Path = PROJECT_DATA,
    log=print,
    pen_settings: dict | None = None,
) -> dict:
    """Write out/pen/*.png, out/font/*.png and out/labels.json; returns the labels. pen_settings:
    pen_drawing's pens and trace, to build variant sets (PEN_SETTINGS when None)."""
    pen_settings = pen_settings or PEN_SETTINGS
    start = time.perf_counter()
    images, labels = read_split(data_dir, "test")
    fonts, missing = find_fonts()
    rng = np.random.default_rng(seed)
    by_digit = {d: rng.permutation(np.flatnonzero(labels == d)) for d in range(10)}
    items = []
    (out / "pen").mkdir(parents=True, exist_ok=True)
    (out / "font").mkdir(parents=True, exist_ok=True)
    used = Counter()
    for i, digit in enumerate(balanced(n_pen, 10, rng)):
        digit = int(digit)
        source = int(by_digit[digit][used[digit] % len(by_digit[digit])])
        used[digit] += 1
        item_rng = np.random.default_rng([seed, 1, i])  # one stream per image: stable when counts change
        style = pick_style(item_rng)
        mask, facts = pen_drawing(images[source], item_rng, style, **pen_settings)
        name = f"pen/{i:05d}_{digit}.png"
        colour(mask, style, item_rng).save(out / name)
        items.append({"file": name, "kind": "pen", "label": digit, "style": style, "mnist_test_index": source, **facts})
    if fonts:
        for i, combo in enumerate(balanced(n_font, 10 * len(fonts), rng)):
            font_name, path, _ = fonts[int(combo) // 10]
            digit = int(combo) % 10
            item_rng = np.random.default_rng([seed, 2, i])
            style = pick_style(item_rng)
            if style == "hidpi":
                style = "app"  # a font at 2x says nothing new
            mask, facts = font_drawing(path, digit, item_rng)
            name = f"font/{i:05d}_{digit}.png"
            colour(mask, style, item_rng).save(out / name)
            items.append({"file": name, "kind": "font", "label": digit, "style": style, "font": font_name, **facts})
    manifest = {
        "version": GENERATOR_VERSION,
        "seed": seed,
        "counts": {"pen": n_pen, "font": n_font},
        "pen_settings": pen_settings,
        "fonts": [{"name": n, "file": p, "package": pkg} for n, p, pkg in fonts],
        "missing_fonts": [{"name": n, "package": pkg} for n, pkg in missing],
        "source": "MNIST test set (t10k) only; never the training set",
        "items": items,
    }
    (out / "labels.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    log(f"generated {len(items)} drawings in {out} ({time.perf_counter() - start:.0f} s)")
    if missing:
        log("fonts not installed (skipped): " + ", ".join(f"{n} ({pkg})" for n, pkg in missing))
    if not fonts:
        log(
            "no handwriting font found: the font half of the set is empty; "
            "apt-get install " + " ".join(sorted({pkg for _, pkg in FONT_FILES}))
        )
    return manifest


def load_or_generate(
    out: Path, seed: int, n_pen: int, n_font: int, regenerate: bool, pen_settings: dict | None = None
) -> dict:
    """The set on disk when it matches the asked seed, counts, settings and generator; else a fresh one."""
    pen_settings = pen_settings or PEN_SETTINGS
    labels = out / "labels.json"
    if labels.is_file() and not regenerate:
        manifest = json.loads(labels.read_text(encoding="utf-8"))
        fresh = (
            manifest.get("version") == GENERATOR_VERSION
            and manifest.get("seed") == seed
            and manifest.get("counts") == {"pen": n_pen, "font": n_font}
            and manifest.get("pen_settings", PEN_SETTINGS) == pen_settings
            and all((out / item["file"]).is_file() for item in manifest["items"])
        )
        if fresh:
            return manifest
    return generate(out, seed, n_pen, n_font, pen_settings=pen_settings)


def write_fixtures(folder: Path, seed: int = 20240) -> None:
    """Two small app-style pen drawings per digit, plus labels.json, for web tests to post. The
    sources are test digits the book's network reads surely in MNIST form, so that a test that
    fails on them points at the drawing path, not at an ambiguous scrawl."""
    images, labels = read_split(PROJECT_DATA, "test")
    sure = load_models(MODELS_DIR)["book"].network.predict(images.reshape(-1, 784) / 255.0)
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
        "Pen-stroke drawings traced from MNIST test digits by bench/drawings.py --write-fixtures: "
        "280x280 RGBA, the app's 18 px black pen; style 'app' on opaque white, 'rgba' on transparent."
    )
    (folder / "labels.json").write_text(
        json.dumps({"about": note, "items": entries}, indent=1) + "\n", encoding="utf-8"
    )


# --------------------------------------------------------------------------- drawings to train on

# Training drawings vary the tracing beyond the benchmark's settings, so that a network learns
# pen drawings in general rather than this generator's habits: (low, high) of uniform draws.
TRAINING_VARIETY = {"heights": (40, 260), "pens": (4, 30), "threshold": (80, 150), "rounds": (2, 9)}


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


def write_training_drawings(out: Path, count: int, seed: int, data_dir: Path, workers: int = 2, log=print) -> None:
    """out (.npz): x (N, 28, 28) uint8 and t (N,) labels of `count` drawings made from the MNIST
    training set (every digit once before any twice), for `python -m nn train --extra-data`. The
    file is a function of seed and count; blanks (digits too faint to trace) are left out."""
    start = time.perf_counter()
    images, labels = read_split(data_dir, "train")
    order = np.random.default_rng(seed).permutation(len(labels))
    sources = order[np.arange(count) % len(order)]
    step = 500  # the digits travel with each job: the workers never read the data files again
    jobs = [(images[sources[i : i + step]], seed, i) for i in range(0, count, step)]
    drawn = []
    with ProcessPoolExecutor(max_workers=workers) if workers > 1 else nullcontext() as pool:
        chunks = pool.map(_training_chunk, jobs) if pool else map(_training_chunk, jobs)
        for k, chunk in enumerate(chunks):
            drawn += chunk
            log(f"  {min((k + 1) * step, count)}/{count} drawings, {time.perf_counter() - start:.0f} s")
    keep = np.array([x is not None for x in drawn], dtype=bool)
    x = np.stack([x for x in drawn if x is not None])
    out.parent.mkdir(parents=True, exist_ok=True)
    about = (
        f"{len(x)} MNIST training digits redrawn with a pen and framed by the app's preprocessing: "
        f"python bench/drawings.py --training-drawings {out} --count {count} --seed {seed} --data-dir {data_dir}"
    )
    np.savez_compressed(out, x=x, t=labels[sources][keep].astype(np.uint8), source=sources[keep], about=about)
    log(f"wrote {out}: {len(x)} drawings ({count - len(x)} blank left out), {time.perf_counter() - start:.0f} s")


# --------------------------------------------------------------------------- scoring


@dataclass
class Inputs:
    mnist: np.ndarray  # (N, 784) what the network sees through the MNIST recipe
    plain: np.ndarray  # (N, 784) the whole canvas resized
    failed: list  # indices whose preprocessing raised or found nothing


def preprocess_all(manifest: dict, out: Path) -> Inputs:
    """Every drawing through the app's own preprocessing, from its PNG bytes as the API gets them."""
    n = len(manifest["items"])
    mnist = np.zeros((n, 784), np.float32)
    plain = np.zeros((n, 784), np.float32)
    failed = []
    for i, item in enumerate(manifest["items"]):
        try:
            steps = mnistify((out / item["file"]).read_bytes())
        except Exception as exc:  # noqa: BLE001 - a crash on one drawing is a finding, not a stop
            failed.append((i, f"{type(exc).__name__}: {exc}"))
            continue
        mnist[i] = np.asarray(steps.mnist, np.float32).reshape(784)
        plain[i] = np.asarray(steps.plain, np.float32).reshape(784)
        if getattr(steps, "blank", False):
            failed.append((i, "blank"))
    return Inputs(mnist=mnist, plain=plain, failed=failed)


def accuracy(mask: np.ndarray, right: np.ndarray) -> str:
    return f"{right[mask].mean():.4f}" if mask.any() else "  -   "


def report(name: str, manifest: dict, inputs: Inputs, probs: dict, log=print) -> dict:
    """Print the tables for one model; return its headline numbers."""
    items = manifest["items"]
    labels = np.array([item["label"] for item in items])
    kinds = np.array([item["kind"] for item in items])
    read = {recipe: p.argmax(axis=1) for recipe, p in probs.items()}
    right = {recipe: r == labels for recipe, r in read.items()}
    headline = {}
    for kind in ("pen", "font"):
        m = kinds == kind
        headline[kind] = {recipe: float(right[recipe][m].mean()) if m.any() else None for recipe in right}
    log(f"\n== {name}: per digit, MNIST recipe")
    log("digit   " + " ".join(f"{d:>6}" for d in range(10)))
    for kind in ("pen", "font"):
        m = kinds == kind
        log(f"{kind:<7} " + " ".join(f"{accuracy(m & (labels == d), right['mnist']):>6}" for d in range(10)))
    for kind in ("pen", "font"):
        m = (kinds == kind) & ~right["mnist"]
        confusions = Counter(zip(labels[m].tolist(), read["mnist"][m].tolist(), strict=True)).most_common(8)
        text = ", ".join(f"{t}->{r} x{c}" for (t, r), c in confusions) or "none"
        log(f"confusions {kind} (true->read): {text}")
    log(f"-- {name}: by style, MNIST recipe (pen / font)")
    styles = np.array([item["style"] for item in items])
    for style, _ in STYLES:
        cells = [accuracy((kinds == k) & (styles == style), right["mnist"]) for k in ("pen", "font")]
        log(f"  {style:<9} {cells[0]:>6} {cells[1]:>6}   n={int((styles == style).sum())}")
    log(f"-- {name}: by ink height in px, MNIST recipe (pen / font)")
    heights = np.array([item["height"] for item in items])
    for lo, hi in ((0, 80), (80, 120), (120, 170), (170, 220), (220, 600)):
        band = (heights >= lo) & (heights < hi)
        cells = [accuracy((kinds == k) & band, right["mnist"]) for k in ("pen", "font")]
        log(f"  {lo:>3}-{hi:<3}   {cells[0]:>6} {cells[1]:>6}")
    pens = np.array([item.get("pen", 0) for item in items])
    log(f"-- {name}: pen-stroke by pen width in px, MNIST recipe")
    for lo, hi in ((0, 10), (10, 16), (16, 22), (22, 40)):
        band = (kinds == "pen") & (pens >= lo) & (pens < hi)
        log(f"  {lo:>2}-{hi:<2}     {accuracy(band, right['mnist']):>6}   n={int(band.sum())}")
    log(f"-- {name}: per font, MNIST recipe")
    fonts = np.array([item.get("font", "") for item in items])
    for font in sorted({f for f in fonts if f}, key=lambda f: right["mnist"][fonts == f].mean()):
        m = fonts == font
        wrong = Counter(
            zip(labels[m & ~right["mnist"]].tolist(), read["mnist"][m & ~right["mnist"]].tolist(), strict=True)
        ).most_common(3)
        log(
            f"  {font:<28} {right['mnist'][m].mean():.3f}  n={int(m.sum()):<4} "
            + ", ".join(f"{t}->{r}" for (t, r), _ in wrong)
        )
    return headline


def save_errors(
    folder: Path,
    name: str,
    manifest: dict,
    out: Path,
    inputs: Inputs,
    probs: np.ndarray,
    limit: int,
    test_images: np.ndarray,
) -> int:
    """Misread drawings beside the 28x28 input the network saw (and, for pen strokes, the MNIST
    digit they were traced from), for a person to look at."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = np.array([item["label"] for item in manifest["items"]])
    wrong = np.flatnonzero(probs.argmax(axis=1) != labels)[:limit]
    for i in wrong:
        item = manifest["items"][i]
        canvas = Image.open(out / item["file"])
        checker = Image.new("RGB", canvas.size, (200, 200, 200))  # grey shows a transparent background
        checker.paste(canvas.convert("RGBA"), mask=canvas.convert("RGBA").getchannel("A"))
        checker = checker.resize((CANVAS, CANVAS))
        seen = Image.fromarray(255 - (inputs.mnist[i].reshape(28, 28) * 255).clip(0, 255).astype(np.uint8))
        sheet = Image.new("RGB", (3 * CANVAS + 20, CANVAS + 24), (255, 255, 255))
        sheet.paste(checker, (0, 0))
        sheet.paste(seen.resize((CANVAS, CANVAS), Image.Resampling.NEAREST).convert("RGB"), (CANVAS + 10, 0))
        if "mnist_test_index" in item:
            source = Image.fromarray(255 - test_images[item["mnist_test_index"]])
            sheet.paste(source.resize((CANVAS, CANVAS), Image.Resampling.NEAREST).convert("RGB"), (2 * CANVAS + 20, 0))
        read, p = int(probs[i].argmax()), float(probs[i].max())
        caption = (
            f"{item['file']} {item.get('font', item['style'])}: true {item['label']}, read {read} ({p:.2f})"
            "   [drawing | network input | MNIST source]"
        )
        ImageDraw.Draw(sheet).text((4, CANVAS + 6), caption, fill=(0, 0, 0))
        stem = Path(item["file"]).stem
        sheet.save(folder / f"{name}_{item['kind']}_{stem}_read{read}.png")
    return len(wrong)


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", help="model to score (repeatable); default: every model")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR, help="folder of NAME.npz + NAME.json")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where the set lives (default build/drawings)")
    parser.add_argument("--seed", type=int, default=1, help="the set is a function of this seed")
    parser.add_argument("--pen", type=int, default=10000, help="how many pen-stroke drawings")
    parser.add_argument("--pens", type=pair, default=PEN_SETTINGS["pens"], help="pen widths LOW,HIGH in px")
    parser.add_argument(
        "--trace", type=pair, default=PEN_SETTINGS["trace"], help="skeleton ink threshold (0-255),smoothing rounds"
    )
    parser.add_argument("--font", type=int, default=1500, help="how many handwriting-font drawings")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the set even if it is on disk")
    parser.add_argument("--generate-only", action="store_true", help="build the set, score nothing")
    parser.add_argument("--save-errors", type=Path, metavar="DIR", help="write misread drawings here")
    parser.add_argument("--max-errors", type=int, default=300, help="at most this many per model")
    parser.add_argument("--json", type=Path, help="also write the headline numbers here")
    parser.add_argument("--write-fixtures", type=Path, metavar="DIR", help="write the small test fixtures and stop")
    parser.add_argument(
        "--training-drawings", type=Path, metavar="FILE.npz", help="write drawings made from TRAINING digits and stop"
    )
    parser.add_argument("--count", type=int, default=60000, help="how many training drawings")
    parser.add_argument("--workers", type=int, default=2, help="processes drawing them (--training-drawings)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=PROJECT_DATA,
        help="MNIST folder holding the training set (--training-drawings)",
    )
    args = parser.parse_args(argv)

    if args.training_drawings:
        try:
            write_training_drawings(args.training_drawings, args.count, args.seed, args.data_dir, args.workers)
        except DataError as exc:
            print(f"error: {exc}; get MNIST with: python -m nn download --out {args.data_dir}", file=sys.stderr)
            return 1
        return 0
    if args.write_fixtures:
        write_fixtures(args.write_fixtures)
        return 0
    settings = {"pens": args.pens, "trace": args.trace}
    manifest = load_or_generate(args.out, args.seed, args.pen, args.font, args.regenerate, settings)
    if args.generate_only:
        return 0
    models = load_models(args.models_dir)
    names = args.model or list(models)
    unknown = [n for n in names if n not in models]
    if unknown:
        print(
            f"error: no model {', '.join(unknown)} in {args.models_dir}; there are: {', '.join(models)}",
            file=sys.stderr,
        )
        return 2
    inputs = preprocess_all(manifest, args.out)
    fonts = manifest["fonts"]
    print(
        f"set: {args.out} seed {manifest['seed']}, {manifest['counts']['pen']} pen-stroke, "
        f"{manifest['counts']['font']} font drawings; {len(fonts)} fonts: " + ", ".join(f["name"] for f in fonts)
    )
    if inputs.failed:
        print(
            f"preprocessing failed or found a blank on {len(inputs.failed)} drawings, e.g. "
            + "; ".join(f"{manifest['items'][i]['file']}: {why}" for i, why in inputs.failed[:5])
        )
    # The very digits the pen set was traced from, as MNIST gave them: the ceiling of the pen score,
    # so that a gap shows what the drawing and preprocessing lose rather than what the model never knew.
    test_images, _ = read_split(PROJECT_DATA, "test")
    pen_items = [item for item in manifest["items"] if item["kind"] == "pen"]
    sources = test_images[[item["mnist_test_index"] for item in pen_items]].reshape(-1, 784) / np.float32(255)
    source_labels = np.array([item["label"] for item in pen_items])
    results = {}
    for name in names:
        network = models[name].network
        probs = {"mnist": network.predict(inputs.mnist), "plain": network.predict(inputs.plain)}
        results[name] = report(name, manifest, inputs, probs)
        if pen_items:
            source_right = network.predict(sources).argmax(axis=1) == source_labels
            drawn_right = probs["mnist"][: len(pen_items)].argmax(axis=1) == source_labels
            results[name]["pen"]["source"] = float(source_right.mean())
            print(
                f"-- {name}: pen misreads {int((~drawn_right).sum())}: {int((~drawn_right & source_right).sum())} "
                f"lost on the way (MNIST source read right), {int((~drawn_right & ~source_right).sum())} whose "
                f"source is misread too; {int((drawn_right & ~source_right).sum())} read right only as drawings"
            )
        if args.save_errors:
            count = save_errors(
                args.save_errors, name, manifest, args.out, inputs, probs["mnist"], args.max_errors, test_images
            )
            print(f"wrote {count} misread drawings of {name} to {args.save_errors}")
    print("\n== accuracy (model x kind x recipe)")
    print(
        f"{'model':<20} {'pen/mnist':>10} {'pen/plain':>10} {'pen/source':>10} {'font/mnist':>10} "
        f"{'font/plain':>10}  goal"
    )
    for name, r in results.items():
        cells = [r["pen"]["mnist"], r["pen"]["plain"], r["pen"].get("source"), r["font"]["mnist"], r["font"]["plain"]]
        met = all((r[k]["mnist"] or 0) >= goal for k, goal in GOALS.items())
        print(
            f"{name:<20} "
            + " ".join(f"{c:>10.4f}" if c is not None else f"{'-':>10}" for c in cells)
            + ("  met" if met else "  not met")
        )
    print(
        "goal (MNIST recipe): "
        + ", ".join(f"{k} >= {v}" for k, v in GOALS.items())
        + "; pen/source: the same test digits read in their MNIST 28x28 form"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
