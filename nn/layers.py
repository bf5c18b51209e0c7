"""Layers with forward and backward, as in chapter 5: forward keeps what backward needs.

Shapes: x is (N, n_in); W is (n_in, n_out); b is (n_out,). No layer changes its inputs in place.
"""

import numpy as np

from nn.functions import cross_entropy_error
from nn.functions import relu
from nn.functions import sigmoid
from nn.functions import softmax


class Affine:
    """a = x . W + b."""

    def __init__(self, W: np.ndarray, b: np.ndarray):
        self.W, self.b = W, b
        self.x = None
        self.dW = self.db = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class Sigmoid:
    """z = sigmoid(a); dz/da = z (1 - z)."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.out = sigmoid(a)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.out * (1.0 - self.out)


class Relu:
    """z = max(0, a); the gradient passes only where a > 0."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.mask = a > 0
        return relu(a)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.mask


class Dropout:
    """Chapter 6's dropout: while training, each hidden neuron is silenced with probability
    ratio and the rest scaled by 1 / (1 - ratio), so that inference needs no change at all."""

    def __init__(self, ratio: float, rng: np.random.Generator):
        self.ratio, self.rng = ratio, rng

    def forward(self, x: np.ndarray) -> np.ndarray:
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.ratio
        self.mask = keep * np.float32(1.0 / (1.0 - self.ratio))
        return x * self.mask

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.mask


class SoftmaxWithLoss:
    """Softmax then cross-entropy; together their gradient is simply (y - t) / N. t holds labels
    (N,) or one-hot rows (N, 10), as for cross_entropy_error."""

    def forward(self, a: np.ndarray, t: np.ndarray) -> float:
        self.y = softmax(a)
        self.t = np.asarray(t)
        return cross_entropy_error(self.y, self.t)

    def backward(self, dout: float = 1.0) -> np.ndarray:
        n = self.y.shape[0]
        if self.t.size == self.y.size:
            dx = self.y - self.t
        else:
            dx = self.y.copy()
            dx[np.arange(n), self.t] -= 1.0
        return dx * (dout / n)


ACTIVATION_LAYERS = {"sigmoid": Sigmoid, "relu": Relu}
