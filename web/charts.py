"""Chart data for the inside page: one forward pass (nn.Trace) turned into what the SVG templates draw.

Pure functions: colour scales, grid layouts, exact values as text, the softmax step by step, the
activation plot, one neuron's incoming weights and evidence. NumPy lives here, not in the views;
nothing here knows Flask. Every number shown comes from the trace or the model's own arrays.
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
from web.filters import percent  # one rule for probabilities on every page

OVERFLOW_LOGITS = (1010.0, 1000.0, 990.0)  # the book's example: exp(1010) overflows float32 and float64
TOP_INPUTS = 8  # a deeper neuron's detail lists this many strongest inputs


# --- Colour scales (colour-blind safe) ------------------------------------------------------------

STEPS = 257  # colours per palette: odd, so that the middle of a diverging scale is exactly its middle stop


def _ramp(stops: list, steps: int = STEPS) -> np.ndarray:
    """Hex colours at `steps` evenly spaced points along a piecewise-linear ramp through `stops`."""
    rgb = np.array([[int(s[i : i + 2], 16) for i in (1, 3, 5)] for s in stops], dtype=float)
    at = np.linspace(0, len(stops) - 1, steps)
    lower = np.minimum(at.astype(int), len(stops) - 2)
    frac = (at - lower)[:, None]
    mixed = np.rint(rgb[lower] * (1 - frac) + rgb[lower + 1] * frac).astype(int)
    return np.array([f"#{r:02x}{g:02x}{b:02x}" for r, g, b in mixed], dtype=object)


# Blue (negative) - near white (0) - orange (positive): blue and orange stay apart for every common
# colour-vision deficiency, and lightness alone already says "far from zero".
DIVERGING_STOPS = ["#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fee0b6", "#fdb863", "#e08214", "#b35806"]
# viridis (perceptually uniform, readable in greyscale), dark = low, yellow = high.
SEQUENTIAL_STOPS = [
    "#440154",
    "#482878",
    "#3e4989",
    "#31688e",
    "#26828e",
    "#1f9e89",
    "#35b779",
    "#6ece58",
    "#b5de2b",
    "#fde725",
]
INK_STOPS = ["#000000", "#ffffff"]  # the input as MNIST shows it: no ink black, ink white
PALETTES = {"diverging": _ramp(DIVERGING_STOPS), "sequential": _ramp(SEQUENTIAL_STOPS), "ink": _ramp(INK_STOPS)}
LEGEND_STOPS = {"diverging": DIVERGING_STOPS, "sequential": SEQUENTIAL_STOPS, "ink": INK_STOPS}


ROBUST_FROM = 100  # charts of this many values or more scale to the 99th percentile, not the maximum
ROBUST_PERCENTILE = 99


@dataclass(frozen=True)
class Scale:
    """A colour scale from `low` to `high`; diverging scales are symmetric around 0. `clipped`:
    a few values lie beyond the ends and take the end colours (their exact values stay on hover)."""

    kind: str  # "diverging", "sequential" or "ink"
    low: float
    high: float
    clipped: bool = False

    def colours(self, values: np.ndarray) -> list:
        t = (np.asarray(values, dtype=np.float64) - self.low) / (self.high - self.low)
        index = np.clip(np.rint(np.nan_to_num(t, nan=0.5) * (STEPS - 1)), 0, STEPS - 1).astype(int)
        return PALETTES[self.kind][index].tolist()

    @property
    def stops(self) -> list:
        """(offset in %, colour) for the legend's gradient."""
        colours = LEGEND_STOPS[self.kind]
        return [(round(100 * i / (len(colours) - 1), 2), c) for i, c in enumerate(colours)]

    @property
    def ticks(self) -> list:
        """Labels under the legend: low, (0,) high; ≤ and ≥ when values lie beyond the ends."""
        middle = [short(0.0)] if self.kind == "diverging" else []
        low = ("≤" if self.clipped and self.kind == "diverging" else "") + short(self.low)
        return [low, *middle, ("≥" if self.clipped else "") + short(self.high)]


