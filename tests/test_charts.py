"""web/charts.py: pure functions from a forward pass to chart data, checked against nn itself."""

import numpy as np
import pytest

from nn import softmax
from nn.functions import ACTIVATIONS
from tests.helpers import random_network
from web import charts
from web import filters
from web import scales


@pytest.fixture
def network():
    return random_network([784, 16, 12, 10])


@pytest.fixture
def x():
    return np.random.default_rng(1).random(784).astype(np.float32)


def test_shapes_print_as_the_book_does():
    assert charts.shape(1, 784) == "(1, 784)"
    assert charts.shape(50) == "(50,)"


# --- grids and bars -------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "columns"), [(784, 28), (50, 10), (100, 10), (10, 10), (7, 7), (512, 23), (256, 16)])
def test_grid_columns(n, columns):
    assert charts.grid_columns(n) == columns


def test_grid_cells_hold_position_colour_and_exact_value():
    values = np.arange(23, dtype=np.float32) - 11
    g = charts.grid("a1", values, scales.diverging(values))
    assert (g.columns, g.rows, len(g.cells)) == (10, 3, 23)
    cell = g.cells[17]
    assert (cell.i, cell.x, cell.y, float(cell.value)) == (17, 7, 1, 6.0)
    assert g.cells[11].fill == scales.DIVERGING_STOPS[4]


def test_image_grid_is_28_by_28_without_gaps():
    g = charts.image_grid("x", np.zeros(784), scales.Scale("ink", 0, 1))
    assert (g.columns, g.rows, g.size) == (28, 28, 1.0)


def test_logit_bars_grow_from_the_zero_line():
    bars = charts.logit_bars(np.array([-2.0, 0.0, 4.0, 1.0, 0, 0, 0, 0, 0, 0], dtype=np.float32))
    minus, _, top = bars.bars[:3]
    assert minus.start + minus.length == pytest.approx(0.5) and minus.length == pytest.approx(0.25)
    assert top.start == 0.5 and top.length == pytest.approx(0.5) and top.winner
    assert [b.winner for b in bars.bars].count(True) == 1


def test_probability_bars_mark_the_winner():
    y = softmax(np.arange(10, dtype=np.float32))
    bars = charts.probability_bars(y)
    assert [b.i for b in bars.bars if b.winner] == [9]
    assert bars.bars[9].length == pytest.approx(float(y[9]), abs=1e-4)
    assert bars.bars[9].text == filters.percent(y[9])


# --- the whole path --------------------------------------------------------------------------------


def test_path_holds_the_trace_layer_by_layer(network, x):
    trace = network.forward(x)
    path = charts.path(trace, network, "sigmoid")
    assert [layer.number for layer in path.layers] == [1, 2, 3]
    assert np.array_equal(np.array([c.value for c in path.input.cells], dtype=np.float32), trace.x[0])
    for i, layer in enumerate(path.layers[:-1]):
        assert np.array_equal(np.array([c.value for c in layer.a.cells], dtype=np.float32), trace.a[i][0])
        assert np.array_equal(np.array([c.value for c in layer.z.cells], dtype=np.float32), trace.z[i][0])
    out = path.layers[-1]
    assert out.output and out.z is None
    assert np.array_equal(np.array([b.value for b in out.a.bars], dtype=np.float32), trace.a[-1][0])
    assert np.array_equal(np.array([b.value for b in path.probabilities.bars], dtype=np.float32), trace.y[0])
    assert path.digit == int(trace.y[0].argmax())


def test_path_shapes_come_from_the_weights(network, x):
    layers = charts.path(network.forward(x), network, "sigmoid").layers
    assert [(la.x_shape, la.w_shape, la.b_shape, la.out_shape) for la in layers] == [
        ("(784,)", "(784, 16)", "(16,)", "(16,)"),  # one image, as the book writes it
        ("(16,)", "(16, 12)", "(12,)", "(12,)"),
        ("(12,)", "(12, 10)", "(10,)", "(10,)"),
    ]


def test_path_of_a_wide_network_lays_out_square_grids():
    wide = random_network([784, 512, 256, 10], "relu")
    path = charts.path(wide.forward(np.ones(784, np.float32)), wide, "relu")
    assert [(la.a.columns, la.a.rows) for la in path.layers[:-1]] == [(23, 23), (16, 16)]
    assert path.layers[0].z.scale.kind == "sequential"


def test_path_reads_the_requested_row_of_a_batch(network, x):
    trace = network.forward(np.stack([x, 1 - x]))
    assert charts.path(trace, network, "sigmoid", row=1).digit == int(trace.y[1].argmax())
    assert charts.path(trace, network, "sigmoid").batch == 2


# --- softmax, activations ----------------------------------------------------------------------------


def test_softmax_steps_are_nn_softmax_one_operation_at_a_time():
    a = np.array([0.3, -1.2, 4.0, 2.5, 0, 0, 0, 0, 0, 1], dtype=np.float32)
    steps = charts.softmax_steps(a)
    assert [row.y for row in steps.rows] == softmax(a).tolist()
    assert steps.max == 4 and steps.rows[2].shifted == 0 and steps.rows[2].exp == 1
    assert steps.argmax_a == steps.argmax_y == 2 and steps.rows[2].winner


def test_the_overflow_demo_shows_nan_beside_the_safe_softmax():
    overflow = charts.softmax_steps(np.zeros(10, np.float32)).overflow
    assert [row[0] for row in overflow] == [1010, 1000, 990]
    assert all(row[1] == np.inf and np.isnan(row[2]) for row in overflow)
    assert [row[3] for row in overflow] == softmax(np.array([1010, 1000, 990], np.float32)).tolist()


def test_answers_by_activation_use_the_same_weights(network, x):
    answers = charts.answers_by_activation(network, x, "relu")
    assert [a.activation for a in answers] == list(ACTIVATIONS)
    for answer in answers:
        assert answer.digit == int(network.forward(x, answer.activation).y[0].argmax())
    assert [a.activation for a in answers if a.own] == ["sigmoid"]
    assert [a.activation for a in answers if a.current] == ["relu"]


def test_activation_plot_draws_nn_functions():
    plot = charts.activation_plot(width=200, height=120, x_range=(-4, 4), y_range=(-1, 2))
    curves = {c.activation: c.points for c in plot.curves}
    assert set(curves) == set(ACTIVATIONS)
    sigmoid = [tuple(map(float, p.split(","))) for p in curves["sigmoid"].split()]
    middle = min(sigmoid, key=lambda p: abs(p[0] - 100))
    assert middle[1] == pytest.approx(120 - 1.5 / 3 * 120, abs=0.5)  # sigmoid(0) = 0.5
    assert (plot.x_axis, plot.y_axis, plot.one) == (80.0, 100.0, 40.0)


def test_first_of_each_digit():
    labels = np.array([7, 2, 1, 0, 4, 1, 4, 9, 5, 9, 0, 6, 9, 0, 1, 5, 9, 7, 3, 4])
    assert charts.first_of_each_digit(labels) == [
        (0, 3),
        (1, 2),
        (2, 1),
        (3, 18),
        (4, 4),
        (5, 8),
        (6, 11),
        (7, 0),
        (9, 7),
    ]
