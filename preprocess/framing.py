"""An ink map of any size to the 28x28 that MNIST's digits were made as.

MNIST fitted each digit's ink into a 20x20 box keeping its aspect ratio (anti-aliased), then
pasted it into 28x28 so that its centre of mass sat at the centre. A network trained on
MNIST has only ever seen digits framed that way, so a drawing must be framed the same way.
On top of that the strokes are brought to a width MNIST's digits have (see strokes.py).
"""

import functools
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from imaging.mnist_frame import BOX_SIZE
from imaging.mnist_frame import CENTRE
from imaging.mnist_frame import FRAME_SIZE
from imaging.mnist_frame import NOISE_FLOOR
from imaging.mnist_frame import centre_of_mass
from imaging.mnist_frame import ink_box
from imaging.morphology import padded
from preprocess.components import remove_specks
from preprocess.strokes import morph
from preprocess.strokes import stroke_width

SPECK_FRACTION = 0.02
MIN_EXTENT_FRACTION = 0.02
WORK_SCALE = 4
# Drawn strokes narrower or wider than this (stroke_width() of the digit in its 20 px box) are
# brought to the nearest end. MNIST test digits measured the same way: median 2.15, 10th
# percentile 1.7, 90th 3.0. The upper end is lower than MNIST's 90th percentile because
# thinning bold drawings to 2.4 read better (bench/stroke_width.py, bench/drawings.py).
MNIST_STROKE_RANGE = (1.7, 2.4)


@dataclass
class Framing:
    """Each step of framing one ink map; arrays are float32 in 0..1. `source` is the cropped ink
    with its strokes adjusted, at WORK_SCALE times the box; `fitted` (it in the 20 px box) and its
    centre of mass are made when first asked for: only the pages that show the steps need them."""

    blank: bool
    bbox: tuple | None
    cropped: np.ndarray
    source: np.ndarray
    shift: tuple | None
    mnist: np.ndarray
    stroke_width: float | None
    stroke_change: float

    @functools.cached_property
    def fitted(self) -> np.ndarray:
        if self.blank:
            return self.source
        return np.clip(_normalised(resize(self.source, *_fit_size(*self.source.shape, BOX_SIZE))), 0.0, 1.0)

    @functools.cached_property
    def center_of_mass(self) -> tuple | None:
        return None if self.blank else center_of_mass(self.fitted)


def clean_ink(ink: np.ndarray) -> np.ndarray:
    """Float32 2-D in 0..1; NaN is no ink, infinities clip to the ends. An ink map that already is
    (what ink_map makes) comes back as it is, not copied."""
    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim != 2:
        raise ValueError(f"an ink map is 2-D (H, W); got shape {ink.shape}")
    if ink.size and 0.0 <= ink.min() and ink.max() <= 1.0:  # NaN fails both comparisons
        return ink
    ink = np.clip(ink, 0.0, 1.0)
    ink[np.isnan(ink)] = 0.0
    return ink


def resize(ink: np.ndarray, height: int, width: int) -> np.ndarray:
    """Pillow's resize on a float image: bilinear whose support widens with the reduction,
    so shrinking 560 px to 20 averages every pixel instead of sampling (no aliasing)."""
    image = Image.fromarray(np.ascontiguousarray(ink, dtype=np.float32))
    return _float_pixels(image.resize((width, height), Image.Resampling.BILINEAR))


def _float_pixels(image: Image.Image) -> np.ndarray:
    """np.asarray of a mode "F" image, without building its array interface (a few µs a call)."""
    width, height = image.size
    return np.frombuffer(image.tobytes(), dtype=np.float32).reshape(height, width)


def ink_bbox(mask: np.ndarray) -> tuple | None:
    """(top, left, bottom, right) of the True pixels, bottom and right exclusive; None if none.
    For a 2-D mask the columns are only searched between the top and bottom rows."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:  # what ink_box makes of it (an error for most shapes)
        return tuple(int(v) for v in ink_box(mask)) if mask.any() else None
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    cols = np.flatnonzero(mask[top:bottom].any(axis=0))
    return top, int(cols[0]), bottom, int(cols[-1]) + 1


def center_of_mass(ink: np.ndarray) -> tuple:
    """(row, col) of the ink's centre of mass in pixel-index coordinates."""
    row, col = centre_of_mass(ink)
    return float(row), float(col)


def _normalised(ink: np.ndarray) -> np.ndarray:
    top = float(ink.max())
    return ink / top if top > 0 else ink


def _fit_size(height: int, width: int, box: int) -> tuple:
    longer = max(height, width)
    return max(1, round(height * box / longer)), max(1, round(width * box / longer))


