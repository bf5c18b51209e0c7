"""What the lesson pages compute and chart: NumPy here, nothing of Flask (the views stay thin).

Every number comes from the project's own `nn` functions; the pages show the source of the
functions below and of `nn` (`source()`), so what a student reads is what ran.
"""

import inspect
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from nn import Network
from nn import Trace
from nn import softmax
from nn import softmax_naive
from nn.functions import ACTIVATIONS
from web import charts
from web.filters import fixed
from web.filters import is_rounded_away

ROOT = Path(__file__).resolve().parents[2]  # the project: paths shown as nn/functions.py


# --- Source, shown rather than copied ---------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    path: str  # relative to the project, e.g. nn/functions.py
    name: str  # sigmoid, Network.forward ...
    text: str


@cache
def source(obj) -> Code:
    """The source of a function or method as it is in the file that ran."""
    path = Path(inspect.getsourcefile(obj)).resolve()
    try:
        path = path.relative_to(ROOT)
    except ValueError:
        pass
    return Code(path.as_posix(), obj.__qualname__, textwrap.dedent(inspect.getsource(obj)).rstrip())


def exact(value: float) -> str:
    """A value for data-value attributes: 9 significant digits parse back to the same float32."""
    return f"{float(value) + 0.0:.9g}"


# --- Lesson 2: one neuron ------------------------------------------------------------------------------


def neuron_output(x: np.ndarray, w: np.ndarray, b: float, h) -> tuple:
    """(a, y) of one neuron: a = b + w1*x1 + w2*x2, y = h(a). x: (2,) or a batch (N, 2)."""
    a = np.dot(x, w) + b
    y = h(a)
    return a, y


PLANE = 2.0  # the heat map covers x1, x2 from -PLANE to PLANE
CELLS = 40  # cells per side


@dataclass
class HeatMap:
    runs: list  # (colour, SVG path of its cells) in data coordinates (x1, -x2)
    boundary: tuple | None  # (x1, -x2, x1', -x2') of the line a = 0, None when w1 = w2 = 0
    marker: tuple  # (x1, -x2) of the chosen input
    scale: charts.Scale
    low: str
    high: str
    firing: float  # share of the plane with a > 0, 0..1
    ticks: list  # axis labels


def neuron_scale(y: np.ndarray, activation: str) -> charts.Scale:
    """Fixed scales, so that moving b or a weight changes the colours, not the legend."""
    if activation in ("step", "sigmoid"):
        return charts.Scale("sequential", 0.0, 1.0)
    if activation == "relu":
        return charts.Scale("sequential", 0.0, 4.0, clipped=bool((y > 4).any()))
    return charts.Scale("diverging", -4.0, 4.0, clipped=bool((np.abs(y) > 4).any()))


def neuron_plane(w: np.ndarray, b: float, activation: str, x: np.ndarray) -> HeatMap:
    """The neuron's output over the (x1, x2) plane, as runs of same-coloured cells."""
    size = 2 * PLANE / CELLS
    centres = -PLANE + size * (np.arange(CELLS) + 0.5)
    x1, x2 = np.meshgrid(centres, centres[::-1])  # row 0 at the top: the largest x2
    points = np.stack([x1.ravel(), x2.ravel()], axis=1).astype(np.float32)
    a, y = neuron_output(points, w.astype(np.float32), np.float32(b), ACTIVATIONS[activation])
    scale = neuron_scale(y, activation)
    colours = np.array(scale.colours(y), dtype=object).reshape(CELLS, CELLS)
    paths: dict = {}
    for row in range(CELLS):
        top = PLANE - size * row
        start = 0
        for column in range(1, CELLS + 1):
            if column == CELLS or colours[row, column] != colours[row, start]:
                left = -PLANE + size * start
                width = size * (column - start)
                paths.setdefault(colours[row, start], []).append(
                    f"M{left:.2f} {-top:.2f}h{width:.2f}v{size:.2f}h{-width:.2f}z"
                )
                start = column
    return HeatMap(
        runs=[(colour, "".join(parts)) for colour, parts in paths.items()],
        boundary=boundary_line(w, b),
        marker=(float(x[0]), -float(x[1])),
        scale=scale,
        low=fixed(y.min()),
        high=fixed(y.max()),
        firing=float((a > 0).mean()),
        ticks=[-2, -1, 0, 1, 2],
    )


def boundary_line(w: np.ndarray, b: float) -> tuple | None:
    """Two far points of b + w1*x1 + w2*x2 = 0 (SVG coordinates x1, -x2); the plot clips them."""
    w1, w2 = float(w[0]), float(w[1])
    far = 10 * PLANE
    if w2 != 0:
        return (-far, (b + w1 * -far) / w2, far, (b + w1 * far) / w2)  # -x2 = (b + w1*x1) / w2
    if w1 != 0:
        return (-b / w1, -far, -b / w1, far)
    return None


# --- Lesson 3: activation functions ---------------------------------------------------------------------

CHAPTER_ORDER = ("step", "sigmoid", "relu", "identity")  # as the chapter meets them
PLOT_X = (-6.0, 6.0)
PLOT_Y = (-1.5, 2.5)
PLOT_SIZE = (480, 240)


@dataclass
class Marker:
    activation: str
    value: str  # printed, 4 decimals
    exact: str
    cx: float
    cy: float
    clipped: bool  # off the plot: the marker sits on its edge


def activation_values(x: float) -> dict:
    """{name: h(x)} for step, sigmoid, ReLU and identity (the chapter's order), from nn.functions."""
    x = np.float32(x)
    return {name: float(ACTIVATIONS[name](x)) for name in CHAPTER_ORDER}


