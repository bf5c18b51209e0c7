"""Why chapter 3 reads images in batches: the book's per-image loop against batches of images,
timed on the same data. The lesson page /learn/batches and bench/inference.py both use these.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nn.network import Network

BATCH_SIZES = (1, 10, 100, 1000)  # 1: the book's loop, one image per predict


@dataclass(frozen=True)
class Timing:
    """One way of reading the test set: how long per image, how many right, one batch's shapes."""

    batch_size: int
    seconds: float
    correct: int
    total: int
    x_shape: tuple  # one batch in, e.g. (100, 784); (784,) for the loop
    y_shape: tuple  # its output, e.g. (100, 10)

    @property
    def us_per_image(self) -> float:
        return self.seconds / self.total * 1e6

    @property
    def accuracy(self) -> float:
        return self.correct / self.total


def one_at_a_time(network: Network, x: np.ndarray, t: np.ndarray) -> int:
    """The book's loop: predict each image alone, take its argmax, count the hits."""
    accuracy_cnt = 0
    for i in range(len(x)):
        y = network.predict(x[i])
        p = np.argmax(y)
        if p == t[i]:
            accuracy_cnt += 1
    return accuracy_cnt


def in_batches(network: Network, x: np.ndarray, t: np.ndarray, batch_size: int) -> int:
    """The book's batched loop: one forward pass per batch_size images."""
    accuracy_cnt = 0
    for i in range(0, len(x), batch_size):
        y_batch = network.predict(x[i : i + batch_size])
        p = np.argmax(y_batch, axis=1)
        accuracy_cnt += int(np.sum(p == t[i : i + batch_size]))
    return accuracy_cnt


def time_reading(
    network: Network,
    x: np.ndarray,
    t: np.ndarray,
    batch_size: int,
    repeat: int = 1,
    clock: Callable[[], float] = time.perf_counter,
) -> Timing:
    """Read x (N, 784) with labels t (N,) in batches of batch_size (1: the book's loop); the
    fewest seconds of `repeat` runs, after one warm-up batch (lazy BLAS set-up, first touch of
    the weights). Every run must count the same hits, or something is wrong."""
    if batch_size < 1 or repeat < 1:
        raise ValueError(f"batch_size and repeat must be at least 1, not {batch_size} and {repeat}")
    x_batch = x[0] if batch_size == 1 else x[:batch_size]
    y_batch = network.predict(x_batch)
    best, counts = float("inf"), set()
    for _ in range(repeat):
        start = clock()
        counts.add(one_at_a_time(network, x, t) if batch_size == 1 else in_batches(network, x, t, batch_size))
        best = min(best, clock() - start)
    if len(counts) != 1:
        raise RuntimeError(f"runs disagree on the count: {sorted(counts)}")
    return Timing(batch_size, best, counts.pop(), len(x), x_batch.shape, y_batch.shape)
