"""Why chapter 3 batches: the 10,000 test images read one at a time in a Python loop, as the
book's neuralnet_mnist.py does, against batches of 1, 10, 100 and 1000 images per forward pass.

Prints microseconds per image and the speed-up over the loop, for the book model and every other
model in models/. Each figure is the best of --repeat runs (the least disturbed by other work).
On a busy machine wall-clock time also counts the time spent waiting for a core; `--clock cpu`
counts only the time this process ran, and is comparable across runs when BLAS uses one thread:

    python -m bench.inference [--repeat 5] [--model book] [--batch-sizes 1 10 100 1000]
    OPENBLAS_NUM_THREADS=1 python -m bench.inference --clock cpu
"""

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nn.batches import in_batches
from nn.batches import one_at_a_time
from nn.mnist import PROJECT_DATA
from nn.mnist import load_test_set
from nn.model_files import Model
from nn.model_files import ModelError
from nn.model_files import load_model
from nn.paths import MODELS_DIR

BATCH_SIZES = (1, 10, 100, 1000)
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def best_time(run: Callable[[], int], repeat: int, clock: Callable[[], float] = time.perf_counter) -> tuple:
    """(fewest seconds over `repeat` runs, the count the runs returned)."""
    run()  # warm-up: first touches of the arrays, lazy BLAS set-up
    best, counts = float("inf"), set()
    for _ in range(repeat):
        start = clock()
        counts.add(run())
        best = min(best, clock() - start)
    if len(counts) != 1:
        raise RuntimeError(f"runs disagree on the count: {sorted(counts)}")
    return best, counts.pop()


def measure(
    model: Model,
    x: np.ndarray,
    t: np.ndarray,
    batch_sizes: list,
    repeat: int,
    clock: Callable[[], float] = time.perf_counter,
) -> list:
    """One row per method: (method, microseconds per image, correct count)."""
    network = model.network
    runs = [("loop, one image", lambda: one_at_a_time(network, x, t))]
    runs += [(f"batch {n}", lambda n=n: in_batches(network, x, t, n)) for n in batch_sizes]
    rows = []
    for method, run in runs:
        seconds, correct = best_time(run, repeat, clock)
        rows.append((method, seconds / len(x) * 1e6, correct))
    return rows


def models_to_run(folder: Path, names: list | None) -> list:
    """The book model first, then the others in name order; broken files are reported and skipped."""
    paths = sorted(Path(folder).glob("*.npz"), key=lambda path: (path.stem != "book", path.stem))
    if names:
        paths = [path for path in paths if path.stem in names]
        missing = set(names) - {path.stem for path in paths}
        if missing:
            raise SystemExit(f"error: no model {', '.join(sorted(missing))} in {folder}")
    models = []
    for path in paths:
        try:
            models.append(load_model(path))
        except ModelError as exc:
            print(f"skipped: {exc}", file=sys.stderr)
    return models


def print_table(model: Model, rows: list, total: int, clock: str) -> None:
    loop_us = rows[0][1]
    correct = rows[0][2]
    print(
        f"\n{model.name} ({model.network.architecture}, {model.network.activation}): "
        f"{correct}/{total} correct, accuracy {correct / total:.4f}"
    )
    print(f"  {'method':<16}{clock + ' us/image':>14}{'speed-up':>10}")
    for method, us, count in rows:
        if count != correct:
            raise RuntimeError(f"{model.name}: {method} counts {count} correct, the loop {correct}")
        print(f"  {method:<16}{us:>14.2f}{loop_us / us:>9.1f}x")


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", help="only this model (repeatable); default: all")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--data-dir", type=Path, default=PROJECT_DATA)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=list(BATCH_SIZES))
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure, the best is kept (default 5)")
    parser.add_argument(
        "--clock",
        choices=list(CLOCKS),
        default="wall",
        help="wall: elapsed time (default); cpu: time this process ran, all its threads",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or min(args.batch_sizes) < 1:
        parser.error("--repeat and --batch-sizes must be at least 1")
    x, t = load_test_set(args.data_dir)
    models = models_to_run(args.models_dir, args.model)
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default"
    load = os.getloadavg()[0]
    print(
        f"{len(x)} test images; numpy {np.__version__}; {os.cpu_count()} CPU cores, BLAS threads {threads}; "
        f"load average {load:.1f}; {args.clock} clock, best of {args.repeat} runs"
    )
    if load > (os.cpu_count() or 1) and args.clock == "wall":
        print("warning: the machine is busy, wall-clock figures are inflated; see --clock cpu", file=sys.stderr)
    for model in models:
        rows = measure(model, x, t, args.batch_sizes, args.repeat, CLOCKS[args.clock])
        print_table(model, rows, len(t), args.clock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
