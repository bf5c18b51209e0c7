"""nn.functions: the activations, softmax and the loss, on single vectors and on batches."""

import warnings

import numpy as np
import pytest

from nn.functions import ACTIVATIONS
from nn.functions import cross_entropy_error
from nn.functions import identity
from nn.functions import relu
from nn.functions import sigmoid
from nn.functions import softmax
from nn.functions import softmax_naive
from nn.functions import step_function

X = np.array([-1.0, 0.0, 2.0])
BATCH = np.array([[-1.0, 0.0, 2.0], [3.0, -4.0, 0.5]])


def test_step_function():
    assert step_function(X).tolist() == [0.0, 0.0, 1.0]
    assert step_function(BATCH).tolist() == [[0.0, 0.0, 1.0], [1.0, 0.0, 1.0]]
    assert step_function(X).dtype == np.float32


def test_sigmoid_values():
    expected = 1 / (1 + np.exp(-BATCH))
    np.testing.assert_allclose(sigmoid(BATCH), expected, rtol=1e-6)
    np.testing.assert_allclose(sigmoid(X), expected[0], rtol=1e-6)
    assert sigmoid(0.0) == 0.5


def test_sigmoid_does_not_overflow():
    """exp(-x) overflows at x = -1000: the book's formula as written here gives 0 without a warning."""
    x = np.array([-1000.0, -100.0, 0.0, 100.0, 1000.0], dtype=np.float32)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        y = sigmoid(x)
    assert np.isfinite(y).all()
    assert y[0] == 0.0 and y[-1] == 1.0 and y[2] == 0.5


def test_relu():
    assert relu(X).tolist() == [0.0, 0.0, 2.0]
    assert relu(BATCH).tolist() == [[0.0, 0.0, 2.0], [3.0, 0.0, 0.5]]


def test_identity():
    assert identity(BATCH).tolist() == BATCH.tolist()


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_keep_the_shape_and_give_float32(name):
    h = ACTIVATIONS[name]
    for x in (X.astype(np.float32), BATCH.astype(np.float32), np.array([[1, -2, 3]])):
        y = h(x)
        assert y.shape == x.shape
        assert y.dtype == np.float32


@pytest.mark.parametrize("h", [sigmoid, relu, identity, softmax])
def test_float64_stays_float64(h):
    """A numerical gradient check needs float64 all the way through."""
    assert h(BATCH).dtype == np.float64


def test_softmax_on_a_vector_and_a_batch():
    y = softmax(np.array([0.3, 2.9, 4.0], dtype=np.float32))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, [0.01821127, 0.24519181, 0.73659691], rtol=1e-5)
    batch = softmax(BATCH.astype(np.float32))
    assert batch.shape == BATCH.shape
    np.testing.assert_allclose(batch.sum(axis=1), 1.0, rtol=1e-6)
    for row, expected in zip(batch, BATCH, strict=True):
        np.testing.assert_allclose(row, softmax(expected.astype(np.float32)), rtol=1e-6)


def test_softmax_ignores_a_shift():
    a = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    np.testing.assert_allclose(softmax(a + 100), softmax(a), rtol=1e-6)


def test_softmax_large_logits_stay_finite_where_naive_gives_nan():
    a = np.array([1010.0, 1000.0, 990.0])
    y = softmax(a)
    assert np.isfinite(y).all()
    assert y.sum() == pytest.approx(1.0)
    assert y.argmax() == 0
    assert np.isnan(softmax_naive(a)).all()


def test_softmax_naive_agrees_on_small_logits():
    a = np.array([0.3, 2.9, 4.0], dtype=np.float32)
    np.testing.assert_allclose(softmax_naive(a), softmax(a), rtol=1e-6)


Y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
ONE_HOT_2 = np.eye(10)[2]


def test_cross_entropy_error_one_vector():
    """The book's example: -log 0.6, with the label or with one-hot t."""
    assert cross_entropy_error(Y, 2) == pytest.approx(-np.log(0.6), rel=1e-6)
    assert cross_entropy_error(Y, ONE_HOT_2) == pytest.approx(-np.log(0.6), rel=1e-6)


def test_cross_entropy_error_batch_is_the_mean():
    y = np.stack([Y, np.roll(Y, 1)])
    expected = -(np.log(0.6) + np.log(0.05)) / 2  # the rolled row has 0.05 at index 2
    assert cross_entropy_error(y, np.array([2, 2])) == pytest.approx(expected, rel=1e-6)
    assert cross_entropy_error(y, np.eye(10)[[2, 2]]) == pytest.approx(expected, rel=1e-6)


def test_cross_entropy_error_of_zero_probability_is_finite():
    assert cross_entropy_error(Y, 3) == pytest.approx(-np.log(1e-7), rel=1e-6)


def test_cross_entropy_error_of_a_sure_answer_is_near_zero():
    assert cross_entropy_error(np.eye(10)[[4, 7]], np.array([4, 7])) == pytest.approx(0.0, abs=1e-6)