def _reach(magnitudes: np.ndarray) -> tuple:
    """(how far the scale reaches, whether values lie beyond): the largest value, or for large
    charts the 99th percentile, so that one outlier does not wash out every other cell."""
    magnitudes = magnitudes[np.isfinite(magnitudes)]
    if not magnitudes.size:
        return 0.0, False
    top = float(magnitudes.max())
    if magnitudes.size >= ROBUST_FROM:
        robust = float(np.percentile(magnitudes, ROBUST_PERCENTILE))
        if 0 < robust < top:
            return robust, True
    return top, False


def diverging(values: np.ndarray) -> Scale:
    """Symmetric around 0 (so that 0 is always the neutral colour), out to the largest |value|
    (large charts: its 99th percentile)."""
    limit, clipped = _reach(np.abs(np.asarray(values, dtype=np.float64)).ravel())
    if not limit > 0:
        return Scale("diverging", -1.0, 1.0)
    return Scale("diverging", -limit, limit, clipped)


def sequential(values: np.ndarray, low: float = 0.0, high: float | None = None) -> Scale:
    """From `low` to `high` (default: the largest value, large charts its 99th percentile)."""
    clipped = False
    if high is None:
        high, clipped = _reach(np.asarray(values, dtype=np.float64).ravel() - low)
        high += low
    return Scale("sequential", low, max(high, low + 1e-6), clipped)


def activation_scale(z: np.ndarray, activation: str) -> Scale:
    """How to colour a hidden layer's output z = h(a): sigmoid and step live in [0, 1]; ReLU in
    [0, max]; identity can go negative, so it gets the diverging scale of a."""
    if activation in ("sigmoid", "step"):
        return sequential(z, 0.0, 1.0)
    if activation == "relu":
        return sequential(z, 0.0)
    return diverging(z)


# --- Numbers as text --------------------------------------------------------------------------------


def exact(values: np.ndarray) -> list:
    """Each value as text that parses back to the same float32 (9 significant digits)."""
    return [f"{v:.9g}" for v in (np.asarray(values, dtype=np.float64).ravel() + 0.0).tolist()]  # + 0.0: no "-0"


def short(value: float) -> str:
    """A value for reading at a glance: 4 significant digits."""
    value = float(value)
    if value == 0:
        return "0"
    return f"{value:.4g}"


def shape(*dims: int) -> str:
    """(1, 784) as the book prints shapes; a single axis keeps its comma: (50,)."""
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
                x_shape=shape(1, n_in),  # one image, as the chapter prints the shapes
                w_shape=shape(n_in, n_out),
                b_shape=shape(n_out),
                out_shape=shape(1, n_out),
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
    a: str
    shifted: str
    exp: str
    y: str
    winner: bool


@dataclass
class SoftmaxSteps:
    rows: list
    max: str
    sum: str
    overflow: list  # (a, exp(a), softmax_naive, softmax) for each of OVERFLOW_LOGITS
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
        SoftmaxStep(i, short(a[i]), short(shifted[i]), short(e[i]), short(y[i]), i == winner) for i in range(a.size)
    ]
    demo = np.array(OVERFLOW_LOGITS, dtype=np.float32)
    with np.errstate(over="ignore"):
        demo_exp = np.exp(demo)
    columns = (demo, demo_exp, softmax_naive(demo), softmax(demo))
    overflow = [tuple(_show(v) for v in values) for values in zip(*(c.tolist() for c in columns), strict=True)]
    return SoftmaxSteps(rows, short(peak), short(total), overflow, int(np.argmax(a)), winner)


