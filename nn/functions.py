"""The activation and output functions of chapter 3, plus the loss of chapter 4.

Every function works on a single vector or on a batch: the last axis holds the neurons, so a
batch of N images is just an (N, 784) array. Results are float32, like the book's weights, except
that float64 stays float64: a numerical gradient check needs the precision.
"""

import numpy as np


def _as_float(x: np.ndarray) -> np.ndarray:
    """x as float32, unless it already is float64."""
    x = np.asarray(x)
    return x if x.dtype == np.float64 else x.astype(np.float32, copy=False)


def step_function(x: np.ndarray) -> np.ndarray:
    """1 where x > 0, else 0: the perceptron's all-or-nothing activation."""
    return (np.asarray(x) > 0).astype(np.float32)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The book's 1 / (1 + exp(-x))."""
    x = _as_float(x)
    # exp(-x) overflows to inf for x < -88 (float32): 1 / (1 + inf) = 0 is
    # then the right limit, so NumPy need not warn. The book's formula as is.
    with np.errstate(over="ignore", under="ignore"):
        return 1 / (1 + np.exp(-x))


def relu(x: np.ndarray) -> np.ndarray:
    """max(0, x)."""
    x = _as_float(x)
    return np.maximum(x, x.dtype.type(0))


def identity(x: np.ndarray) -> np.ndarray:
    """x unchanged: the output function for regression, and the 'linear' hidden layer."""
    return _as_float(x)


def softmax(a: np.ndarray) -> np.ndarray:
    """exp(a) / sum(exp(a)) over the last axis, with the max subtracted first so exp cannot
    overflow; the subtraction cancels in the fraction, so the result is unchanged."""
    a = _as_float(a)
    exp_a = np.exp(a - a.max(axis=-1, keepdims=True))
    return exp_a / exp_a.sum(axis=-1, keepdims=True)


def softmax_naive(a: np.ndarray) -> np.ndarray:
    """The textbook formula without the max trick: overflows to nan for logits like 1010.
    Kept only to show why softmax() subtracts the max."""
    a = _as_float(a)
    with np.errstate(over="ignore", invalid="ignore"):
        exp_a = np.exp(a)
        return exp_a / exp_a.sum(axis=-1, keepdims=True)


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """Mean of -log y[label] over the batch; t holds labels or one-hot rows (as t has as many
    values as y). The small epsilon keeps log(0) finite."""
    y = np.asarray(y)
    t = np.asarray(t)
    if y.ndim == 1:
        y, t = y.reshape(1, -1), t.reshape(1, -1)
    if t.size == y.size:
        t = t.argmax(axis=-1)
    picked = y[np.arange(y.shape[0]), t.reshape(-1)]
    return float(-np.log(picked + 1e-7).mean())


ACTIVATIONS = {
    "sigmoid": sigmoid,
    "relu": relu,
    "step": step_function,
    "identity": identity,
}
