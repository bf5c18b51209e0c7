"""The whole way from uploaded bytes to the network's input, keeping every step so that
the pages can show what happened to a drawing."""

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from preprocess.decode import decode_image
from preprocess.framing import MNIST_STROKE_RANGE
from preprocess.framing import Framing
from preprocess.framing import frame
from preprocess.framing import plain_resize
from preprocess.ink import SIXTEEN_BIT_MODES
from preprocess.ink import ink_map

# Photos can be 16 megapixels; a digit needs nothing like that, and memory and time grow with it.
MAX_WORKING_SIDE = 1024


@dataclass
class Steps(Framing):
    """One drawing's preprocessing: the Framing of its ink plus where that ink came from; arrays
    are float32 in 0..1, coordinates are (row, col).

    size: (width, height) of the decoded image; mode: its Pillow mode.
    ink: (H, W) ink map, of the image itself or, when its longer side is over MAX_WORKING_SIDE,
    of the image shrunk by a whole factor (bbox is in ink's pixels).
    blank: no digit found (then mnist is all zeros; bbox, shift, center_of_mass and
    stroke_width are None; cropped, source and fitted are empty).
    bbox: (top, left, bottom, right) of the ink in `ink`, bottom/right exclusive.
    cropped: the ink inside bbox, scaled so its strongest pixel is 1.
    source: cropped with its strokes brought to MNIST width, at 4x the 20 px box.
    fitted: the digit with its longer side 20 px (source shrunk; made when first asked for).
    center_of_mass: of `fitted`, in its pixel indices. shift: where fitted's top-left corner
    went in the 28x28, in pixels with fractions (the digit is placed to a fraction of a
    pixel), so center_of_mass + shift is about (14, 14) (fitted is a separately rounded
    picture: within a third of a pixel; mnist's own centre of mass is within 0.05 px) unless
    the digit had to be pushed back inside the frame.
    mnist: (28, 28), what the network reads. plain: (28, 28) naive resize of the whole image,
    made when first asked for (the JSON API never shows it).
    stroke_width: the drawing's stroke width in 20 px-box pixels as drawn (MNIST: about
    1.7 to 3); stroke_change: how much it was widened (+) or thinned (-).
    """

    size: tuple
    mode: str
    ink: np.ndarray

    @functools.cached_property
    def plain(self) -> np.ndarray:
        return plain_resize(self.ink)


def mnistify(data: bytes, stroke_range: tuple | None = MNIST_STROKE_RANGE) -> Steps:
    """Image bytes (PNG from the canvas, or any raster format Pillow reads) to every step of
    preprocessing. Raises PreprocessError, with a message for the user, for bad uploads."""
    image = decode_image(data)
    ink = ink_map(shrink_for_work(image))
    framing = frame(ink, stroke_range)
    framed = {field.name: getattr(framing, field.name) for field in dataclasses.fields(framing)}
    return Steps(**framed, size=image.size, mode=image.mode, ink=ink)


def shrink_for_work(image: Image.Image) -> Image.Image:
    """The image box-averaged by the smallest whole factor that brings its longer side to
    MAX_WORKING_SIDE or less; unchanged if already that small. Palette, 1-bit and 16-bit images
    are first turned into modes whose pixels can be averaged."""
    factor = math.ceil(max(image.size) / MAX_WORKING_SIDE)
    if factor <= 1:
        return image
    if image.mode in SIXTEEN_BIT_MODES:
        image = Image.fromarray(np.asarray(image).astype(np.float32) / 65535.0)
    elif image.mode in ("P", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
    elif image.mode == "1":
        image = image.convert("L")
    return image.reduce(factor)
