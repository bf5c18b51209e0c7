"""The training loop: mini-batch backpropagation of a fresh network, as chapters 4-6 of the book
train it (Network.gradient, Momentum or Adam, Xavier or He initialisation, weight decay, dropout),
plus a learning-rate schedule and the distortions of training.augment.

A seed fixes everything random (initial weights, order of batches, distortions, dropout), so the
same config gives the same weights bit for bit on the same machine, NumPy build and BLAS thread
count (training.config.blas_threads).
"""

import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from nn.layers import Affine
from nn.layers import Dropout
from nn.network import Network
from nn.network import backprop
from nn.network import init_params
from training.augment import augment
from training.config import TrainConfig
from training.optimizers import learning_rate
from training.optimizers import make_optimizer


def gradient_with_dropout(
    network: Network, x: np.ndarray, t: np.ndarray, ratio: float, rng: np.random.Generator
) -> tuple:
    """Network.gradient with a Dropout layer after every hidden activation."""
    layers = []
    for layer in network.layers():
        layers.append(layer)
        if not isinstance(layer, Affine):
            layers.append(Dropout(ratio, rng))
    return backprop(layers, x, t)


class EpochBar:
    """One line per epoch on stderr: the epoch's summary. On a terminal a tqdm bar with the running
    loss shows while the epoch runs and gives way to that line; logs (CI) get the line alone."""

    def __init__(self, label: str, steps: int, stream=None):
        from tqdm import tqdm  # imported here: training needs tqdm (requirements-dev.txt), the app does not

        self.label, self.stream = label, stream or sys.stderr
        columns, rows = shutil.get_terminal_size()
        self.bar = tqdm(
            total=steps,
            desc=label,
            unit="batch",
            file=self.stream,
            mininterval=0.2,
            ncols=columns,  # where the terminal does not tell its size, 80 x 24 rather than no bar
            nrows=rows,
            leave=False,
            disable=not self.stream.isatty(),
        )

    def update(self, loss: float) -> None:
        self.bar.set_postfix_str(f"loss {loss:.4f}", refresh=False)
        self.bar.update()

    def finish(self, summary: str) -> None:
        self.bar.close()
        print(f"{self.label} {summary}", file=self.stream, flush=True)


def accuracy(network: Network, x: np.ndarray, t: np.ndarray) -> float:
    """The share of x read as t; nan for no images (no validation set), not a division by zero."""
    return network.accuracy(x, t) / len(t) if len(t) else float("nan")


def train(
    x_train: np.ndarray,
    t_train: np.ndarray,
    config: TrainConfig,
    x_val: np.ndarray | None = None,
    t_val: np.ndarray | None = None,
    x_test: np.ndarray | None = None,
    t_test: np.ndarray | None = None,
    progress: bool = False,
    strength: dict | None = None,
) -> tuple:
    """Train a fresh network; returns (network, history: one dict per epoch).

    Distortions of the next epoch are computed in a background thread while this one trains
    (NumPy releases the GIL in its loops); each epoch draws them from its own seeded generator,
    so the thread's timing cannot change the result. augment_every > 1 reuses each distorted
    copy of the training set for that many epochs (in a new order each time): distorting costs
    more than a training epoch of a small network. strength: training.augment's, None for its defaults;
    progress: a bar per epoch on stderr."""
    c = config
    epochs, batch_size, augment_every = c.epochs, c.batch_size, c.augment_every
    sizes = [x_train.shape[1], *c.hidden, 10]
    init_seq, order_seq, augment_seq, dropout_seq = np.random.SeedSequence(c.seed).spawn(4)
    dropout_rng = np.random.default_rng(dropout_seq)
    params = init_params(sizes, c.activation, np.random.default_rng(init_seq))
    network = Network(params, c.activation)
    opt = make_optimizer(c.optimizer, c.weight_decay, c.momentum)
    order_rng = np.random.default_rng(order_seq)
    copies = -(-epochs // augment_every)
    copy_seeds = augment_seq.spawn(copies)
    n = len(x_train)
    steps_per_epoch = -(-n // batch_size)
    total_steps, warmup = epochs * steps_per_epoch, int(c.warmup * steps_per_epoch)
    # A fixed clean subset tells how well the network fits the training data, cheaply.
    fit_idx = np.random.default_rng(c.seed).choice(n, size=min(n, 10000), replace=False)

    def distorted_copy(k: int) -> np.ndarray:
        return augment(x_train, np.random.default_rng(copy_seeds[k]), c.augment, strength, prob=c.augment_prob)

    history, step = [], 0
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(distorted_copy, 0)
        for e in range(epochs):
            start = time.perf_counter()
            if e % augment_every == 0:
                x_epoch = pending.result()
                if e // augment_every + 1 < copies:
                    pending = pool.submit(distorted_copy, e // augment_every + 1)
            perm = order_rng.permutation(n)
            bar = EpochBar(f"epoch {e + 1:>3}/{epochs}", steps_per_epoch) if progress else None
            loss_sum = 0.0
            for i, first in enumerate(range(0, n, batch_size)):
                batch = perm[first : first + batch_size]
                if c.dropout:
                    loss, grads = gradient_with_dropout(network, x_epoch[batch], t_train[batch], c.dropout, dropout_rng)
                else:
                    loss, grads = network.gradient(x_epoch[batch], t_train[batch])
                opt.update(params, grads, learning_rate(c.schedule, c.lr, step, total_steps, warmup))
                loss_sum += loss
                step += 1
                if bar:
                    bar.update(loss_sum / (i + 1))
            seconds = time.perf_counter() - start
            row = {
                "epoch": e + 1,
                "loss": loss_sum / steps_per_epoch,
                "train_acc": accuracy(network, x_train[fit_idx], t_train[fit_idx]),
                "val_acc": accuracy(network, x_val, t_val) if x_val is not None else None,
                "test_acc": accuracy(network, x_test, t_test) if x_test is not None else None,
                "lr": learning_rate(c.schedule, c.lr, step - 1, total_steps, warmup),
                "seconds": seconds,
            }
            history.append(row)
            if bar:
                bar.finish(epoch_summary(row))
    return network, history


def epoch_summary(row: dict) -> str:
    """An epoch's row of the history as its line on stderr."""
    text = f"loss {row['loss']:.4f} train {row['train_acc']:.4f}"
    if row["val_acc"] is not None:
        text += f" val {row['val_acc']:.4f}"
    if row["test_acc"] is not None:
        text += f" test {row['test_acc']:.4f}"
    return text + f" lr {row['lr']:.2e} {row['seconds']:.1f}s"