def _show(v: float) -> str:
    """short() that also names nan and inf as NumPy prints them."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return short(v)


# --- What if: the same weights behind every activation -------------------------------------------------------


@dataclass
class Answer:
    activation: str
    digit: int
    confidence: str
    own: bool  # the activation the model was trained with
    current: bool  # the one the page shows


def answers_by_activation(network: Network, x: np.ndarray, current: str, order: list = tuple(ACTIVATIONS)) -> list:
    """The network's answer for input x (784,) with each hidden activation, same weights."""
    answers = []
    for name in order:
        y = network.forward(x, name).y[0]
        answers.append(Answer(name, int(np.argmax(y)), percent(np.max(y)), name == network.activation, name == current))
    return answers


@dataclass
class Curve:
    activation: str
    points: str  # SVG polyline points


@dataclass
class ActivationPlot:
    curves: list
    width: int
    height: int
    x_axis: float  # y coordinate of the line y = 0
    y_axis: float  # x coordinate of the line x = 0
    one: float  # y coordinate of the line y = 1
    ticks: list  # (x coordinate, label) along the x axis


@cache
def activation_plot(
    width: int = 200, height: int = 120, x_range: tuple = (-4.0, 4.0), y_range: tuple = (-1.0, 2.0)
) -> ActivationPlot:
    """step, sigmoid, ReLU and identity drawn from nn's own functions, as SVG polylines."""
    x = np.linspace(*x_range, 161, dtype=np.float32)
    x = np.sort(np.append(x, [-1e-6, 1e-6]).astype(np.float32))  # the step's jump at 0

    def sx(v):
        return (np.asarray(v, dtype=np.float64) - x_range[0]) / (x_range[1] - x_range[0]) * width

    def sy(v):
        return height - (np.asarray(v, dtype=np.float64) - y_range[0]) / (y_range[1] - y_range[0]) * height

    curves = []
    for name, h in ACTIVATIONS.items():
        px, py = sx(x), sy(h(x))
        curves.append(Curve(name, " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px.tolist(), py.tolist(), strict=True))))
    ticks = [(round(float(sx(t)), 1), str(t)) for t in range(int(x_range[0]), int(x_range[1]) + 1, 2)]
    return ActivationPlot(
        curves, width, height, round(float(sy(0)), 1), round(float(sx(0)), 1), round(float(sy(1)), 1), ticks
    )


# --- One neuron up close ------------------------------------------------------------------------------


@dataclass
class Contribution:
    i: int  # neuron of the previous layer
    z: str
    w: str
    product: str
    positive: bool


@dataclass
class Neuron:
    layer: int
    neuron: int
    output: bool
    n_in: int
    weights: Grid  # incoming weights, laid out like the previous layer (28x28 for layer 1)
    evidence: Grid  # weight x input, same layout
    weighted_sum: str  # sum of the evidence
    bias: str
    a: str
    z: str | None  # h(a) for hidden layers
    y: str | None  # softmax probability for output neurons
    top: list  # strongest Contribution first (deeper layers)
    input_symbol: str  # "x" or "z1", ...
    positive_total: str
    negative_total: str
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
        texts_z, texts_w, texts_p = inputs.tolist(), w.tolist(), evidence.tolist()
        for j in np.argsort(-np.abs(evidence), kind="stable")[:TOP_INPUTS].tolist():
            top.append(Contribution(j, short(texts_z[j]), short(texts_w[j]), short(texts_p[j]), texts_p[j] >= 0))
    output = layer == network.depth
    a = trace.a[layer - 1][row][index]
    return Neuron(
        layer=layer,
        neuron=index,
        output=output,
        n_in=w.size,
        weights=weights_chart,
        evidence=evidence_chart,
        weighted_sum=short(evidence.sum(dtype=np.float64)),
        bias=short(b[index]),
        a=short(a),
        z=None if output else short(trace.z[layer - 1][row][index]),
        y=percent(trace.y[row][index]) if output else None,
        top=top,
        input_symbol=symbol,
        positive_total=short(evidence[evidence > 0].sum(dtype=np.float64)),
        negative_total=short(evidence[evidence < 0].sum(dtype=np.float64)),
        rows=[(short(wi), short(ei)) for wi, ei in zip(w.tolist(), evidence.tolist(), strict=True)],
    )
