"""`python -m training train`: train a network on MNIST (training.loop) and save it as NAME.npz +
NAME.json, the card recording the command that reproduces the weights bit for bit.

The options are TrainConfig's fields (training.config): help, types and defaults live there once.
"""

import argparse
import shlex
import sys
import time
from dataclasses import fields
from pathlib import Path

import numpy as np

from nn.mnist import FILES
from nn.mnist import DataError
from nn.mnist import data_sha256
from nn.mnist import load_mnist
from nn.mnist import read_extra
from nn.model_files import load_model
from nn.model_files import save_model
from nn.network import Network
from training.config import TrainConfig
from training.config import argument
from training.config import flag
from training.loop import train
from training.paths import from_root

DATA_CREDIT = "MNIST training set, LeCun/Cortes/Burges, CC BY-SA 3.0"
LICENCE = "The project's own weights, trained by this project (see the repository's licence)."
INPUT_SCALING = "pixel / 255 (0..1), 784 values row by row"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One option per TrainConfig field, generated from the field."""
    parser.formatter_class = argparse.ArgumentDefaultsHelpFormatter
    parser.epilog = (
        "example: python -m training train --data-dir data/mnist --name book-retrained --hidden 50,100 "
        "--activation sigmoid --optimizer adam --epochs 30 --augment none --seed 1 --out models/"
    )
    for f in fields(TrainConfig):
        parser.add_argument(flag(f.name), **argument(f))


def recipe(config: TrainConfig, n_train: int, n_extra: int = 0) -> str:
    """The card's "training": the recipe in words."""
    opt = "Adam" if config.optimizer == "adam" else f"SGD with momentum {config.momentum}"
    decay = ""
    if config.weight_decay:
        decay = f", weight decay {config.weight_decay:g}" + (" (decoupled)" if config.optimizer == "adam" else " (L2)")
    init = "He" if config.activation == "relu" else "Xavier"
    if config.dropout:
        decay += f", dropout {config.dropout:g} after each hidden layer"
    aug = "no augmentation"
    if config.augment:
        aug = "distortions " + ", ".join(config.augment) + ", re-normalised like the app's drawings"
        if config.augment_prob < 1.0:
            aug += f" (each image with probability {config.augment_prob:g}, else the original)"
        if config.augment_every > 1:
            aug += f", new draws every {config.augment_every} epochs"
    warm = f" after {config.warmup:g} warm-up epochs" if config.warmup else ""
    images = f"{n_train} training images"
    if n_extra:
        images = f"{n_train + n_extra} training images ({n_train} MNIST + {n_extra} from {config.extra_data.name})"
    return (
        f"{opt}, lr {config.lr:g} with {config.schedule} schedule{warm}, {config.epochs} epochs of mini-batches "
        f"of {config.batch_size} over {images}{decay}; {init} initialisation; {aug}; "
        f"weights stored as {config.dtype}."
    )


def require_data_dir(data_dir: Path) -> None:
    """DataError naming what is missing unless the four MNIST files are there."""
    get = f"python -m training download --out {data_dir}"
    if not data_dir.is_dir():
        raise DataError(f"data folder {data_dir} not found; get MNIST with: {get}")
    missing = [name for name in FILES.values() if not (data_dir / name).is_file()]
    if missing:
        raise DataError(f"{data_dir} lacks {', '.join(missing)}; get them with: {get}")


def model_card(config: TrainConfig, network: Network, history: list, seconds: float, training: str) -> dict:
    """The card's fields but test_accuracy, which is that of the file as written (save_checked)."""
    last = history[-1]
    return {
        "name": config.name,
        "architecture": network.architecture,
        "activation": config.activation,
        "input_scaling": INPUT_SCALING,
        "training": training,
        "command": config.command(),
        "seed": config.seed,
        "test_accuracy": None,
        "test_accuracy_float32": round(last["test_acc"], 4),
        "validation_accuracy": None if last["val_acc"] is None else round(last["val_acc"], 4),
        "training_seconds": round(seconds, 1),
        "epoch_seconds": round(float(np.mean([row["seconds"] for row in history])), 2),
        "data": DATA_CREDIT,
        "licence": LICENCE,
        "description": config.description
        or f"A {network.architecture} {config.activation} network trained by this project.",
    }


def save_checked(config: TrainConfig, network: Network, card: dict, x_test: np.ndarray, t_test: np.ndarray) -> str:
    """Write NAME.npz + NAME.json with the test accuracy of the file as read back (float16 included);
    returns the line that reports it."""
    dtype = np.float16 if config.dtype == "float16" else np.float32
    weights_path = save_model(config.out, config.name, network.params, card, dtype=dtype)
    correct = load_model(weights_path).network.accuracy(x_test, t_test)
    card["test_accuracy"] = correct / len(t_test)
    save_model(config.out, config.name, network.params, card, dtype=dtype)
    size = weights_path.stat().st_size / 1e6
    return f"saved {weights_path} ({size:.2f} MB): test accuracy {card['test_accuracy']:.4f} ({correct}/{len(t_test)})"


def run(args: argparse.Namespace) -> int:
    config = TrainConfig.from_args(args)
    problem = config.out_of_range()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    require_data_dir(config.data_dir)
    (x_train, t_train), (x_test, t_test) = load_mnist(data_dir=config.data_dir)
    x_val = t_val = None
    if config.validation:
        if config.validation >= len(x_train):
            print(f"error: --validation {config.validation} leaves no training images", file=sys.stderr)
            return 2
        x_val, t_val = x_train[-config.validation :], t_train[-config.validation :]
        x_train, t_train = x_train[: -config.validation], t_train[: -config.validation]
    n_mnist, extra = len(x_train), None
    if config.extra_data:
        x_extra, t_extra, about = read_extra(config.extra_data)
        x_train, t_train = np.concatenate([x_train, x_extra]), np.concatenate([t_train, t_extra])
        extra = {
            "file": from_root(config.extra_data),
            "images": len(x_extra),
            "sha256": data_sha256(config.extra_data),
            "about": about,
        }
    training = recipe(config, n_mnist, len(x_train) - n_mnist)
    sizes = "-".join(str(n) for n in [784, *config.hidden, 10])
    print(f"training {config.name}: {sizes} {config.activation}, {training}", file=sys.stderr)
    if any(word.startswith("/") for word in shlex.split(config.command())):
        print(
            "note: the card's command names paths outside the project, which only this machine has; "
            "train from data/mnist (python -m training download --out data/mnist) for a card anyone can replay",
            file=sys.stderr,
        )
    start = time.perf_counter()
    network, history = train(x_train, t_train, config, x_val, t_val, x_test, t_test, progress=True)
    seconds = time.perf_counter() - start
    card = model_card(config, network, history, seconds, training)
    if extra:
        card["extra_data"] = extra
    print(f"{save_checked(config, network, card, x_test, t_test)}, {seconds:.0f} s", file=sys.stderr)
    return 0
