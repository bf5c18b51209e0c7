"""How MNIST framed its digits, and the two measurements that framing needs, batched.

MNIST fitted each digit's ink into a 20x20 box and put its centre of mass at the centre of a
28x28 frame. The app frames drawings that way (preprocess.framing) and training frames distorted
digits that way (training.augment): both read these constants and call these functions.
"""

import numpy as np

FRAME_SIZE = 28
BOX_SIZE = 20
# Mean centre of mass of the MNIST test digits, in (row, col) pixel-index coordinates: (13.99, 14.01).
CENTRE = (14.0, 14.0)
NOISE_FLOOR = 0.1  # ink below this does not count for the box


def ink_box(mask: np.ndarray) -> np.ndarray:
    """(..., 4) int: top, left, bottom, right (bottom and right exclusive) of the True pixels of
    each (..., H, W) mask; all four 0 where a mask has no True pixel."""
    mask = np.asarray(mask, dtype=bool)
    h, w = mask.shape[-2:]
    rows, cols = mask.any(axis=-1), mask.any(axis=-2)
    inked = rows.any(axis=-1)
    top, left = rows.argmax(axis=-1), cols.argmax(axis=-1)
    bottom, right = h - rows[..., ::-1].argmax(axis=-1), w - cols[..., ::-1].argmax(axis=-1)
    return np.where(inked[..., None], np.stack([top, left, bottom, right], axis=-1), 0)


def centre_of_mass(images: np.ndarray, dtype=np.float64) -> tuple:
    """(rows, cols) of each (..., H, W) image's centre of mass, in pixel-index coordinates; the
    image's centre where it holds no ink. Row and column sums are taken in the images' own dtype,
    the weighted sums and the division in `dtype` (float32 keeps a training batch fast)."""
    h, w = images.shape[-2:]
    total = images.sum(axis=(-2, -1))
    safe = np.where(total > 0, total, 1.0)
    rows = np.where(total > 0, (images.sum(axis=-1) @ np.arange(h, dtype=dtype)) / safe, (h - 1) / 2)
    cols = np.where(total > 0, (images.sum(axis=-2) @ np.arange(w, dtype=dtype)) / safe, (w - 1) / 2)
    return rows, cols
