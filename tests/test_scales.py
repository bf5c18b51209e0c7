"""web/scales.py: colour scales of the charts and the shading steps of the confusion matrices."""

import numpy as np
import pytest

from web import scales


def test_diverging_scale_is_symmetric_with_white_at_zero():
    scale = scales.diverging(np.array([-1.0, 0.5, 3.0]))
    assert (scale.low, scale.high) == (-3.0, 3.0)
    low, zero, high = scale.colours(np.array([-3.0, 0.0, 3.0]))
    assert (low, zero, high) == (scales.DIVERGING_STOPS[0], scales.DIVERGING_STOPS[4], scales.DIVERGING_STOPS[-1])
    assert scale.ticks == [("", -3.0), ("", 0.0), ("", 3.0)]


def test_diverging_scale_survives_all_zero_and_nan():
    scale = scales.diverging(np.zeros(5))
    assert scale.high == 1.0
    assert scale.colours(np.array([np.nan, 0.0])) == [scales.DIVERGING_STOPS[4]] * 2


def test_large_charts_scale_to_the_99th_percentile_so_one_outlier_does_not_wash_them_out():
    values = np.linspace(-1, 1, 500)
    values[7] = 40.0
    scale = scales.diverging(values)
    assert scale.clipped and scale.high == pytest.approx(np.percentile(np.abs(values), 99))
    assert scale.ticks[0][0] == "≤" and scale.ticks[-1][0] == "≥"
    assert scale.colours(values[7:8]) == [scales.DIVERGING_STOPS[-1]]
    relu = scales.activation_scale(np.maximum(values, 0).astype(np.float32), "relu")
    assert relu.clipped and relu.low == 0 and relu.high < 40
    small = scales.diverging(np.array([1.0, 40.0]))  # ten output values, say: always the maximum
    assert not small.clipped and small.high == 40.0


def test_values_beyond_the_scale_take_its_end_colours():
    scale = scales.sequential(np.array([0.0]), 0.0, 1.0)
    assert scale.colours(np.array([-5.0, 7.0])) == [scales.SEQUENTIAL_STOPS[0], scales.SEQUENTIAL_STOPS[-1]]


@pytest.mark.parametrize(
    ("activation", "values", "kind", "low", "high"),
    [
        ("sigmoid", [0.2, 0.7], "sequential", 0.0, 1.0),
        ("step", [0.0, 1.0], "sequential", 0.0, 1.0),
        ("relu", [0.0, 4.5], "sequential", 0.0, 4.5),
        ("identity", [-2.0, 1.0], "diverging", -2.0, 2.0),
    ],
)
def test_activation_scale_fits_the_range_of_each_function(activation, values, kind, low, high):
    scale = scales.activation_scale(np.array(values, dtype=np.float32), activation)
    assert (scale.kind, scale.low, scale.high) == (kind, low, high)


def test_legend_stops_run_from_0_to_100_percent():
    stops = scales.Scale("diverging", -1, 1).stops
    assert stops[0] == (0.0, scales.DIVERGING_STOPS[0]) and stops[-1] == (100.0, scales.DIVERGING_STOPS[-1])


@pytest.mark.parametrize(
    ("count", "largest", "steps", "power", "step"),
    [
        (0, 10, 4, 1.0, 0),
        (5, 0, 4, 1.0, 0),
        (1, 4, 4, 1.0, 1),  # linear: 1/4 of the largest is the first step
        (3, 4, 4, 1.0, 3),
        (4, 4, 4, 1.0, 4),
        (1, 100, 5, 0.5, 1),  # square root: 1 of 100 is a tenth of the way
        (5, 100, 5, 0.5, 2),
        (64, 100, 5, 0.5, 4),
        (65, 100, 5, 0.5, 5),
        (100, 100, 5, 0.5, 5),
    ],
)
def test_shade_steps_a_count_next_to_the_largest(count, largest, steps, power, step):
    assert scales.shade(count, largest, steps, power) == step
