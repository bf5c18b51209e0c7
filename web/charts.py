"""Chart data for the inside page: one forward pass (nn.Trace) turned into what the SVG templates draw.

Pure functions: grid layouts, the ten output bars, the whole path of one input, the softmax step
by step, the activation plot and the what-if answers. Colours come from web/scales.py, one
neuron's detail from web/inside/neuron.py. NumPy lives here, not in the views; nothing here knows Flask.
Every number shown comes from the trace or the model's own arrays.
"""

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from nn import Network
from nn import Trace
from nn import softmax
from nn import softmax_naive
from nn.functions import ACTIVATIONS
from web.filters import exact
from web.filters import percent
from web.filters import short
from web.scales import Scale
from web.scales import activation_scale
from web.scales import diverging

OVERFLOW_LOGITS = (1010.0, 1000.0, 990.0)  # the book's example: exp(1010) overflows float32 and float64


def shape(*dims: int) -> str:
    """(100, 784) as the book prints shapes; a single axis keeps its comma: (784,)."""
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


# --- Grids of cells -------------------------------------------------------------------------------


def grid_columns(n: int) -> int:
    """Cells per row: 28 for an image, 10 for small layers (neuron 37 = row 3, column 7), else
    about square."""
    if n == 784:
        return 28
    if n <= 100:
        return min(n, 10)
    return math.ceil(math.sqrt(n))


@dataclass
class Cell:
    i: int
    x: int
    y: int
    fill: str
    value: str  # exact
    short: str  # 4 significant digits


@dataclass
class Grid:
    """One chart of cells: the input image, a layer's a or z, a neuron's weights or evidence."""

    symbol: str  # what a cell holds, e.g. "a1" or "x"; the readout prints symbol[i] = value
    cells: list
    columns: int
    rows: int
    scale: Scale
    gap: float  # the gap between cells, in cell widths (0 for images)

    @property
    def size(self) -> float:
        return round(1 - self.gap, 3)


