"""MNIST digits redrawn with a round pen, so that training sees strokes like the app's canvas.

A canvas stroke has one width from end to end and round ends; an MNIST stroke was scanned from
paper and swells and fades with the pressure of the pen. The app's framing (preprocess) takes
out size, place and overall width, but not that texture, and it costs accuracy on drawings. So a
digit is thinned to its centre line and drawn again with a disc:

    28x28 --2x bilinear--> 56x56 --threshold--> ink --Zhang-Suen--> skeleton
          --distance to the skeleton, round pen of a random radius, anti-aliased--> 56x56
          --2x2 mean--> 28x28 --re-framed the MNIST way (nn.augment.distort)--> 0..1

Everything runs on the whole batch at once. Thinning looks up each pixel's 8 neighbours, packed
into one byte, in a 256-entry table per sub-iteration, so a sub-iteration is a dozen array
operations however many images there are. Coordinates and framing follow nn.augment.
"""

import numpy as np

SCALE = 2  # drawing grid per MNIST pixel: fine enough for round ends, cheap enough per epoch
THRESHOLD = 0.4  # ink for the skeleton, on the upsampled digit (bench/drawings.py uses 110/255)
MAX_ROUNDS = 20  # Zhang-Suen rounds; MNIST strokes at SCALE 2 need about 4
CHUNK = 512  # images per pass: keeps the working arrays in cache
# Pen width, in MNIST pixels of the 28x28 frame, drawn uniformly per image. The app brings
# drawn strokes to 1.7-2.4 px (preprocess.MNIST_STROKE_RANGE); a little beyond both ends, as
# nn.augment's thickness part does for MNIST's own strokes.
WIDTH = (1.2, 2.9)
SOFTNESS = 0.25  # at most this much of a 3x3 blur on top of the pen's own anti-aliasing

# Neighbours P2..P9 of Zhang and Suen, clockwise from north, as (row, col) offsets; bit k of a
# pixel's code is P(k+2).
NEIGHBOURS = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))


def removal_tables() -> tuple:
    """(first, second): for each of the 256 neighbourhoods, whether the sub-iteration deletes the
    pixel. A pixel goes when it has 2-6 neighbours, one 0->1 step around the ring, and (first)
    P2.P4.P6 = P4.P6.P8 = 0 or (second) P2.P4.P8 = P2.P6.P8 = 0: it lies on a south-east or a
    north-west edge and is neither an end nor a bridge."""
    codes = np.arange(256)
    p = [(codes >> k) & 1 for k in range(8)]  # p[0] is P2, p[7] is P9
    count = sum(p)
    steps = sum((p[k] == 0) & (p[(k + 1) % 8] == 1) for k in range(8))
    keep_shape = (count >= 2) & (count <= 6) & (steps == 1)
    p2, p4, p6, p8 = p[0], p[2], p[4], p[6]
    first = keep_shape & (p2 * p4 * p6 == 0) & (p4 * p6 * p8 == 0)
    second = keep_shape & (p2 * p4 * p8 == 0) & (p2 * p6 * p8 == 0)
    return first.astype(np.uint8), second.astype(np.uint8)


TABLES = removal_tables()


def neighbour_codes(padded: np.ndarray) -> np.ndarray:
    """(N, H, W) uint8: each inner pixel's 8 neighbours of padded (N, H+2, W+2) as one byte."""
    h, w = padded.shape[1] - 2, padded.shape[2] - 2
    code = np.zeros((len(padded), h, w), dtype=np.uint8)
    bit = np.empty_like(code)
    for k, (dy, dx) in enumerate(NEIGHBOURS):
        np.left_shift(padded[:, 1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w], k, out=bit)
        code |= bit
    return code


def _thin_chunk(mask: np.ndarray) -> np.ndarray:
    padded = np.pad(mask.astype(np.uint8), ((0, 0), (1, 1), (1, 1)))
    inner = padded[:, 1:-1, 1:-1]
    active = np.arange(len(mask))  # images still changing: finished ones cost nothing
    for _ in range(MAX_ROUNDS):
        changed = np.zeros(len(active), dtype=bool)
        for table in TABLES:
            sub = padded[active]
            remove = np.take(table, neighbour_codes(sub)) & sub[:, 1:-1, 1:-1]
            changed |= remove.any(axis=(1, 2))
            inner[active] = sub[:, 1:-1, 1:-1] ^ remove
        active = active[changed]
        if not len(active):
            break
    # Lone pixels are specks of the scan, not strokes: a pen would not draw them.
    alone = neighbour_codes(padded) == 0
    return inner.astype(bool) & ~alone


def thin(images: np.ndarray) -> np.ndarray:
    """One-pixel skeletons (N, H, W) bool of boolean or 0/1 images (N, H, W), by Zhang and Suen's
    two sub-iterations, repeated until nothing changes (at most MAX_ROUNDS times)."""
    mask = np.asarray(images).astype(bool)
    out = np.empty(mask.shape, dtype=bool)
    for start in range(0, len(mask), CHUNK):
        out[start : start + CHUNK] = _thin_chunk(mask[start : start + CHUNK])
    return out


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


def pen_strokes(x: np.ndarray, rng: np.random.Generator, width: tuple = WIDTH, renormalise: bool = True) -> np.ndarray:
    """x ((N, 784) or (N, 28, 28), 0..1) redrawn with a round pen of a random width per image
    (uniform in width, MNIST px), in x's shape, float32 in 0..1. renormalise: framed again the
    MNIST way (longer side 20 px, centre of mass at (14, 14)), as the app frames drawings; off
    when the caller frames the result itself (nn.augment does, after its other distortions)."""
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
    if renormalise:
        # Imported here: nn.augment imports this module for its "pen" part.
        from nn.augment import distort
        from nn.augment import identity_distortion

        drawn = distort(drawn, identity_distortion(n))
    return drawn.reshape(np.shape(x)).astype(np.float32)
