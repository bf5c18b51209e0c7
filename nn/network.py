"""The layered network of chapter 3: Affine layers with a hidden activation, softmax output.

Parameters are keyed as in the book, W1, b1, W2, b2, ...; W_i has shape (n_{i-1}, n_i). The
forward pass returns a Trace of every step so that pages can chart what the network computed.
"""

from dataclasses import dataclass

import numpy as np

from nn.functions import ACTIVATIONS
from nn.functions import softmax
from nn.layers import ACTIVATION_LAYERS
from nn.layers import Affine
from nn.layers import SoftmaxWithLoss


@dataclass
class Trace:
    """Everything one forward pass computed, for one image (N = 1) or a batch.

    x: (N, 784) input; a[i]: (N, n_{i+1}) pre-activation of layer i+1 (a[-1] are the logits);
    z[i]: (N, n_{i+1}) activation of hidden layer i+1 (one fewer than a); y: (N, 10) softmax.
    """

    x: np.ndarray
    a: list
    z: list
    y: np.ndarray


class Network:
    """A dense network given by its parameters and its hidden activation's name."""

    def __init__(self, params: dict, activation: str = "sigmoid"):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; known: {', '.join(ACTIVATIONS)}")
        self.params = params
        self.activation = activation

    @property
    def depth(self) -> int:
        """How many Affine layers (3 for 784-50-100-10)."""
        return len(self.params) // 2

    @property
    def sizes(self) -> list:
        """Neuron counts from input to output, e.g. [784, 50, 100, 10]."""
        return [self.params["W1"].shape[0]] + [self.params[f"W{i}"].shape[1] for i in range(1, self.depth + 1)]

    @property
    def architecture(self) -> str:
        return "-".join(str(n) for n in self.sizes)

    def forward(self, x: np.ndarray, activation: str | None = None) -> Trace:
        """Run x (784,) or (N, 784) through every layer. `activation` overrides the hidden
        activation for this pass only: the same weights behind a step function, say."""
        name = activation or self.activation
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}")
        h = ACTIVATIONS[name]
        x = np.atleast_2d(np.asarray(x, dtype=np.float32))
        a_list, z_list, z = [], [], x
        for i in range(1, self.depth + 1):
            a = z @ self.params[f"W{i}"] + self.params[f"b{i}"]
            a_list.append(a)
            if i < self.depth:
                z = h(a)
                z_list.append(z)
        return Trace(x=x, a=a_list, z=z_list, y=softmax(a_list[-1]))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Softmax probabilities: (10,) for one image x (784,), (N, 10) for a batch (N, 784), as in the book."""
        y = self.forward(x).y
        return y[0] if np.ndim(x) == 1 else y

    def accuracy(self, x: np.ndarray, t: np.ndarray, batch_size: int = 1000) -> int:
        """How many of the images in x the network labels as t (labels, not one-hot)."""
        correct = 0
        for start in range(0, len(x), batch_size):
            y = self.predict(x[start : start + batch_size])
            correct += int((y.argmax(axis=1) == t[start : start + batch_size]).sum())
        return correct

    def layers(self) -> list:
        """The book's layer list for training: Affine, activation, ..., Affine."""
        if self.activation not in ACTIVATION_LAYERS:
            raise ValueError(f"cannot train with activation {self.activation!r}")
        result = []
        for i in range(1, self.depth + 1):
            result.append(Affine(self.params[f"W{i}"], self.params[f"b{i}"]))
            if i < self.depth:
                result.append(ACTIVATION_LAYERS[self.activation]())
        return result

    def gradient(self, x: np.ndarray, t: np.ndarray) -> tuple:
        """Backpropagation: (loss, {name: dL/dparam}) for a batch with labels t."""
        return backprop(self.layers(), x, t)


def init_params(sizes: list, activation: str, rng: np.random.Generator) -> dict:
    """W_i ~ N(0, scale^2 / n_in) with scale^2 = 1 for sigmoid (Xavier) and 2 for ReLU (He):
    keeps the spread of activations the same from layer to layer. Biases start at 0."""
    gain = 2.0 if activation == "relu" else 1.0
    params = {}
    for i in range(1, len(sizes)):
        n_in, n_out = sizes[i - 1], sizes[i]
        params[f"W{i}"] = (rng.standard_normal((n_in, n_out)) * np.sqrt(gain / n_in)).astype(np.float32)
        params[f"b{i}"] = np.zeros(n_out, dtype=np.float32)
    return params


def backprop(layers: list, x: np.ndarray, t: np.ndarray) -> tuple:
    """Forward through the layers and softmax-with-loss, then backward through them reversed:
    (loss, {W1: dW, b1: db, ...}) numbered by the Affine layers in order."""
    last = SoftmaxWithLoss()
    out = x
    for layer in layers:
        out = layer.forward(out)
    loss = last.forward(out, t)
    dout = last.backward()
    for layer in reversed(layers):
        dout = layer.backward(dout)
    affines = [layer for layer in layers if isinstance(layer, Affine)]
    grads = {}
    for i, layer in enumerate(affines, start=1):
        grads[f"W{i}"], grads[f"b{i}"] = layer.dW, layer.db
    return loss, grads
