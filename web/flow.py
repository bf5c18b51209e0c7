"""The flow view: one forward pass drawn as nodes and edges, from the pixels to the answer.

Shared by the inside page and the network lesson (features never import each other). NumPy and
layout arithmetic, nothing of Flask. Every number comes from the trace and the weights: a node's
value is the pass's z (y at the output), an edge's is the float32 product w·z of the pass's own
arrays, the term that np.dot added into the next layer's a.
"""

import math
from dataclasses import dataclass
from dataclasses import field

import numpy as np

from nn import Network
from nn import Trace
from web.filters import exact
from web.filters import short
from web.scales import Scale
from web.scales import activation_scale

ALL_UP_TO = 100  # a layer of at most this many neurons shows every one (the book's 50 and 100)
SHOWN_WIDE = 32  # of a wider layer (the default model's 768 and 384), the most active this many
EDGES_IN = 5  # per shown node, its strongest incoming contributions |w·z|
PER_COLUMN = 25  # nodes in one column of a layer before the layer gets another column

# The drawing's coordinates (the SVG's viewBox): 16:9 less room for a heading, so that it fits a
# projector's screen below the page's header.
WIDTH, HEIGHT = 1000, 600
TOP, BOTTOM = 58, 54  # room for the columns' headings; under the nodes, for each column's colour ramp
RAMP_WIDTH = 130
PIXEL = 7  # the 28 x 28 input drawn 196 units wide
IMAGE_LEFT = 6
LABELS = 150  # right of the output column: the digit's probability and the answer's mark
MAX_PITCH = 48  # the most room one node gets (ten output nodes would otherwise be huge)
MAX_WIDTH, MIN_WIDTH = 4.5, 0.6  # an edge's stroke width, for the largest |w·z| of its layer and for 0


@dataclass
class Edge:
    """One term w·z of np.dot: from node (or pixel) `source` of the layer before into `target`."""

    layer: int  # the layer the edge enters, 1 = first hidden layer
    source: int
    target: int
    value: float  # w·z as float32, the pass's own product
    exact: str
    short: str
    width: float
    path: str  # SVG path data, from the source's centre to the target's


@dataclass
class Node:
    layer: int  # 1 = first hidden layer ... L = output layer
    index: int
    value: float  # z, or the probability y at the output
    exact: str
    short: str
    fill: str
    x: float
    y: float
    r: float
    inputs: list = field(default_factory=list)  # its drawn Edges, strongest first
    answer: bool = False
    inputs_text: str = ""  # "x[350] +0.5123, x[378] -0.4, ...": for its title and the table


@dataclass
class Column:
    """One layer as a column of nodes; a wide layer shows its most active nodes and says what it leaves out."""

    layer: int
    symbol: str  # what a node holds: "z1", "z2" ... or "y"
    source: str  # what its edges come from: "x" (pixels) or the layer before's symbol
    output: bool
    size: int  # neurons in the layer
    nodes: list  # shown, top to bottom
    edges: list  # the Edges into its nodes, thinnest first (the strong ones on top)
    scale: Scale
    x: float  # centre
    left_out: int = 0
    low: float | None = None  # the smallest and largest value left out
    high: float | None = None

    @property
    def by_value(self) -> list:
        """The shown nodes, most active first (the text alternative's order)."""
        return sorted(self.nodes, key=lambda n: (-n.value, n.index))


@dataclass
class Flow:
    width: int
    height: int
    image: np.ndarray  # the 28 x 28 input, 0..1
    image_box: tuple  # (x, y, size) of the image in the drawing
    columns: list  # hidden layers, then the output layer
    digit: int
    confidence: float

    @property
    def nodes(self) -> list:
        return [node for column in self.columns for node in column.nodes]

    @property
    def edges(self) -> list:
        return [edge for column in self.columns for edge in column.edges]

    @property
    def ramps(self) -> dict:
        """{kind: [(offset %, colour)]} of the colour scales the columns use, for SVG gradients."""
        return {column.scale.kind: column.scale.stops for column in self.columns}

    @property
    def ramp_top(self) -> float:
        return self.height - BOTTOM + 14

    @property
    def ramp_width(self) -> int:
        return RAMP_WIDTH

    @property
    def edges_in(self) -> int:
        return EDGES_IN


def shown_nodes(values: np.ndarray) -> np.ndarray:
    """Indices of the nodes a layer shows: all of a small layer in order, else the SHOWN_WIDE
    largest values, largest first (ties: the lower index)."""
    if values.size <= ALL_UP_TO:
        return np.arange(values.size)
    return np.argsort(-values, kind="stable")[:SHOWN_WIDE]


def strongest_inputs(inputs: np.ndarray, W: np.ndarray, sources: np.ndarray, targets: np.ndarray) -> tuple:
    """(products, order): products[s, t] = inputs[sources[s]] * W[sources[s], targets[t]] in
    float32 as the pass multiplied them; order[:, t] the rows of the EDGES_IN largest |w·z| into
    target t, largest first."""
    products = inputs[sources][:, None] * W[np.ix_(sources, targets)]
    order = np.argsort(-np.abs(products), axis=0, kind="stable")[:EDGES_IN]
    return products, order


