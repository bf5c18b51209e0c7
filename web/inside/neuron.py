"""One neuron up close: its incoming weights, weight × input as evidence, the sum, bias, a and
z (or y), and for deeper layers the inputs of the layer before that pushed it most."""

from dataclasses import dataclass

import numpy as np

from nn import Network
from nn import Trace
from web.charts import Grid
from web.charts import grid
from web.charts import image_grid
from web.filters import short
from web.scales import diverging

TOP_INPUTS = 8  # a deeper neuron's detail lists this many strongest inputs


@dataclass
class Contribution:
    i: int  # neuron of the previous layer
    z: float
    w: float
    product: float
    positive: bool


@dataclass
class Neuron:
    layer: int
    neuron: int
    output: bool
    n_in: int
    weights: Grid  # incoming weights, laid out like the previous layer (28x28 for layer 1)
    evidence: Grid  # weight x input, same layout
    weighted_sum: float  # sum of the evidence
    bias: float
    a: float
    z: float | None  # h(a) for hidden layers
    y: float | None  # softmax probability for output neurons
    top: list  # strongest Contribution first (deeper layers)
    input_symbol: str  # "x" or "z1", ...
    positive_total: float
    negative_total: float
    rows: list  # (short w, short evidence) per input, for the table alternative


def neuron(trace: Trace, network: Network, layer: int, index: int, row: int = 0) -> Neuron:
    """Layer `layer` (1-based), neuron `index`: what comes in, what it weighs, what comes out.
    Both must exist in the network (web.inside.parse checks a request's before it gets here)."""
    W, b = network.params[f"W{layer}"], network.params[f"b{layer}"]
    inputs = trace.x[row] if layer == 1 else trace.z[layer - 2][row]
    w = W[:, index]
    evidence = inputs * w
    symbol = "x" if layer == 1 else f"z{layer - 1}"
    if layer == 1:
        weights_chart = image_grid(f"W1[:, {index}]", w, diverging(w))
        evidence_chart = image_grid(f"x·W1[:, {index}]", evidence, diverging(evidence))
    else:
        weights_chart = grid(f"W{layer}[:, {index}]", w, diverging(w))
        evidence_chart = grid(f"{symbol}·W{layer}[:, {index}]", evidence, diverging(evidence))
    top = []
    if layer > 1:
        z_in, w_in, products = inputs.tolist(), w.tolist(), evidence.tolist()
        for j in np.argsort(-np.abs(evidence), kind="stable")[:TOP_INPUTS].tolist():
            top.append(Contribution(j, z_in[j], w_in[j], products[j], products[j] >= 0))
    output = layer == network.depth
    a = trace.a[layer - 1][row][index]
    return Neuron(
        layer=layer,
        neuron=index,
        output=output,
        n_in=w.size,
        weights=weights_chart,
        evidence=evidence_chart,
        weighted_sum=float(evidence.sum(dtype=np.float64)),
        bias=float(b[index]),
        a=float(a),
        z=None if output else float(trace.z[layer - 1][row][index]),
        y=float(trace.y[row][index]) if output else None,
        top=top,
        input_symbol=symbol,
        positive_total=float(evidence[evidence > 0].sum(dtype=np.float64)),
        negative_total=float(evidence[evidence < 0].sum(dtype=np.float64)),
        rows=[(short(wi), short(ei)) for wi, ei in zip(w.tolist(), evidence.tolist(), strict=True)],
    )
