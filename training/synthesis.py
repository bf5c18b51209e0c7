"""Canvas-like drawings of digits, one at a time: an MNIST digit traced to its skeleton and
redrawn with a round pen at a random size, place and width, or a digit typed in a handwriting
font; then coloured the way a browser's canvas or a scanner would send it.

training.drawings makes sets of them (the drawings `models/default` learned from, the web tests'
fixtures) and bench/drawings.py the benchmark set. Pillow draws the strokes and the glyphs.

The font digits need Debian's handwriting fonts (missing ones are skipped and named):
    apt-get install fonts-bwht fonts-comic-neue fonts-dancingscript fonts-kaushanscript fonts-breip
        fonts-ecolier-court fonts-dkg-handwriting fonts-humor-sans fonts-klee fonts-kristi fonts-rufscript
        fonts-sjfonts fonts-tomsontalks fonts-yusei-magic
"""

from pathlib import Path

import numpy as np
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

from imaging.components import piece_sizes
from imaging.thinning import thin

CANVAS = 280
SUPERSAMPLE = 4  # strokes are drawn this many times larger, then box-filtered: anti-aliasing
# Pen widths here and on the app's canvas (static/canvas.js: PEN = 280 / 16 = 17.5 px on its 280 px
# side) differ on purpose, and this is the one place that says why:
# - APP_PEN, the "app" and "hidpi" styles' pen, is 18 px, not 17.5: the committed fixtures
#   (tests/fixtures/drawings, checked byte for byte) and the 120,000 drawings models/default learned
#   from (its card's extra_data command) are functions of it, and changing it would make that card's
#   command draw other data than the model saw. Half a pixel in 18 lies well inside the 4-30 px the
#   training drawings' other styles use (training.drawings.TRAINING_VARIETY).
# - The other styles draw with other pens (PEN_SETTINGS, TRAINING_VARIETY): they stand for drawings
#   that reach the API from elsewhere (ink on paper, other canvases), not for the app's canvas.
# - training.pen's WIDTH is in pixels of the 28x28 frame, after framing: it follows what the
#   preprocessing makes of any pen (preprocess.MNIST_STROKE_RANGE), not the canvas's pen.
APP_PEN = 18  # the "app" style's brush, in CSS px
# The benchmark's tracing: pen widths (px, before the 0.16 x height cap) and (skeleton ink threshold,
# smoothing rounds). Other values make variant sets, to check that a gain is not this generator's habit.
PEN_SETTINGS = {"pens": [6, 28], "trace": [110, 6]}
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


def skeleton_strokes(digit: np.ndarray, upsample: int = 4, threshold: int = 110, rounds: int = 6) -> tuple:
    """(points (K, 2) as x, y; segments (M, 2) of point indices) of an MNIST 28x28 digit: the
    digit is enlarged first so that the skeleton follows its curves, not its pixel grid.
    threshold: grey level (0..255) that counts as ink; rounds: of smoothing."""
    size = 28 * upsample
    big = np.asarray(Image.fromarray(digit).resize((size, size), Image.Resampling.BICUBIC))
    skeleton = without_specks(thin((big > threshold)[None])[0], min_points=3 * upsample)
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
    return smooth(points, segments, rounds), segments


def without_specks(skeleton: np.ndarray, min_points: int) -> np.ndarray:
    """The skeleton without the tiny pieces that stray MNIST pixels leave: a pen would not draw
    them. A digit made only of specks keeps everything rather than nothing."""
    keep = piece_sizes(skeleton) >= min_points
    return keep if keep.any() else skeleton


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
