"""MNIST digits redrawn with a round pen, so that training sees strokes like the app's canvas.

A canvas stroke has one width from end to end and round ends; an MNIST stroke was scanned from
paper and swells and fades with the pressure of the pen. The app's framing (preprocess) takes
out size, place and overall width, but not that texture, and it costs accuracy on drawings. So a
digit is thinned to its centre line and drawn again with a disc:

    28x28 --2x bilinear--> 56x56 --threshold--> ink --Zhang-Suen--> skeleton
          --distance to the skeleton, round pen of a random radius, anti-aliased--> 56x56
          --2x2 mean--> 28x28, 0..1, for training.augment to warp and frame the MNIST way

Everything runs on the whole batch at once (thinning: imaging.thinning). Coordinates follow
training.augment.
"""

import numpy as np

from imaging import thinning

SCALE = 2  # drawing grid per MNIST pixel: fine enough for round ends, cheap enough per epoch
THRESHOLD = 0.4  # ink for the skeleton, on the upsampled digit (training/synthesis.py uses 110/255)
MAX_ROUNDS = 20  # Zhang-Suen rounds; MNIST strokes at SCALE 2 need about 4
CHUNK = 512  # images per pass: keeps the working arrays in cache
# Pen width, in MNIST pixels of the 28x28 frame, drawn uniformly per image. The app brings
# drawn strokes to 1.7-2.4 px (preprocess.MNIST_STROKE_RANGE); a little beyond both ends, as
# training.augment's thickness part does for MNIST's own strokes. (Why this is not the canvas's
# pen: training/synthesis.py, by APP_PEN.)
WIDTH = (1.2, 2.9)
SOFTNESS = 0.25  # at most this much of a 3x3 blur on top of the pen's own anti-aliasing


def thin(images: np.ndarray) -> np.ndarray:
    """One-pixel skeletons (N, H, W) bool of boolean or 0/1 images (N, H, W) (imaging.thinning,
    at most MAX_ROUNDS rounds), without lone pixels: those are specks of the scan, not strokes,
    and a pen would not draw them."""
    skeletons = thinning.thin(images, max_rounds=MAX_ROUNDS)
    return skeletons & ~thinning.isolated(skeletons)


def disc_offsets(reach: int) -> tuple:
    """Offsets (dy, dx) within reach, grouped by squared length: [(d2, [(dy, dx), ...]), ...]
    in increasing d2, so the first group to touch a pixel gives its distance to the skeleton."""
    groups = {}
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            d2 = dy * dy + dx * dx
            if d2 <= reach * reach:
                groups.setdefault(d2, []).append((dy, dx))
    return tuple(sorted(groups.items()))


def skeleton_distance(skeletons: np.ndarray, reach: int) -> np.ndarray:
    """(N, H, W) float32: distance from each pixel centre to the nearest skeleton pixel, exact
    up to reach and reach + 1 beyond it (far enough for any pen of radius under reach)."""
    n, h, w = skeletons.shape
    padded = np.pad(skeletons, ((0, 0), (reach, reach), (reach, reach)))
    d2 = np.full((n, h, w), (reach + 1) ** 2, dtype=np.float32)
    reached = np.zeros((n, h, w), dtype=bool)
    for value, offsets in disc_offsets(reach):
        hit = np.zeros((n, h, w), dtype=bool)
        for dy, dx in offsets:
            hit |= padded[:, reach + dy : reach + dy + h, reach + dx : reach + dx + w]
        hit &= ~reached
        d2[hit] = value
        reached |= hit
    return np.sqrt(d2)


def box_blur(images: np.ndarray) -> np.ndarray:
    """3x3 mean, by array shifts (zero outside)."""
    p = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    rows = p[:, :-2] + p[:, 1:-1] + p[:, 2:]
    return (rows[:, :, :-2] + rows[:, :, 1:-1] + rows[:, :, 2:]) / np.float32(9.0)


def redraw(skeletons: np.ndarray, radius: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ink (N, H, W) float32 in 0..1 of a round pen of radius[i] px (any real > 0) moved along
    skeleton i. Coverage falls from 1 to 0 across the pen's edge over one pixel, so widths vary
    smoothly with radius; rng draws how much extra blur each image gets (canvases and resizing
    soften edges by different amounts)."""
    skeletons = np.asarray(skeletons, dtype=bool)
    radius = np.asarray(radius, dtype=np.float32).reshape(-1, 1, 1)
    softness = rng.uniform(0.0, SOFTNESS, size=(len(skeletons), 1, 1)).astype(np.float32)
    reach = int(np.ceil(radius.max(initial=0.0) + 0.5))
    out = np.empty(skeletons.shape, dtype=np.float32)
    for start in range(0, len(skeletons), CHUNK):
        part = slice(start, start + CHUNK)
        distance = skeleton_distance(skeletons[part], reach)
        ink = np.clip(radius[part] + np.float32(0.5) - distance, 0.0, 1.0)
        out[part] = ink + softness[part] * (box_blur(ink) - ink)
    return out


def upsample(images: np.ndarray) -> np.ndarray:
    """(N, H, W) -> (N, 2H, 2W) bilinear on pixel centres: each new pixel is 3/4 of the nearer
    and 1/4 of the farther old one along each axis (edges repeat)."""
    p = np.pad(images, ((0, 0), (1, 1), (1, 1)), mode="edge")
    near, before, after = p[:, 1:-1], p[:, :-2], p[:, 2:]
    rows = np.stack([0.75 * near + 0.25 * before, 0.75 * near + 0.25 * after], axis=2)
    rows = rows.reshape(len(images), -1, p.shape[2])
    near, before, after = rows[:, :, 1:-1], rows[:, :, :-2], rows[:, :, 2:]
    out = np.stack([0.75 * near + 0.25 * before, 0.75 * near + 0.25 * after], axis=3)
    return out.reshape(len(images), rows.shape[1], -1).astype(np.float32)


def downsample(images: np.ndarray) -> np.ndarray:
    """(N, 2H, 2W) -> (N, H, W): mean of each 2x2 block."""
    n, h, w = images.shape
    return images.reshape(n, h // 2, 2, w // 2, 2).mean(axis=(2, 4), dtype=np.float32)


def pen_strokes(x: np.ndarray, rng: np.random.Generator, width: tuple = WIDTH) -> np.ndarray:
    """x ((N, 784) or (N, 28, 28), 0..1) redrawn with a round pen of a random width per image
    (uniform in width, MNIST px), in x's shape, float32 in 0..1, peak 1, not framed again:
    training.augment frames it (after its other distortions; training.augment.frame alone frames it as the
    app frames drawings)."""
    images = np.asarray(x, dtype=np.float32).reshape(-1, 28, 28)
    n = len(images)
    radius = rng.uniform(width[0], width[1], size=n).astype(np.float32) * (SCALE / 2)
    skeletons = thin(upsample(images) > THRESHOLD)
    drawn = downsample(redraw(skeletons, radius, rng))
    # A digit too faint to leave a skeleton stays as it was rather than vanish.
    empty = ~skeletons.any(axis=(1, 2))
    drawn[empty] = images[empty]
    peak = drawn.max(axis=(1, 2), keepdims=True)
    drawn = drawn / np.where(peak > 0, peak, 1.0)
    return drawn.reshape(np.shape(x)).astype(np.float32)
