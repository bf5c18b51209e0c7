"""`python -m nn evaluate`: accuracy of the shipped models on the 10,000 MNIST test images, or
with --data on a labelled set of our own (a class's export.zip, or its folder)."""

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nn.mnist import PROJECT_DATA
from nn.mnist import load_test_set
from nn.mnist import read_labelled
from nn.model_files import load_model
from nn.model_files import load_models
from nn.paths import MODELS_DIR


def evaluate(model, x, t, batch_size: int = 1000) -> dict:
    """One JSON-ready line: how many of the test images the model labels right, and how fast."""
    start = time.perf_counter()
    correct = model.network.accuracy(x, t, batch_size=batch_size)
    return {
        "model": model.name,
        "architecture": model.network.architecture,
        "activation": model.network.activation,
        "accuracy": correct / len(t),
        "correct": correct,
        "total": int(len(t)),
        "seconds": round(time.perf_counter() - start, 4),
    }


@dataclass(frozen=True)
class Confusion:
    """Where a network's answers on a labelled set land: matrix (10, 10) with matrix[i, j] = how
    many images of digit i were read as j; t (N,) true labels and p (N,) predicted ones when the
    images behind it are known (a count made elsewhere, e.g. by a database, has the matrix alone)."""

    matrix: np.ndarray
    t: np.ndarray | None = None
    p: np.ndarray | None = None

    @classmethod
    def from_counts(cls, counts) -> "Confusion":
        """From (true, predicted, how many) triples, as a database's GROUP BY counts them."""
        matrix = np.zeros((10, 10), dtype=np.int64)
        for true, predicted, n in counts:
            matrix[true, predicted] += n
        return cls(matrix)

    @property
    def total(self) -> int:
        return int(self.matrix.sum())

    @property
    def correct(self) -> int:
        return int(np.trace(self.matrix))

    @property
    def accuracy(self) -> float | None:
        """The share read right; None for an empty set."""
        return self.correct / self.total if self.total else None

    def of_digit(self, digit: int) -> tuple:
        """(read right, how many) of one true digit's images."""
        return int(self.matrix[digit, digit]), int(self.matrix[digit].sum())

    def per_digit_accuracy(self) -> np.ndarray:
        """(10,) the share of each true digit's images read right (nan for a digit with none)."""
        totals = self.matrix.sum(axis=1)
        return np.divide(np.diag(self.matrix), totals, out=np.full(10, np.nan), where=totals > 0)

    def images(self, true: int, predicted: int) -> np.ndarray:
        """Indices into the set of the images of digit `true` read as `predicted`, in order."""
        if self.t is None or self.p is None:
            raise ValueError("this confusion matrix was made from counts: it knows no images")
        return np.flatnonzero((self.t == true) & (self.p == predicted))


def confusion(network, x: np.ndarray, t: np.ndarray, batch_size: int = 1000) -> Confusion:
    """Read x (N, 784) in batches and count every (true, predicted) pair."""
    p = np.concatenate([network.predict(x[i : i + batch_size]).argmax(axis=1) for i in range(0, len(x), batch_size)])
    t = np.asarray(t, dtype=np.int64)
    matrix = np.bincount(t * 10 + p, minlength=100).reshape(10, 10)
    return Confusion(matrix, t, p)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="evaluate only this model (a name in the models folder)")
    parser.add_argument("--batch-size", type=int, default=1000, help="images per forward pass (default 1000)")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR, help="folder of NAME.npz + NAME.json")
    parser.add_argument("--data-dir", type=Path, default=PROJECT_DATA, help="folder with the t10k-* files")
    parser.add_argument(
        "--data",
        type=Path,
        metavar="EXPORT.zip|FOLDER",
        help="score on these drawings instead: images-idx3-ubyte + labels-idx1-ubyte, e.g. a class's export.zip",
    )


def run(args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        print("error: --batch-size must be at least 1", file=sys.stderr)
        return 2
    if args.model is None:
        models = load_models(args.models_dir)
    else:
        # Load only the model asked for, so that another, broken file cannot get in the way.
        weights_path = Path(args.models_dir) / f"{args.model}.npz"
        if not weights_path.is_file():
            shipped = sorted(path.stem for path in Path(args.models_dir).glob("*.npz"))
            print(
                f"error: no model {args.model!r} in {args.models_dir}; shipped: {', '.join(shipped) or 'none'}",
                file=sys.stderr,
            )
            return 2
        models = {args.model: load_model(weights_path)}
    if not models:
        print(f"error: no models (NAME.npz + NAME.json) in {args.models_dir}", file=sys.stderr)
        return 2
    if args.data is None:
        x, t = load_test_set(args.data_dir)
    else:
        images, labels = read_labelled(args.data)
        x, t = images.reshape(len(images), 784).astype("float32") / 255.0, labels.astype("int64")
        if not len(t):
            print(f"error: {args.data} holds no drawings", file=sys.stderr)
            return 2
    for model in models.values():
        line = evaluate(model, x, t, args.batch_size)
        if args.data is not None:
            line["data"] = str(args.data)
        print(json.dumps(line), flush=True)
    return 0
