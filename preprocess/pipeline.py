"""The whole way from uploaded bytes to the network's input, keeping every step so that
the pages can show what happened to a drawing."""

from dataclasses import dataclass

import numpy as np

from preprocess.decode import decode_image
from preprocess.framing import MNIST_STROKE_RANGE
from preprocess.framing import frame
from preprocess.framing import plain_resize
from preprocess.ink import ink_map


@dataclass
class Steps:
    """One drawing's preprocessing; arrays are float32 in 0..1, coordinates are (row, col).

    size: (width, height) of the decoded image; mode: its Pillow mode.
    ink: (H, W) ink map. blank: no digit found (then mnist is all zeros and bbox, shift,
    center_of_mass, stroke_width are None; cropped and fitted are empty).
    bbox: (top, left, bottom, right) of the ink in `ink`, bottom/right exclusive.
    cropped: the ink inside bbox, scaled so its strongest pixel is 1.
    fitted: the digit with its longer side 20 px (strokes already brought to MNIST width).
    center_of_mass: of `fitted`, in its pixel indices. shift: where fitted's top-left
    pixel went in the 28x28, so center_of_mass + shift is about (14, 14).
    mnist: (28, 28), what the network reads. plain: (28, 28) naive resize of the whole image.
    stroke_width: the drawing's stroke width in 20 px-box pixels as drawn (MNIST: about
    1.7 to 3); stroke_change: how much it was widened (+) or thinned (-).
    """

    size: tuple
    mode: str
    ink: np.ndarray
    blank: bool
    bbox: tuple | None
    cropped: np.ndarray
    fitted: np.ndarray
    center_of_mass: tuple | None
    shift: tuple | None
    mnist: np.ndarray
    plain: np.ndarray
    stroke_width: float | None
    stroke_change: float


def mnistify(data: bytes, stroke_range: tuple | None = MNIST_STROKE_RANGE) -> Steps:
    """Image bytes (PNG from the canvas, or any raster format Pillow reads) to every step of
    preprocessing. Raises PreprocessError, with a message for the user, for bad uploads."""
    image = decode_image(data)
    ink = ink_map(image)
    framing = frame(ink, stroke_range)
    return Steps(size=image.size, mode=image.mode, ink=ink, blank=framing.blank, bbox=framing.bbox,
                 cropped=framing.cropped, fitted=framing.fitted, center_of_mass=framing.center_of_mass,
                 shift=framing.shift, mnist=framing.mnist, plain=plain_resize(ink),
                 stroke_width=framing.stroke_width, stroke_change=framing.stroke_change)
