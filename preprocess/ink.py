"""Any Pillow image to an ink map: (H, W) float32, 1 = full ink, 0 = background.

People draw dark on light, light on dark, or on a transparent canvas, in any colour. So ink
is not "darkness": it is how far a pixel is from the background, and the background is
estimated from the image's border, where a digit rarely is. On a transparent background
the ink is the opacity, whatever the colour of the strokes.
"""

import functools

import numpy as np
from PIL import Image

from preprocess.decode import PreprocessError

BORDER_FRACTION = 0.02
INK_FLOOR = 0.08
GREY_MODES = ("1", "L", "LA", "La")
SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N")
ALPHA_MODES = ("RGBA", "RGBa", "LA", "La", "PA")
LEVELS = np.arange(256, dtype=np.float32)  # the values of an 8-bit channel, for its lookup tables


def _scale_wide(values: np.ndarray) -> np.ndarray:
    """32-bit integer or float pixels to 0..1: their range is not in the mode, so guess it
    from the largest value (1, 255 or 65535 full scale)."""
    values = np.nan_to_num(values.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    top = float(values.max(initial=0.0))
    full_scale = 1.0 if top <= 1.0 else 255.0 if top <= 255.0 else 65535.0
    return np.clip(values / full_scale, 0.0, 1.0)


def _pixels(image: Image.Image) -> tuple:
    """(colour (H, W, C), alpha (H, W) or None when opaque, full scale of both, packed): 8-bit modes
    stay uint8 (full scale 255) so that big canvases are not copied as floats needlessly. `packed`
    is RGBA pixels as one little-endian uint32 each, alpha the top byte (else None): NumPy reads a
    row of whole pixels several times faster than every fourth byte."""
    mode = image.mode
    if mode in SIXTEEN_BIT_MODES:
        return (np.asarray(image).astype(np.float32) / 65535.0)[..., None], None, 1.0, None
    if mode in ("I", "F"):
        return _scale_wide(np.asarray(image))[..., None], None, 1.0, None
    has_alpha = mode in ALPHA_MODES or "transparency" in image.info
    if mode in GREY_MODES:
        target = "LA" if has_alpha else "L"
    else:
        target = "RGBA" if has_alpha else "RGB"
    try:
        pixels = np.asarray(image if image.mode == target else image.convert(target))
    except ValueError as exc:
        raise PreprocessError(f"Images in Pillow mode {mode} are not supported.", "mode", mode=mode) from exc
    if pixels.ndim == 2:
        return pixels[..., None], None, 255.0, None
    if not has_alpha:
        return pixels, None, 255.0, None
    alpha = pixels[..., -1]
    if pixels.shape[2] == 4:
        packed = pixels.view("<u4")[..., 0]
        opaque = packed.min() >= 0xFF000000  # every alpha byte 255
        return pixels[..., :-1], (None if opaque else alpha), 255.0, packed
    return pixels[..., :-1], (alpha if alpha.min() < 255 else None), 255.0, None


def border_pixels(values: np.ndarray) -> np.ndarray:
    """The pixels of a band around the edge, (N, ...) : where the background is."""
    height, width = values.shape[:2]
    band = max(1, round(min(height, width) * BORDER_FRACTION))
    if 2 * band >= min(height, width):
        return values.reshape(height * width, *values.shape[2:])
    parts = [values[:band], values[-band:], values[band:-band, :band], values[band:-band, -band:]]
    return np.concatenate([part.reshape(-1, *values.shape[2:]) for part in parts])


def border_median(values: np.ndarray, packed: np.ndarray | None = None) -> np.ndarray:
    """np.median(border_pixels(values), axis=0) as float32. A canvas's border is one colour,
    and then that colour is the median: no sorting. `packed`, the same pixels as one number each
    (other channels may come along), makes that check one comparison per pixel instead of one
    per channel; a border one colour in `values` but not in `packed` still gets the median."""
    pixels = border_pixels(values if packed is None else packed)
    if (pixels == pixels[0]).all():
        return values[0, 0].astype(np.float32)
    return np.median(border_pixels(values), axis=0).astype(np.float32)


def ink_map(image: Image.Image) -> np.ndarray:
    """How much ink each pixel holds, (H, W) float32 in 0..1.

    Transparent background (border mostly transparent): ink = alpha. Otherwise the background
    colour is the median of the border, and ink is the largest per-channel distance from it,
    relative to the largest distance that channel allows (so black on mid-grey is full ink),
    weighted by alpha. INK_FLOOR is taken off everything (and the rest stretched back to
    0..1) so that paper grain, JPEG ripples and scanner noise are no ink at all.
    """
    colour, alpha, full, packed = _pixels(image)
    if alpha is not None and float(border_median(alpha)) < full / 2:
        return _without_floor(LEVELS / np.float32(full)).take(alpha)
    background = border_median(colour, packed)
    ink = None
    # Channels on the same background share one table; one background for all needs no np.unique.
    values = background[:1] if (background == background[0]).all() else np.unique(background)
    for value in values:
        channels = [colour[..., c] for c in range(colour.shape[2]) if background[c] == value]
        distance = _distance(channels, value, full)
        ink = distance if ink is None else np.maximum(ink, distance, out=ink)
    if alpha is not None:
        ink *= (LEVELS / np.float32(full)).take(alpha)
    return ink


def _distance(channels: list, background: np.floating, full: float) -> np.ndarray:
    """The largest distance from `background` over channels that share it, relative to the
    largest distance possible, floor taken off. For 8-bit channels the distance is a 256-entry
    table that never falls as |value - background| grows, so the largest of the channels' entries
    is the larger of the entries of their darkest and brightest values: two lookups, not one
    per channel (a canvas's RGB is three channels on one white), and one on a white or black
    background, which no value lies beyond."""
    reach = max(background, full - background)
    if channels[0].dtype != np.uint8:
        values = functools.reduce(np.maximum, [np.abs(c - background) for c in channels])
        return _without_floor(values / reach)
    table = _without_floor(np.abs(LEVELS - background) / reach)
    if len(channels) == 1:
        return table.take(channels[0])
    darkest = table.take(functools.reduce(np.minimum, channels)) if background > 0 else None
    brightest = table.take(functools.reduce(np.maximum, channels)) if background < full else None
    if darkest is None or brightest is None:
        return brightest if darkest is None else darkest
    return np.maximum(darkest, brightest, out=darkest)


def _without_floor(values: np.ndarray) -> np.ndarray:
    """INK_FLOOR taken off and the rest stretched back to 0..1, clipped."""
    return np.clip((values - INK_FLOOR) / np.float32(1.0 - INK_FLOOR), 0.0, 1.0).astype(np.float32, copy=False)