def _adjust_strokes(crop: np.ndarray, stroke_range: tuple | None) -> tuple:
    """(ink to fit into the box, measured width, change in width), both in box pixels.

    Works at WORK_SCALE times the box so that a change of a fraction of a final pixel is
    possible. Widening by 2r also grows the box by 2r, which shrinks everything when the
    box is fitted; the radius solves for the width wanted after that shrinking."""
    work_box = BOX_SIZE * WORK_SCALE
    work = _normalised(resize(crop, *_fit_size(*crop.shape, work_box)))
    longer = max(work.shape)
    measured = stroke_width(work) * BOX_SIZE / longer
    if stroke_range is None:
        return work, measured, 0.0
    low, high = stroke_range
    wanted = min(max(measured, low), high)
    if abs(wanted - measured) < 0.05:
        return work, measured, 0.0
    work_width = measured * longer / BOX_SIZE
    radius = (wanted * longer - BOX_SIZE * work_width) / (2.0 * (BOX_SIZE - wanted))
    margin = math.ceil(max(radius, 0.0)) + 1
    adjusted = morph(padded(work, margin), radius)
    box = ink_bbox(adjusted > NOISE_FLOOR)
    if box is None:
        return work, measured, 0.0
    top, left, bottom, right = box
    return adjusted[top:bottom, left:right], measured, wanted - measured


def frame(ink: np.ndarray, stroke_range: tuple | None = MNIST_STROKE_RANGE) -> Framing:
    """Every step from an ink map to the 28x28 the network reads.

    Ink under NOISE_FLOOR does not count for the box, and specks (pieces covering under
    SPECK_FRACTION of the inked pixels) are removed. Too little ink (a box under MIN_EXTENT_FRACTION of the
    image's longer side, or 2 px) counts as blank. `stroke_range=None` keeps strokes as drawn.
    """
    ink = clean_ink(ink)
    ink, mask = remove_specks(ink, ink > NOISE_FLOOR, SPECK_FRACTION)
    box = ink_bbox(mask)
    if box is None:
        return _blank()
    top, left, bottom, right = box
    if max(bottom - top, right - left) < max(2.0, MIN_EXTENT_FRACTION * max(ink.shape)):
        return _blank()
    cropped = _normalised(ink[top:bottom, left:right])
    source, measured, change = _adjust_strokes(cropped, stroke_range)
    scale = BOX_SIZE / max(source.shape)
    source_com = center_of_mass(source)
    shift = tuple(
        min(max(centre - (c + 0.5) * scale + 0.5, 0.0), FRAME_SIZE - size * scale)
        for centre, c, size in zip(CENTRE, source_com, source.shape, strict=True)
    )
    mnist = np.clip(_normalised(place(source, scale, shift)), 0.0, 1.0)
    return Framing(False, box, cropped, source, shift, mnist, measured, change)


def _blank() -> Framing:
    """The framing of an ink map with no digit in it: an all-zero frame."""
    nothing = np.zeros((0, 0), dtype=np.float32)
    return Framing(True, None, nothing, nothing, None, np.zeros((FRAME_SIZE, FRAME_SIZE), dtype=np.float32), None, 0.0)


def place(source: np.ndarray, scale: float, shift: tuple) -> np.ndarray:
    """The 28x28 frame holding `source` scaled by `scale` with its top-left corner at `shift`
    (row, col), fractions of a pixel included: rounding the shift to whole pixels would put
    the centre of mass up to half a pixel off, and that measurably costs accuracy.

    Pillow resamples the source rectangle that lands on the frame, so shrinking stays
    anti-aliased; the source is padded with no-ink first so the rectangle lies inside it."""
    height, width = source.shape
    top = -shift[0] / scale
    left = -shift[1] / scale
    bottom = top + FRAME_SIZE / scale
    right = left + FRAME_SIZE / scale
    pad = math.ceil(max(0.0, -top, -left, bottom - height, right - width)) + 2
    surround = Image.fromarray(padded(np.asarray(source, dtype=np.float32), pad))
    framed = surround.resize(
        (FRAME_SIZE, FRAME_SIZE), Image.Resampling.BILINEAR, box=(left + pad, top + pad, right + pad, bottom + pad)
    )
    return _float_pixels(framed)


def mnist_style(ink: np.ndarray, stroke_range: tuple | None = MNIST_STROKE_RANGE) -> np.ndarray:
    """Any (H, W) ink map in 0..1 to the (28, 28) float32 MNIST framing; all zeros if blank."""
    return frame(ink, stroke_range).mnist


def plain_resize(ink: np.ndarray) -> np.ndarray:
    """What naive demos do, to show why framing matters: the whole canvas squeezed to 28x28."""
    return np.clip(resize(clean_ink(ink), FRAME_SIZE, FRAME_SIZE), 0.0, 1.0)
