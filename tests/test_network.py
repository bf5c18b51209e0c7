"""nn.network: the forward trace with the shipped book model, and backpropagation checked
against a numerical gradient on a tiny network."""

from pathlib import Path

import numpy as np
import pytest

from nn.functions import cross_entropy_error
from nn.layers import Dropout
from nn.mnist import load_test_set
from nn.model_files import load_model
from nn.network import Network
from nn.network import init_params

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def book() -> Network:
    return load_model(ROOT / "models" / "book.npz").network


@pytest.fixture(scope="module")
def images() -> np.ndarray:
    return load_test_set()[0][:64]


def test_sizes(book):
    assert book.depth == 3
    assert book.sizes == [784, 50, 100, 10]
    assert book.architecture == "784-50-100-10"


def test_trace_of_one_image(book, images):
    trace = book.forward(images[0])
    assert trace.x.shape == (1, 784)
    assert [a.shape for a in trace.a] == [(1, 50), (1, 100), (1, 10)]
    assert [z.shape for z in trace.z] == [(1, 50), (1, 100)]
    assert trace.y.shape == (1, 10)
    assert trace.y.sum() == pytest.approx(1.0, rel=1e-5)
    assert trace.y.dtype == np.float32


def test_trace_of_a_batch(book, images):
    trace = book.forward(images[:7])
    assert trace.x.shape == (7, 784)
    assert [a.shape for a in trace.a] == [(7, 50), (7, 100), (7, 10)]
    assert [z.shape for z in trace.z] == [(7, 50), (7, 100)]
    assert trace.y.shape == (7, 10)
    np.testing.assert_allclose(trace.y.sum(axis=1), 1.0, rtol=1e-5)


