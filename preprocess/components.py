"""Specks of noise, which would stretch the digit's box, dropped: pieces of ink found by
imaging.components (vectorised NumPy, no SciPy in the app).
"""

import numpy as np

from imaging.components import ink_runs
from imaging.components import label_runs


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
