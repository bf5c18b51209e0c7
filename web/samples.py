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

from nn.mnist import PROJECT_DATA
from nn.mnist import read_split
from web.errors import CodedError
from web.render import is_whole_number
from web.render import shown

_random = random.Random()


@dataclass
class Sample:
    index: int
    label: int
    png: bytes  # 28x28, dark ink on white, as a drawing on the canvas is


class BadSample(CodedError):
    """The request asked for a sample that does not exist; the message says why."""


def test_set() -> tuple:
    """(images (N, 28, 28) uint8, labels (N,) uint8) of the MNIST test set, cached."""
    cache = current_app.extensions.setdefault("digit_samples", {})
    if "test" not in cache:
        cache["test"] = read_split(current_app.config.get("MNIST_DIR", PROJECT_DATA), "test")
    return cache["test"]


def pick_sample(digit: str = "", index: str = "") -> Sample:
    """The test image numbered `index`, else a random one labelled `digit`, else any."""
    images, labels = test_set()
    if index:
        if not is_whole_number(index) or int(index) >= len(images):
            raise BadSample(
                f"no test image “{shown(index)}”; they are numbered 0 to {len(images) - 1}",
                "no_sample",
                index=shown(index),
                last=len(images) - 1,
            )
        chosen = int(index)
    elif digit:
        if digit not in "0123456789" or len(digit) != 1:
            raise BadSample(f"“{shown(digit)}” is not a digit from 0 to 9", "not_a_digit", digit=shown(digit))
        chosen = int(_random.choice(np.flatnonzero(labels == int(digit))))
    else:
        chosen = _random.randrange(len(images))
    buffer = io.BytesIO()
    Image.fromarray(255 - images[chosen]).save(buffer, format="PNG")
    return Sample(index=chosen, label=int(labels[chosen]), png=buffer.getvalue())
