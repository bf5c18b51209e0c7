"""Connected pieces of ink, found from horizontal runs so that it is vectorised NumPy
(no SciPy in the app): used to drop specks of noise that would stretch the digit's box.
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
    # Hook each pair's roots to the smaller one, then jump pointers to roots, until settled.
    while True:
        smaller = np.minimum(labels[upper], labels[lower])
        np.minimum.at(labels, labels[upper], smaller)
        np.minimum.at(labels, labels[lower], smaller)
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(labels[upper], labels[lower]):
            return labels


def remove_specks(ink: np.ndarray, mask: np.ndarray, min_fraction: float) -> tuple:
    """(ink with small pieces zeroed, mask of what is kept): a piece is a speck when it
    covers less than `min_fraction` of the mask's pixels."""
    rows, starts, ends = ink_runs(mask)
    if len(rows) < 2:
        return ink, mask
    labels = label_runs(rows, starts, ends, mask.shape[1])
    lengths = ends - starts
    piece_area = np.bincount(labels, weights=lengths, minlength=len(rows))
    specks = piece_area[labels] < min_fraction * lengths.sum()
    if not specks.any():
        return ink, mask
    ink = ink.copy()
    mask = mask.copy()
    for row, start, end in zip(rows[specks], starts[specks], ends[specks], strict=True):
        ink[row, start:end] = 0.0
        mask[row, start:end] = False
    return ink, mask
