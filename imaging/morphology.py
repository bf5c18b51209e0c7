"""Grey-level dilation and erosion by a 3x3 square or cross, for images or batches (..., H, W).

Outside the image there is no ink (0): a stroke at the edge erodes there, and dilation, whose
values are never below 0 in ink images, does not grow past the edge.
"""

import numpy as np

CROSS = ((-1, 0), (1, 0), (0, -1), (0, 1))
SQUARE = (*CROSS, (-1, -1), (-1, 1), (1, -1), (1, 1))


def padded(images: np.ndarray, margin: int) -> np.ndarray:
    """The images (..., H, W) with `margin` pixels of no ink (0) around each: np.pad on the last
    two axes as zeros and one assignment (np.pad's general machinery costs more than a 3x3
    filter on a digit)."""
    h, w = images.shape[-2:]
    out = np.zeros((*images.shape[:-2], h + 2 * margin, w + 2 * margin), dtype=images.dtype)
    out[..., margin : margin + h, margin : margin + w] = images
    return out


def _filter(images: np.ndarray, offsets: tuple, reduce) -> np.ndarray:
    """`reduce` of each pixel and its neighbours at `offsets`, through a copy with a border of no ink."""
    h, w = images.shape[-2:]
    padded_images = padded(images, 1)
    out = images.copy()
    for dy, dx in offsets:
        reduce(out, padded_images[..., 1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w], out=out)
    return out


def dilate(images: np.ndarray, square: bool = True) -> np.ndarray:
    """Each pixel the max of its 3x3 square (or, square=False, of itself and its 4 neighbours)."""
    return _filter(np.asarray(images), SQUARE if square else CROSS, np.maximum)


def erode(images: np.ndarray, square: bool = True) -> np.ndarray:
    """Each pixel the min of its 3x3 square (or, square=False, of itself and its 4 neighbours)."""
    return _filter(np.asarray(images), SQUARE if square else CROSS, np.minimum)
