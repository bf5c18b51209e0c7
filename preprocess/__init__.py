"""Drawings to MNIST-style 28x28 inputs: decode the bytes, find the ink, frame it as MNIST did.

Knows nothing of Flask or of the network: NumPy, Pillow and the standard library, and (where
installed) libspng and zlib-ng to decode canvas PNGs faster (preprocess/fast_png.py).
"""

from preprocess.decode import PreprocessError
from preprocess.decode import decode_image
from preprocess.framing import MNIST_STROKE_RANGE
from preprocess.framing import mnist_style
from preprocess.framing import plain_resize
from preprocess.ink import ink_map
from preprocess.pipeline import Steps
from preprocess.pipeline import mnistify
from preprocess.png import to_png

__all__ = [
    "MNIST_STROKE_RANGE",
    "PreprocessError",
    "Steps",
    "decode_image",
    "ink_map",
    "mnist_style",
    "mnistify",
    "plain_resize",
    "to_png",
]