def grid(symbol: str, values: np.ndarray, scale: Scale, columns: int | None = None, gap: float = 0.12) -> Grid:
    values = np.asarray(values).ravel()
    n = values.size
    columns = columns or grid_columns(n)
    fills, texts = scale.colours(values), exact(values)
    shorts = [short(v) for v in values.tolist()]
    cells = [Cell(i, i % columns, i // columns, fills[i], texts[i], shorts[i]) for i in range(n)]
    return Grid(symbol, cells, columns, math.ceil(n / columns), scale, gap)


def image_grid(symbol: str, values: np.ndarray, scale: Scale) -> Grid:
    """784 values as the 28x28 image they came from, without gaps."""
    return grid(symbol, values, scale, columns=28, gap=0.0)


# --- Bars (the ten outputs) ---------------------------------------------------------------------------


@dataclass
class Bar:
    i: int
    value: str
    short: str
    start: float  # from 0 to 1 of the bar area
    length: float
    fill: str
    winner: bool
    text: str  # what is printed at the end of the bar


@dataclass
class Bars:
    symbol: str
    bars: list
    zero: float  # where 0 sits, 0..1 of the bar area
    scale: Scale


def logit_bars(a: np.ndarray) -> Bars:
    """The output layer's a (any sign): bars from a zero line, blue left, orange right."""
    scale = diverging(a)
    limit = scale.high
    fills, texts, winner = scale.colours(a), exact(a), int(np.argmax(a))
    bars = []
    for i, v in enumerate(np.asarray(a, dtype=np.float64).tolist()):
        length = abs(v) / limit / 2
        start = 0.5 if v >= 0 else 0.5 - length
        bars.append(Bar(i, texts[i], short(v), round(start, 4), round(length, 4), fills[i], i == winner, short(v)))
    return Bars("a", bars, 0.5, scale)


def probability_bars(y: np.ndarray) -> Bars:
    """Softmax output: bars from 0 to 1; the winner stands out by colour, weight and a mark."""
    scale = Scale("sequential", 0.0, 1.0)
    texts, winner = exact(y), int(np.argmax(y))
    bars = [
        Bar(
            i,
            texts[i],
            short(v),
            0.0,
            round(float(v), 4),
            "#d55e00" if i == winner else "#0072b2",
            i == winner,
            percent(v),
        )
        for i, v in enumerate(np.asarray(y, dtype=np.float64).tolist())
    ]
    return Bars("y", bars, 0.0, scale)


# --- The whole path of one input ----------------------------------------------------------------------


@dataclass
class Layer:
    """One Affine layer and, for hidden layers, its activation: a = x·W + b, z = h(a)."""

    number: int  # 1-based
    output: bool  # the output layer has logits a and no h
    size: int
    n_in: int
    x_shape: str
    w_shape: str
    b_shape: str
    out_shape: str
    a: Grid | Bars
    z: Grid | None
    table: list  # (i, short a, short z or None) for the table alternative


@dataclass
class Path:
    input: Grid
    layers: list
    probabilities: Bars
    digit: int
    confidence: float
    activation: str
    batch: int  # rows in the trace's batch


def layer_views(trace: Trace, network: Network, activation: str, row: int = 0) -> list:
    layers = []
    for i, a_all in enumerate(trace.a, start=1):
        a = a_all[row]
        W = network.params[f"W{i}"]
        output = i == network.depth
        if output:
            a_chart, z_chart = logit_bars(a), None
            a_cells, z_cells = a_chart.bars, [None] * a.size
        else:
            z = trace.z[i - 1][row]
            a_chart = grid(f"a{i}", a, diverging(a))
            z_chart = grid(f"z{i}", z, activation_scale(z, activation))
            a_cells, z_cells = a_chart.cells, z_chart.cells
        n_in, n_out = W.shape
        layers.append(
            Layer(
                number=i,
                output=output,
                size=n_out,
                n_in=n_in,
                x_shape=shape(n_in),  # one image, as the book's shapes: x (784,) gives a1 (50,)
                w_shape=shape(n_in, n_out),
                b_shape=shape(n_out),
                out_shape=shape(n_out),
                a=a_chart,
                z=z_chart,
                table=[(c.i, c.short, zc.short if zc else None) for c, zc in zip(a_cells, z_cells, strict=True)],
            )
        )
    return layers


def path(trace: Trace, network: Network, activation: str, row: int = 0) -> Path:
    """Everything the inside page charts for row `row` of the trace."""
    y = trace.y[row]
    return Path(
        input=image_grid("x", trace.x[row], Scale("ink", 0.0, 1.0)),
        layers=layer_views(trace, network, activation, row),
        probabilities=probability_bars(y),
        digit=int(np.argmax(y)),
        confidence=float(np.max(y)),
        activation=activation,
        batch=int(trace.x.shape[0]),
    )


def input_table(trace: Trace, row: int = 0) -> list:
    """The 28x28 input as 28 rows of short values, for the table alternative."""
    x = trace.x[row].reshape(28, 28)
    return [[short(v) for v in r] for r in x.tolist()]


def first_of_each_digit(labels: np.ndarray) -> list:
    """[(digit, index of its first test image)] for the digits 0 to 9 that occur in labels."""
    return [(d, int(np.argmax(labels == d))) for d in range(10) if np.any(labels == d)]


# --- The softmax, step by step --------------------------------------------------------------------------


@dataclass
class SoftmaxStep:
    i: int
    a: float
    shifted: float
    exp: float
    y: float
    winner: bool


@dataclass
class SoftmaxSteps:
    rows: list
    max: float
    sum: float
    overflow: list  # (a, exp(a), softmax_naive, softmax) for each of OVERFLOW_LOGITS; inf and nan included
    argmax_a: int
    argmax_y: int


def softmax_steps(a: np.ndarray) -> SoftmaxSteps:
    """a, a - max(a), exp, sum, divide: the same float32 operations as nn.softmax, shown one by one."""
    a = np.asarray(a, dtype=np.float32)
    peak = a.max()
    shifted = a - peak
    e = np.exp(shifted)
    total = e.sum()
    y = e / total
    winner = int(np.argmax(y))
    rows = [
        SoftmaxStep(i, float(a[i]), float(shifted[i]), float(e[i]), float(y[i]), i == winner) for i in range(a.size)
    ]
    demo = np.array(OVERFLOW_LOGITS, dtype=np.float32)
    with np.errstate(over="ignore"):
        demo_exp = np.exp(demo)
    columns = (demo, demo_exp, softmax_naive(demo), softmax(demo))
    overflow = list(zip(*(c.tolist() for c in columns), strict=True))
    return SoftmaxSteps(rows, float(peak), float(total), overflow, int(np.argmax(a)), winner)


# --- What if: the same weights behind every activation -------------------------------------------------------


@dataclass
class Answer:
    activation: str
    digit: int
    confidence: float
    own: bool  # the activation the model was trained with
    current: bool  # the one the page shows


def answers_by_activation(network: Network, x: np.ndarray, current: str, order: list = tuple(ACTIVATIONS)) -> list:
    """The network's answer for input x (784,) with each hidden activation, same weights."""
    answers = []
    for name in order:
        y = network.forward(x, name).y[0]
        answers.append(Answer(name, int(np.argmax(y)), float(np.max(y)), name == network.activation, name == current))
    return answers


@dataclass
class Curve:
    activation: str
    points: str  # SVG polyline points


@dataclass(frozen=True)
class Frame:
    """A plot's coordinates: data x in x_range across `width`, data y in y_range up `height` (SVG's
    y grows downwards)."""

    width: int
    height: int
    x_range: tuple
    y_range: tuple

    def x(self, v):
        return (np.asarray(v, dtype=np.float64) - self.x_range[0]) / (self.x_range[1] - self.x_range[0]) * self.width

    def y(self, v):
        low, high = self.y_range
        return self.height - (np.asarray(v, dtype=np.float64) - low) / (high - low) * self.height


@dataclass
class ActivationPlot:
    frame: Frame
    curves: list
    x_axis: float  # y coordinate of the line y = 0
    y_axis: float  # x coordinate of the line x = 0
    one: float  # y coordinate of the line y = 1
    ticks: list  # (x coordinate, label) along the x axis

    @property
    def width(self) -> int:
        return self.frame.width

    @property
    def height(self) -> int:
        return self.frame.height


@cache
def activation_plot(
    width: int = 200, height: int = 120, x_range: tuple = (-4.0, 4.0), y_range: tuple = (-1.0, 2.0)
) -> ActivationPlot:
    """step, sigmoid, ReLU and identity drawn from nn's own functions, as SVG polylines."""
    frame = Frame(width, height, x_range, y_range)
    x = np.linspace(*x_range, 161, dtype=np.float32)
    x = np.sort(np.append(x, [-1e-6, 1e-6]).astype(np.float32))  # the step's jump at 0
    curves = []
    for name, h in ACTIVATIONS.items():
        px, py = frame.x(x), frame.y(h(x))
        curves.append(Curve(name, " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px.tolist(), py.tolist(), strict=True))))
    ticks = [(round(float(frame.x(t)), 1), str(t)) for t in range(int(x_range[0]), int(x_range[1]) + 1, 2)]
    return ActivationPlot(
        frame, curves, round(float(frame.y(0)), 1), round(float(frame.x(0)), 1), round(float(frame.y(1)), 1), ticks
    )