def test_trace_steps_chain(book, images):
    """Each step is what the book computes from the step before."""
    trace = book.forward(images[:3])
    p = book.params
    np.testing.assert_allclose(trace.a[0], trace.x @ p["W1"] + p["b1"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(trace.z[0], 1 / (1 + np.exp(-trace.a[0])), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(trace.a[2], trace.z[1] @ p["W3"] + p["b3"], rtol=1e-5, atol=1e-5)


def test_override_activation_changes_outputs_for_this_pass_only(book, images):
    sigmoid_y = book.forward(images[:5]).y
    step_trace = book.forward(images[:5], activation="step")
    assert not np.allclose(step_trace.y, sigmoid_y)
    assert set(np.unique(step_trace.z[0])) <= {0.0, 1.0}
    assert not np.allclose(book.forward(images[:5], activation="relu").y, sigmoid_y)
    assert book.activation == "sigmoid"
    np.testing.assert_array_equal(book.forward(images[:5]).y, sigmoid_y)


def test_unknown_activation_is_refused(book, images):
    with pytest.raises(ValueError, match="unknown activation 'tanh'"):
        book.forward(images[0], activation="tanh")
    with pytest.raises(ValueError, match="unknown activation"):
        Network(book.params, "tanh")


def test_batch_equals_one_image_at_a_time(book, images):
    batch = book.predict(images)
    one_by_one = np.stack([book.predict(x) for x in images])  # one image x (784,) gives y (10,), as in the book
    assert one_by_one.shape == batch.shape == (len(images), 10)
    np.testing.assert_allclose(batch, one_by_one, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(batch.argmax(axis=1), one_by_one.argmax(axis=1))


def test_accuracy_does_not_depend_on_the_batch_size(book):
    x, t = load_test_set()
    x, t = x[:500], t[:500]
    counts = {batch_size: book.accuracy(x, t, batch_size=batch_size) for batch_size in (1, 7, 100, 1000)}
    assert len(set(counts.values())) == 1, counts


def test_initialisation_follows_the_activation():
    rng = np.random.default_rng(0)
    he = init_params([400, 300, 10], "relu", rng)
    xavier = init_params([400, 300, 10], "sigmoid", rng)
    assert he["W1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.05)
    assert xavier["W1"].std() == pytest.approx(np.sqrt(1 / 400), rel=0.05)
    assert not he["b1"].any() and he["W2"].shape == (300, 10)


def test_dropout_silences_neurons_and_keeps_the_mean():
    """Kept neurons are scaled by 1 / (1 - ratio), so the layer's mean output is the input's; the
    gradient flows back only through the neurons kept in the forward pass."""
    dropout = Dropout(0.25, np.random.default_rng(0))
    x = np.ones((200, 50), np.float32)
    out = dropout.forward(x)
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.75)}
    assert out.mean() == pytest.approx(1.0, abs=0.02)
    np.testing.assert_array_equal(dropout.backward(x) == 0, out == 0)
    assert (x == 1).all()  # its input untouched


# --- Backpropagation against the numerical gradient ---------------------------------------------


def tiny_network(activation: str, sizes=(4, 5, 6, 3), seed: int = 0) -> Network:
    """Random float64 parameters: in float32 the numerical gradient is too coarse to compare."""
    rng = np.random.default_rng(seed)
    params = {}
    for i in range(1, len(sizes)):
        params[f"W{i}"] = rng.normal(0.0, 1.0, (sizes[i - 1], sizes[i]))
        params[f"b{i}"] = rng.normal(0.0, 0.5, sizes[i])
    return Network(params, activation)


def numerical_gradient(network: Network, x: np.ndarray, t: np.ndarray, h: float = 1e-5) -> dict:
    """Central differences of the loss, one parameter at a time, as in chapter 4. The loss is
    the exact -log y[t]: cross_entropy_error's 1e-7 guard against log(0) is not in the backward
    pass, and would shift the slope by a few 1e-5 where y[t] is small."""

    def loss() -> float:
        y = network.forward(x).y
        return float(-np.log(y[np.arange(len(t)), t]).mean())

    grads = {}
    for key, param in network.params.items():
        grad = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            kept = param[idx]
            param[idx] = kept + h
            plus = loss()
            param[idx] = kept - h
            minus = loss()
            param[idx] = kept
            grad[idx] = (plus - minus) / (2 * h)
        grads[key] = grad
    return grads


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """|a - b| / (|a| + |b|) over a whole parameter: robust where single entries are near 0."""
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_backpropagation_matches_the_numerical_gradient(activation):
    network = tiny_network(activation)
    rng = np.random.default_rng(1)
    x = rng.random((8, 4))
    t = rng.integers(0, 3, 8)
    loss, grads = network.gradient(x, t)
    assert loss == pytest.approx(cross_entropy_error(network.forward(x).y, t))
    numerical = numerical_gradient(network, x, t)
    assert grads.keys() == numerical.keys() == network.params.keys()
    for key in network.params:
        assert grads[key].shape == network.params[key].shape
        assert grads[key].dtype == np.float64
        error = relative_error(grads[key], numerical[key])
        assert error < 1e-4, f"{activation} {key}: relative error {error:.2e}"


def test_the_gradient_check_would_catch_a_wrong_gradient():
    network = tiny_network("sigmoid")
    x, t = np.random.default_rng(2).random((5, 4)), np.array([0, 1, 2, 1, 0])
    _, grads = network.gradient(x, t)
    numerical = numerical_gradient(network, x, t)
    assert relative_error(grads["W2"] * 1.01, numerical["W2"]) > 1e-3
    assert relative_error(grads["W2"].T.reshape(grads["W2"].shape), numerical["W2"]) > 1e-2


def test_gradient_with_one_hot_labels_equals_gradient_with_labels():
    """Ten images with one-hot rows is where fancy indexing by t once went silently wrong."""
    network = tiny_network("relu", sizes=(4, 6, 10))
    x, t = np.random.default_rng(3).random((10, 4)), np.arange(10)[::-1].copy()
    loss, grads = network.gradient(x, t)
    loss_one_hot, grads_one_hot = network.gradient(x, np.eye(10)[t])
    assert loss_one_hot == pytest.approx(loss)
    for key in grads:
        np.testing.assert_allclose(grads_one_hot[key], grads[key], rtol=1e-12, atol=1e-15)


def test_gradient_leaves_the_parameters_alone():
    network = tiny_network("sigmoid")
    before = {key: value.copy() for key, value in network.params.items()}
    network.gradient(np.random.default_rng(4).random((3, 4)), np.array([0, 1, 2]))
    for key, value in before.items():
        np.testing.assert_array_equal(network.params[key], value)


def test_step_activation_cannot_be_trained():
    with pytest.raises(ValueError, match="cannot train"):
        tiny_network("step").gradient(np.zeros((1, 4)), np.array([0]))
