"""Colour scales of the charts: which colour a value gets, and the legend's ends; and the
shading steps of the confusion matrices (the test-set lesson's and the class board's).

Colour-blind safe palettes; diverging scales are symmetric around 0; charts of many values reach
to their 99th percentile so that one outlier does not wash out the rest. Pure NumPy, no Flask.
"""

import math
from dataclasses import dataclass

import numpy as np

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
        """(mark, value) under the legend: low, (0,) high; marked ≤ and ≥ when values lie beyond."""
        middle = [("", 0.0)] if self.kind == "diverging" else []
        low = ("≤" if self.clipped and self.kind == "diverging" else "", self.low)
        return [low, *middle, ("≥" if self.clipped else "", self.high)]


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


def shade(count: int, largest: int, steps: int, power: float = 1.0) -> int:
    """A colour step for a count next to the largest one: 0 for none, else 1 to `steps` (the
    largest), ceil((count / largest) ** power * steps). power 1 is linear; power 0.5 (a square
    root) keeps counts far below the largest visible, for a matrix whose counts span 1 to 1000."""
    if count <= 0 or largest <= 0:
        return 0
    return min(steps, math.ceil((count / largest) ** power * steps))
