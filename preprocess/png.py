"""Arrays to PNG bytes, for showing the 28x28 inputs on the pages."""

import io

import numpy as np
from PIL import Image

MAX_SCALE = 64


def to_png(a: np.ndarray, scale: int = 1) -> bytes:
    """A 2-D 0..1 array as an 8-bit greyscale PNG, 1 as white and 0 as black, as MNIST is
    usually shown (ink white on black). Each pixel becomes a scale x scale block (nearest
    neighbour), so a 28x28 input stays crisp when shown large. NaN shows as black."""
    values = np.asarray(a, dtype=np.float32)
    if values.ndim != 2 or values.size == 0:
        raise ValueError(f"to_png needs a non-empty 2-D array; got shape {values.shape}")
    if not isinstance(scale, (int, np.integer)) or not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be a whole number from 1 to {MAX_SCALE}; got {scale!r}")
    grey = np.rint(np.clip(np.nan_to_num(values, nan=0.0), 0.0, 1.0) * 255.0).astype(np.uint8)
    if scale > 1:
        grey = np.repeat(np.repeat(grey, scale, axis=0), scale, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(grey).save(buffer, format="PNG")
    return buffer.getvalue()
