"""Test-set samples for the drawing page: an MNIST test image as a picture for the canvas, so
that a keyboard user (or a lecturer) can have the network read a real handwritten digit.

The 10,000 test images ship with the project (data/mnist); they are read once, on first use.
"""

import io
import random
from dataclasses import dataclass

import numpy as np
from flask import current_app
from PIL import Image

from nn.mnist import read_split

_random = random.Random()


@dataclass
class Sample:
    index: int
    label: int
    png: bytes  # 28x28, dark ink on white, as a drawing on the canvas is


def test_set() -> tuple:
    """(images (N, 28, 28) uint8, labels (N,) uint8) of the MNIST test set, cached."""
    cache = current_app.extensions.setdefault("digit_samples", {})
    if "test" not in cache:
        cache["test"] = read_split(current_app.config["MNIST_DIR"], "test")
    return cache["test"]


def pick_sample(digit: int | None = None, index: int | None = None) -> Sample:
    """The test image numbered `index`, else a random one labelled `digit`, else any (both
    already checked: web.fields.sample_index and web.fields.digit)."""
    images, labels = test_set()
    if index is not None:
        chosen = index
    elif digit is not None:
        chosen = int(_random.choice(np.flatnonzero(labels == digit)))
    else:
        chosen = _random.randrange(len(images))
    buffer = io.BytesIO()
    Image.fromarray(255 - images[chosen]).save(buffer, format="PNG")
    return Sample(index=chosen, label=int(labels[chosen]), png=buffer.getvalue())
