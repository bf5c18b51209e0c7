"""Zhang and Suen's thinning (1984): strokes of any width become one-pixel centre lines.

Each pixel's 8 neighbours are packed into one byte and looked up in a 256-entry table per
sub-iteration, so a sub-iteration is a dozen array operations for a whole batch of images.
"""

import numpy as np

CHUNK = 512  # images per pass: keeps the working arrays in cache
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


def _thin_chunk(mask: np.ndarray, max_rounds: int | None) -> np.ndarray:
    padded = np.pad(mask.astype(np.uint8), ((0, 0), (1, 1), (1, 1)))
    inner = padded[:, 1:-1, 1:-1]
    active = np.arange(len(mask))  # images still changing: finished ones cost nothing
    rounds = 0
    while len(active) and (max_rounds is None or rounds < max_rounds):
        changed = np.zeros(len(active), dtype=bool)
        for table in TABLES:
            sub = padded[active]
            remove = np.take(table, neighbour_codes(sub)) & sub[:, 1:-1, 1:-1]
            changed |= remove.any(axis=(1, 2))
            inner[active] = sub[:, 1:-1, 1:-1] ^ remove
        active = active[changed]
        rounds += 1
    return inner.astype(bool)


def thin(images: np.ndarray, max_rounds: int | None = None) -> np.ndarray:
    """One-pixel skeletons (N, H, W) bool of boolean or 0/1 images (N, H, W): the two
    sub-iterations repeated until nothing changes, or at most max_rounds times."""
    mask = np.asarray(images).astype(bool)
    out = np.empty(mask.shape, dtype=bool)
    for start in range(0, len(mask), CHUNK):
        out[start : start + CHUNK] = _thin_chunk(mask[start : start + CHUNK], max_rounds)
    return out


def isolated(mask: np.ndarray) -> np.ndarray:
    """(N, H, W) bool: the True pixels of mask (N, H, W) that have no True 8-neighbour."""
    mask = np.asarray(mask, dtype=bool)
    padded = np.pad(mask.astype(np.uint8), ((0, 0), (1, 1), (1, 1)))
    return mask & (neighbour_codes(padded) == 0)
