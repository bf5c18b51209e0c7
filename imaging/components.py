"""Connected pieces of ink (8-connected), found from horizontal runs so that it is vectorised
NumPy, no SciPy: the app drops specks of noise with it, the drawing synthesis stray bits of a
skeleton.
"""

import numpy as np


def ink_runs(mask: np.ndarray) -> tuple:
    """Horizontal runs of True in a 2-D mask: (rows, starts, ends), end exclusive, in
    row-major order. A False column appended to every row keeps runs from wrapping, so the
    whole mask is scanned as one flat array."""
    height, width = mask.shape
    stride = width + 1
    padded = np.zeros((height, stride), dtype=bool)
    padded[:, :width] = mask
    flat = padded.ravel()
    edges = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    if flat[0]:
        edges = np.concatenate(([0], edges))
    rows = edges[0::2] // stride
    return rows, edges[0::2] - rows * stride, edges[1::2] - rows * stride


def label_runs(rows: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int) -> np.ndarray:
    """A component id per run (the smallest run index in its component), 8-connected: runs
    on neighbouring rows touch when they overlap or meet at a corner."""
    count = len(rows)
    labels = np.arange(count)
    if count < 2:
        return labels
    stride = width + 2
    start_keys = rows * stride + starts
    end_keys = rows * stride + ends
    below = (rows + 1) * stride
    first = np.searchsorted(end_keys, below + starts, side="left")
    last = np.searchsorted(start_keys, below + ends, side="right")
    touching = np.maximum(last - first, 0)
    # Pair k of run i is (i, first[i] + k): list every pair flat.
    upper = np.repeat(np.arange(count), touching)
    pair_start = np.cumsum(touching) - touching
    lower = np.arange(touching.sum()) - np.repeat(pair_start - first, touching)
    if len(upper) == 0:
        return labels
    # Hook each pair's roots to the smaller one, then jump pointers to roots, until settled. The
    # checks are (a == b).all(): np.array_equal's own checks cost more than the comparison here.
    while True:
        smaller = np.minimum(labels[upper], labels[lower])
        np.minimum.at(labels, labels[upper], smaller)
        np.minimum.at(labels, labels[lower], smaller)
        while True:
            jumped = labels[labels]
            if (jumped == labels).all():
                break
            labels = jumped
        if (labels[upper] == labels[lower]).all():
            return labels


def piece_sizes(mask: np.ndarray) -> np.ndarray:
    """(H, W) int: for each True pixel of a 2-D mask the number of pixels of its piece, 0 elsewhere."""
    mask = np.asarray(mask, dtype=bool)
    rows, starts, ends = ink_runs(mask)
    lengths = ends - starts
    labels = label_runs(rows, starts, ends, mask.shape[1])
    area = np.bincount(labels, weights=lengths, minlength=len(rows)).astype(np.int64)
    sizes = np.zeros(mask.shape, dtype=np.int64)
    sizes[mask] = np.repeat(area[labels], lengths)  # runs cover the True pixels in row-major order
    return sizes
