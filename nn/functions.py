"""The activation and output functions of chapter 3, plus the loss of chapter 4.

Every function works on a single vector or on a batch: the last axis holds the neurons, so a
batch of N images is just an (N, 784) array. Results are float32, like the book's weights.
"""

import numpy as np


def step_function(x: np.ndarray) -> np.ndarray:
    """1 where x > 0, else 0: the perceptron's all-or-nothing activation."""
    return (np.asarray(x) > 0).astype(np.float32)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), written with tanh so that large |x| never overflows exp."""
    x = np.asarray(x, dtype=np.float32)
    return (0.5 * (1.0 + np.tanh(0.5 * x))).astype(np.float32)


def relu(x: np.ndarray) -> np.ndarray:
    """max(0, x)."""
    return np.maximum(np.asarray(x, dtype=np.float32), np.float32(0))


def identity(x: np.ndarray) -> np.ndarray:
    """x unchanged: the output function for regression, and the 'linear' hidden layer."""
    return np.asarray(x, dtype=np.float32)


def softmax(a: np.ndarray) -> np.ndarray:
    """exp(a) / sum(exp(a)) over the last axis, with the max subtracted first so exp cannot
    overflow; the subtraction cancels in the fraction, so the result is unchanged."""
    a = np.asarray(a, dtype=np.float32)
    exp_a = np.exp(a - a.max(axis=-1, keepdims=True))
    return exp_a / exp_a.sum(axis=-1, keepdims=True)


def softmax_naive(a: np.ndarray) -> np.ndarray:
    """The textbook formula without the max trick: overflows to nan for logits like 1010.
    Kept only to show why softmax() subtracts the max."""
    a = np.asarray(a, dtype=np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        exp_a = np.exp(a)
        return exp_a / exp_a.sum(axis=-1, keepdims=True)


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """Mean of -log y[label] over the batch; t holds labels or one-hot rows. The small
    epsilon keeps log(0) finite."""
    y = np.atleast_2d(y)
    t = np.asarray(t)
    if t.ndim == y.ndim:
        t = t.argmax(axis=-1)
    picked = y[np.arange(y.shape[0]), t.reshape(-1)]
    return float(-np.log(picked + 1e-7).mean())


ACTIVATIONS = {
    "sigmoid": sigmoid,
    "relu": relu,
    "step": step_function,
    "identity": identity,
}
