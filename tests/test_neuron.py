"""web/inside/neuron.py: one neuron's detail, checked against the network's own weights and trace."""

import numpy as np
import pytest

from tests.helpers import random_network
from web import charts
from web.inside import neuron


@pytest.fixture
def network():
    return random_network([784, 16, 12, 10])


@pytest.fixture
def x():
    return np.random.default_rng(1).random(784).astype(np.float32)


def test_first_layer_neuron_shows_its_weights_as_an_image(network, x):
    trace = network.forward(x)
    detail = neuron.neuron(trace, network, 1, 5)
    w = network.params["W1"][:, 5]
    assert detail.weights.columns == 28 and len(detail.weights.cells) == 784
    assert np.array_equal(np.array([c.value for c in detail.weights.cells], dtype=np.float32), w)
    assert np.array_equal(np.array([c.value for c in detail.evidence.cells], dtype=np.float32), x * w)
    assert detail.a == trace.a[0][0][5] and detail.z == trace.z[0][0][5]
    assert detail.weighted_sum + detail.bias == pytest.approx(float(trace.a[0][0][5]), rel=1e-3)
    assert detail.top == [] and detail.input_symbol == "x"


def test_deeper_neuron_lists_the_inputs_that_pushed_it_most(network, x):
    trace = network.forward(x)
    detail = neuron.neuron(trace, network, 2, 3)
    products = trace.z[0][0] * network.params["W2"][:, 3]
    expected = np.argsort(-np.abs(products), kind="stable")[: neuron.TOP_INPUTS]
    assert [c.i for c in detail.top] == expected.tolist()
    assert [c.positive for c in detail.top] == (products[expected] >= 0).tolist()
    assert detail.input_symbol == "z1" and detail.weights.columns == charts.grid_columns(16)


def test_output_neuron_shows_its_probability(network, x):
    trace = network.forward(x)
    detail = neuron.neuron(trace, network, 3, 7)
    assert detail.output and detail.z is None and detail.y == trace.y[0][7]
