"""nn.batches and nn.evaluate.confusion on the shipped models and the real test set: every way of
reading counts the same hits, the confusion matrix adds up, and times are only checked to exist."""

from pathlib import Path

import numpy as np
import pytest

from nn.batches import BATCH_SIZES
from nn.batches import in_batches
from nn.batches import one_at_a_time
from nn.batches import time_reading
from nn.evaluate import confusion
from nn.mnist import load_test_set
from nn.model_files import load_models

MODELS = load_models(Path(__file__).resolve().parent.parent / "models")


@pytest.fixture(scope="module")
def test_data():
    return load_test_set()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_batch_size_counts_the_same_hits(name, test_data):
    """All four ways only for the small book model: small batches through the wide models take
    minutes when BLAS threads fight over busy cores (the server runs one BLAS thread)."""
    x, t = test_data
    model = MODELS[name]
    sizes = BATCH_SIZES if name == "book" else (250, 1000)
    timings = [time_reading(model.network, x, t, n) for n in sizes]
    assert {timing.correct for timing in timings} == {round(model.card["test_accuracy"] * len(t))}
    assert {timing.accuracy for timing in timings} == {model.card["test_accuracy"]}
    assert all(timing.us_per_image > 0 and timing.total == 10_000 for timing in timings)


def test_loop_and_batches_agree_and_give_the_chapter_shapes(test_data):
    x, t = test_data[0][:500], test_data[1][:500]
    network = MODELS["book"].network
    assert one_at_a_time(network, x, t) == in_batches(network, x, t, 100) == in_batches(network, x, t, 7)
    loop, hundred = time_reading(network, x, t, 1), time_reading(network, x, t, 100, repeat=2)
    assert (loop.x_shape, loop.y_shape) == ((784,), (10,))  # the book: one image x (784,) gives y (10,)
    assert (hundred.x_shape, hundred.y_shape) == ((100, 784), (100, 10))


def test_time_reading_refuses_a_batch_size_below_one(test_data):
    with pytest.raises(ValueError, match="at least 1"):
        time_reading(MODELS["book"].network, *test_data, 0)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_confusion_matrix_adds_up(name, test_data):
    x, t = test_data
    found = confusion(MODELS[name].network, x, t)
    assert found.matrix.shape == (10, 10)
    assert found.matrix.sum() == 10_000
    assert found.correct == np.trace(found.matrix) == round(MODELS[name].card["test_accuracy"] * 10_000)
    assert (found.matrix.sum(axis=1) == np.bincount(t, minlength=10)).all()
    np.testing.assert_allclose(found.per_digit_accuracy(), np.diag(found.matrix) / np.bincount(t, minlength=10))


def test_a_cells_images_are_those_digits_read_that_way(test_data):
    x, t = test_data
    network = MODELS["book"].network
    found = confusion(network, x, t)
    indices = found.images(4, 9)
    assert len(indices) == found.matrix[4, 9] > 0
    assert (t[indices] == 4).all()
    assert (network.predict(x[indices]).argmax(axis=1) == 9).all()
    assert list(indices) == sorted(indices)