def place(count: int, x: float) -> tuple:
    """(x, y) of `count` nodes in a column centred on x, row by row in up to PER_COLUMN rows, and
    their radius."""
    across = max(1, math.ceil(count / PER_COLUMN))
    rows = math.ceil(count / across)
    pitch = min((HEIGHT - TOP - BOTTOM) / rows, MAX_PITCH)
    middle = (TOP + HEIGHT - BOTTOM) / 2
    spots = [
        (
            round(x + (i % across - (across - 1) / 2) * pitch, 1),
            round(middle + (i // across - (rows - 1) / 2) * pitch, 1),
        )
        for i in range(count)
    ]
    return spots, round(min(pitch * 0.42, 15.0), 1)


def pixel_centre(box: tuple):
    """centre(i): where pixel i of the input image sits in the drawing."""
    left, top, _ = box
    return lambda i: (left + (i % 28 + 0.5) * PIXEL, top + (i // 28 + 0.5) * PIXEL)


def layer_edges(
    layer: int, nodes: list, inputs: np.ndarray, sources: np.ndarray, W: np.ndarray, centre, symbol: str
) -> list:
    """The Edges into `nodes` (filling each node's `inputs`), thinnest first: each node's EDGES_IN
    largest |w·z| from `sources` (named `symbol`; centre(i) is where source i sits)."""
    targets = np.array([node.index for node in nodes])
    products, order = strongest_inputs(inputs, W, sources, targets)
    chosen = products[order, np.arange(targets.size)].T  # (shown, EDGES_IN), strongest first
    strongest = float(np.abs(chosen).max(initial=0.0))
    widths = np.round(MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * np.abs(chosen, dtype=np.float64) / (strongest or 1.0), 2)
    widths = widths.tolist()
    texts, values, froms = exact(chosen), chosen.tolist(), sources[order.T].tolist()
    edges = []
    for k, node in enumerate(nodes):
        for e, (value, source) in enumerate(zip(values[k], froms[k], strict=True)):
            x1, y1 = centre(source)
            path = f"M{x1:.1f} {y1:.1f}L{node.x:.1f} {node.y:.1f}"
            edge = Edge(
                layer, source, node.index, value, texts[k * len(values[k]) + e], short(value), widths[k][e], path
            )
            node.inputs.append(edge)
            edges.append(edge)
    for node in nodes:
        node.inputs_text = ", ".join(
            f"{symbol}[{e.source}] {'+' if e.value >= 0 else ''}{e.short}" for e in node.inputs
        )
    return sorted(edges, key=lambda edge: edge.width)  # the strong ones drawn last, on top


def flow(trace: Trace, network: Network, activation: str, row: int = 0) -> Flow:
    """The flow of row `row` of the trace: the nodes each layer shows, the edges into them, the layout."""
    depth, size = network.depth, 28 * PIXEL
    box = (IMAGE_LEFT, round((TOP + HEIGHT - BOTTOM - size) / 2, 1), size)
    left, step = IMAGE_LEFT + size, (WIDTH - LABELS - IMAGE_LEFT - size) / depth
    columns = []
    inputs, sources = trace.x[row], np.arange(trace.x.shape[1])
    centre = pixel_centre(box)
    for layer in range(1, depth + 1):
        output = layer == depth
        values = trace.y[row] if output else trace.z[layer - 1][row]
        scale = Scale("sequential", 0.0, 1.0) if output else activation_scale(values, activation)
        targets = shown_nodes(values)
        x = round(left + step * layer, 1)
        spots, radius = place(targets.size, x)
        fills, texts = scale.colours(values[targets]), exact(values[targets])
        shown = values[targets].tolist()
        nodes = [
            Node(layer, t, shown[k], texts[k], short(shown[k]), fills[k], *spots[k], radius)
            for k, t in enumerate(targets.tolist())
        ]
        symbol, source = ("y" if output else f"z{layer}"), ("x" if layer == 1 else f"z{layer - 1}")
        edges = layer_edges(layer, nodes, inputs, sources, network.params[f"W{layer}"], centre, source)
        column = Column(layer, symbol, source, output, values.size, nodes, edges, scale, x)
        if targets.size < values.size:
            rest = np.delete(values, targets)
            column.left_out, column.low, column.high = rest.size, float(rest.min()), float(rest.max())
        columns.append(column)
        inputs, sources = values, targets
        centre = {node.index: (node.x, node.y) for node in nodes}.__getitem__
    digit = int(np.argmax(trace.y[row]))
    columns[-1].nodes[digit].answer = True
    return Flow(WIDTH, HEIGHT, trace.x[row].reshape(28, 28), box, columns, digit, float(trace.y[row][digit]))