def activation_markers(x: float) -> list:
    """Where x and each h(x) sit on the lesson's plot (activation_plot())."""
    frame = activation_plot().frame
    cx = float(frame.x(x))
    markers = []
    for name, y in activation_values(x).items():
        cy = float(frame.y(y))
        clipped = not 0 <= cy <= frame.height
        markers.append(Marker(name, fixed(y), exact(y), round(cx, 1), round(min(max(cy, 0), frame.height), 1), clipped))
    return markers


def activation_plot() -> charts.ActivationPlot:
    return charts.activation_plot(*PLOT_SIZE, PLOT_X, PLOT_Y)


def linear_layers(c: float, x: float) -> tuple:
    """Three layers with h(x) = c*x, and the one layer they equal: (h(h(h(x))), c**3 * x)."""

    def h(x):
        return c * x

    return h(h(h(x))), c**3 * x


def slider(value: float) -> str:
    """A slider's value as the range input and its label write it: one decimal, a dot."""
    return f"{value:.1f}"


def collapsed(value: float) -> str:
    """h(h(h(x))) and c³·x to 6 significant digits: equal up to rounding in the last bits."""
    return f"{value:.6g}"


# --- Lesson 4: softmax ----------------------------------------------------------------------------------


@dataclass
class Shown:
    """A value as a lesson prints it (filters.fixed), exactly (9 significant digits, for
    data-value), and whether 4 decimals alone would have misled (the page then offers the exact
    value on focus)."""

    text: str
    exact: str
    rounded: bool


def shown(value: float) -> Shown:
    return Shown(fixed(value), exact(value), is_rounded_away(value))


def softmax_steps(a: np.ndarray) -> tuple:
    """The book's softmax, step by step: (a - c, exp(a - c), their sum, y) with c = max(a)."""
    c = np.max(a)
    exp_a = np.exp(a - c)
    sum_exp_a = np.sum(exp_a)
    y = exp_a / sum_exp_a
    return a - c, exp_a, sum_exp_a, y


@dataclass
class SoftmaxRow:
    i: int
    a: Shown
    shifted: Shown  # a - max(a)
    exp: Shown  # exp(a - max(a))
    naive: Shown
    safe: Shown
    safe_width: str  # bar length, 0..100, for the SVG


@dataclass
class SoftmaxTable:
    rows: list
    exp_sum: str
    naive_sum: str
    safe_sum: str
    naive_argmax: int | None  # None: nan, no maximum
    safe_argmax: int
    a_argmax: int


def softmax_table(a: np.ndarray) -> SoftmaxTable:
    """softmax_naive and softmax of the logits a side by side, with the steps between (a - max(a),
    exp of it), the sums and the argmax."""
    naive, safe = softmax_naive(a), softmax(a)
    shifted, exp_a, sum_exp_a, _y = softmax_steps(a)
    with np.errstate(invalid="ignore", over="ignore"):
        naive_sum, safe_sum = naive.sum(), safe.sum()
    rows = [
        SoftmaxRow(
            i,
            shown(a[i]),
            shown(shifted[i]),
            shown(exp_a[i]),
            shown(naive[i]),
            shown(safe[i]),
            f"{100 * float(safe[i]):.2f}",
        )
        for i in range(a.size)
    ]
    naive_argmax = None if np.isnan(naive).any() else int(np.argmax(naive))
    return SoftmaxTable(
        rows,
        fixed(sum_exp_a),
        fixed(naive_sum, whole=True),
        fixed(safe_sum, whole=True),
        naive_argmax,
        int(np.argmax(safe)),
        int(np.argmax(a)),
    )


# --- Lesson 5: the network -------------------------------------------------------------------------------


@dataclass
class Layer:
    index: int  # 0 for the input
    kind: str  # "input", "hidden", "output"
    size: int
    W: tuple | None  # shape of W_i (None for the input)
    b: tuple | None
    a: tuple | None  # shape of a_i = np.dot(z_{i-1}, W_i) + b_i, from the trace
    z: tuple | None  # shape of z_i = h(a_i) (hidden) or y = softmax(a_i) (output)
    weights: int  # how many parameters this layer adds


def shape_of(array: np.ndarray) -> str:
    return charts.shape(*array.shape)


def network_layers(network: Network, trace: Trace) -> list:
    """Every layer with the shapes its arrays really have for one image x (784,)."""
    sizes = network.sizes
    layers = [Layer(0, "input", sizes[0], None, None, None, shape_of(trace.x[0]), 0)]
    for i in range(1, network.depth + 1):
        W, b = network.params[f"W{i}"], network.params[f"b{i}"]
        out = trace.z[i - 1][0] if i < network.depth else trace.y[0]
        kind = "hidden" if i < network.depth else "output"
        layers.append(
            Layer(
                i, kind, sizes[i], shape_of(W), shape_of(b), shape_of(trace.a[i - 1][0]), shape_of(out), W.size + b.size
            )
        )
    return layers


@dataclass
class Chain:
    x: str  # X's shape, e.g. (100, 784)
    layers: list  # per layer: {"W": its weights' shape, "a": the shape of X·W + B}


def shape_chain(network: Network, x: np.ndarray) -> Chain:
    """The shapes of a batch x (N, 784) through the network, from its real forward pass:
    (100, 784) · (784, 50) → (100, 50) · (50, 100) → (100, 100) · (100, 10) → (100, 10)."""
    trace = network.forward(x)
    layers = [dict(W=shape_of(network.params[f"W{i}"]), a=shape_of(a)) for i, a in enumerate(trace.a, start=1)]
    return Chain(shape_of(trace.x), layers)
