"""Connected pieces of ink, found from horizontal runs so that it is vectorised NumPy
(no SciPy in the app): used to drop specks of noise that would stretch the digit's box.
"""

import numpy as np


def ink_runs(mask: np.ndarray) -> tuple:
    """Horizontal runs of True in a 2-D mask: (rows, starts, ends), end exclusive, in
    row-major order."""
    height, width = mask.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)
    rows, starts = np.nonzero(steps == 1)
    _, ends = np.nonzero(steps == -1)
    return rows, starts, ends


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
    upper = np.repeat(np.arange(count), touching)
    lower = np.arange(touching.sum()) - np.repeat(np.cumsum(touching) - touching, touching) + np.repeat(first, touching)
    if len(upper) == 0:
        return labels
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
    """(ink with small pieces zeroed, mask of what is kept): a piece is a speck when it holds
    less than `min_fraction` of all the ink in the mask."""
    rows, starts, ends = ink_runs(mask)
    if len(rows) == 0:
        return ink, mask
    labels = label_runs(rows, starts, ends, mask.shape[1])
    row_sums = np.zeros((ink.shape[0], ink.shape[1] + 1), dtype=np.float64)
    np.cumsum(ink * mask, axis=1, out=row_sums[:, 1:])
    run_mass = row_sums[rows, ends] - row_sums[rows, starts]
    piece_mass = np.bincount(labels, weights=run_mass, minlength=len(rows))
    specks = piece_mass[labels] < min_fraction * run_mass.sum()
    if not specks.any():
        return ink, mask
    ink = ink.copy()
    mask = mask.copy()
    for row, start, end in zip(rows[specks], starts[specks], ends[specks], strict=True):
        ink[row, start:end] = 0.0
        mask[row, start:end] = False
    return ink, mask
