"""One drawing, read once: decode and preprocess once, one forward pass, one result that the
drawing page, the inside page and the JSON API all render. Where a page compares the MNIST-style
input with the plain resize, the two go through the network together, as a batch of two
(chapter 3's batches at work); otherwise the batch is the one row."""

from dataclasses import dataclass

import numpy as np

from nn import Model
from nn import Trace
from preprocess import Steps
from preprocess import mnistify

UNSURE_BELOW = 0.6  # below this top probability the page says the network is unsure


@dataclass
class Reading:
    steps: Steps
    trace: Trace  # row 0: the MNIST-style input, row 1 (when compared): the plain resize
    model: Model
    activation: str

    @property
    def blank(self) -> bool:
        return self.steps.blank

    @property
    def probabilities(self) -> list:
        return [float(p) for p in self.trace.y[0]]

    @property
    def compared(self) -> bool:
        """Whether the plain resize went through the network too (row 1)."""
        return len(self.trace.y) > 1

    @property
    def plain_probabilities(self) -> list | None:
        return [float(p) for p in self.trace.y[1]] if self.compared else None

    @property
    def digit(self) -> int | None:
        return None if self.blank else int(np.argmax(self.trace.y[0]))

    @property
    def plain_digit(self) -> int | None:
        return None if self.blank or not self.compared else int(np.argmax(self.trace.y[1]))

    @property
    def confidence(self) -> float:
        return 0.0 if self.blank else float(self.trace.y[0].max())

    @property
    def unsure(self) -> bool:
        return not self.blank and self.confidence < UNSURE_BELOW

    @property
    def top_two(self) -> list:
        """[(digit, probability), (digit, probability)], most likely first."""
        order = np.argsort(self.trace.y[0])[::-1][:2]
        return [(int(d), float(self.trace.y[0][d])) for d in order]


def read_drawing(data: bytes, model: Model, activation: str | None = None, compare_plain: bool = False) -> Reading:
    """Bytes of an image -> everything the pages show; `compare_plain` reads the plain resize
    too. Raises preprocess.PreprocessError."""
    steps = mnistify(data)
    rows = [steps.mnist, steps.plain] if compare_plain else [steps.mnist]
    x = np.stack([row.reshape(784) for row in rows])
    activation = activation or model.network.activation
    return Reading(steps=steps, trace=model.network.forward(x, activation), model=model, activation=activation)
