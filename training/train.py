"""`python -m training train`: mini-batch training by backpropagation, saved as NAME.npz + NAME.json.

The recipe of the book's chapters 4-6 (Network.gradient, Momentum or Adam, Xavier or He
initialisation, weight decay), plus a learning-rate schedule and the distortions of training.augment.
A seed fixes everything random (initial weights, order of batches, distortions), so the same
command gives the same weights bit for bit on the same machine, NumPy build and BLAS thread count
(the recorded command sets OPENBLAS_NUM_THREADS for that reason).
"""

import argparse
import os
import shlex
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import fields
from pathlib import Path

import numpy as np

from nn.layers import Affine
from nn.layers import Dropout
from nn.mnist import FILES
from nn.mnist import DataError
from nn.mnist import data_sha256
from nn.mnist import load_mnist
from nn.mnist import read_extra
from nn.model_files import load_model
from nn.model_files import save_model
from nn.network import Network
from nn.network import backprop
from nn.network import init_params
from nn.paths import from_root
from training.augment import augment
from training.augment import parse_parts
from training.optimizers import learning_rate
from training.optimizers import make_optimizer

DATA_CREDIT = "MNIST training set, LeCun/Cortes/Burges, CC BY-SA 3.0"
LICENCE = "The project's own weights, trained by this project (see the repository's licence)."
INPUT_SCALING = "pixel / 255 (0..1), 784 values row by row"


@dataclass(frozen=True)
class TrainConfig:
    """Everything a run depends on: one field per option of `python -m training train` (same name, same
    default), in the order the recorded command lists them. train() reads the recipe fields; the
    data, output and card fields are the command line's."""

    data_dir: Path = Path("data/mnist")
    name: str = "model"
    out: Path = Path("models")
    hidden: tuple = (50, 100)
    activation: str = "sigmoid"
    optimizer: str = "adam"
    epochs: int = 20
    batch_size: int = 100
    lr: float = 1e-3
    schedule: str = "cosine"
    warmup: float = 0.0  # epochs
    momentum: float = 0.9
    weight_decay: float = 0.0
    dropout: float = 0.0
    augment: tuple = ()
    augment_prob: float = 1.0
    augment_every: int = 1
    validation: int = 0
    seed: int = 0
    dtype: str = "float32"
    extra_data: Path | None = None
    description: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "TrainConfig":
        values = {f.name: getattr(args, f.name) for f in fields(cls)}
        return cls(**dict(values, hidden=tuple(values["hidden"]), augment=tuple(values["augment"])))

    def command(self) -> str:
        """The full command, every option spelled out (paths from the project root, and the BLAS
        thread count set), so that defaults changing later cannot change what it reproduces."""
        words = [f"OPENBLAS_NUM_THREADS={blas_threads()}", "python", "-m", "training", "train"]
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None:
                continue
            if isinstance(value, Path):
                value = from_root(value)
            elif isinstance(value, tuple):
                value = ",".join(str(v) for v in value) or "none"
            elif isinstance(value, float):
                value = repr(value)
            words += ["--" + field.name.replace("_", "-"), str(value)]
        return shlex.join(words)


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
    text = f"loss {row['loss']:.4f} train {row['train_acc']:.4f}"
    if row["val_acc"] is not None:
        text += f" val {row['val_acc']:.4f}"
    if row["test_acc"] is not None:
        text += f" test {row['test_acc']:.4f}"
    return text + f" lr {row['lr']:.2e} {row['seconds']:.1f}s"


def parse_hidden(text: str) -> list:
    try:
        hidden = [int(n) for n in text.split(",") if n.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hidden wants widths like 50,100, not {text!r}") from None
    if not hidden or min(hidden) < 1:
        raise argparse.ArgumentTypeError(f"--hidden wants positive widths like 50,100, not {text!r}")
    return hidden


def parse_augment(text: str) -> tuple:
    try:
        return parse_parts(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.ArgumentDefaultsHelpFormatter
    parser.epilog = (
        "example: python -m training train --data-dir data/mnist --name book-retrained --hidden 50,100 "
        "--activation sigmoid --optimizer adam --epochs 30 --augment none --seed 1 --out models/"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        required=True,
        help="folder with the four MNIST files (train-* and t10k-*, .gz or raw); "
        "get them with: python -m training download",
    )
    parser.add_argument("--name", required=True, help="model name: writes NAME.npz and NAME.json")
    parser.add_argument("--out", type=Path, default=TrainConfig.out, help="folder to write the model to")
    parser.add_argument(
        "--hidden", type=parse_hidden, default=TrainConfig.hidden, metavar="N,N,...", help="widths of the hidden layers"
    )
    parser.add_argument(
        "--activation",
        choices=("sigmoid", "relu"),
        default=TrainConfig.activation,
        help="hidden activation; initialisation follows it (Xavier for sigmoid, He for relu)",
    )
    parser.add_argument(
        "--optimizer",
        choices=("adam", "sgd", "momentum"),
        default=TrainConfig.optimizer,
        help="adam, or sgd/momentum (SGD with momentum, see --momentum)",
    )
    parser.add_argument("--epochs", type=int, default=TrainConfig.epochs, help="passes over the training set")
    parser.add_argument("--batch-size", type=int, default=TrainConfig.batch_size, help="images per gradient step")
    parser.add_argument("--lr", type=float, default=TrainConfig.lr, help="peak learning rate")
    parser.add_argument(
        "--schedule",
        choices=("cosine", "step", "constant"),
        default=TrainConfig.schedule,
        help="learning rate over the run: cosine decay to 0, x0.1 steps at 50%% and 75%%, or constant",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=TrainConfig.warmup,
        metavar="EPOCHS",
        help="linear learning-rate warm-up, in epochs",
    )
    parser.add_argument("--momentum", type=float, default=TrainConfig.momentum, help="momentum of SGD")
    parser.add_argument(
        "--weight-decay",
        type=float,
        default=TrainConfig.weight_decay,
        help="weight decay on W (not b): L2 in the gradient for SGD, decoupled (AdamW) for Adam",
    )
    parser.add_argument(
        "--dropout",
        type=float,
        default=TrainConfig.dropout,
        metavar="RATIO",
        help="dropout after every hidden layer while training (0 = none)",
    )
    parser.add_argument(
        "--augment",
        type=parse_augment,
        default=TrainConfig.augment,
        metavar="PARTS",
        help="comma-separated distortions: shift,rotate,scale,shear,elastic,thickness,pen; "
        "'all' or 'none'. Distorted images are re-normalised the way the app "
        "normalises drawings (see training/augment.py)",
    )
    parser.add_argument(
        "--augment-prob",
        type=float,
        default=TrainConfig.augment_prob,
        metavar="P",
        help="fraction of images distorted each epoch; the others are the MNIST originals",
    )
    parser.add_argument(
        "--augment-every",
        type=int,
        default=TrainConfig.augment_every,
        metavar="K",
        help="draw new distortions every K epochs (reusing a copy saves time on small networks)",
    )
    parser.add_argument(
        "--validation",
        type=int,
        default=TrainConfig.validation,
        metavar="N",
        help="hold out the last N training images and report accuracy on them each epoch",
    )
    parser.add_argument(
        "--extra-data",
        type=Path,
        default=TrainConfig.extra_data,
        metavar="FILE.npz|EXPORT.zip|FOLDER",
        help="more training digits: an .npz (x (N, 28, 28) uint8, t (N,)), e.g. from python -m training drawings "
        "training, or a class's export.zip (or a folder of images-idx3-ubyte + labels-idx1-ubyte)",
    )
    parser.add_argument(
        "--seed", type=int, default=TrainConfig.seed, help="seeds initial weights, batch order and distortions"
    )
    parser.add_argument(
        "--dtype",
        choices=("float32", "float16"),
        default=TrainConfig.dtype,
        help="storage type of the saved weights (float16 halves the file)",
    )
    parser.add_argument("--description", default=TrainConfig.description, help="one sentence for the model card")


def blas_threads() -> str:
    """OpenBLAS splits a matrix product differently for other thread counts, which changes the
    last bits of the weights: the count is part of the recipe. Unset, OpenBLAS uses every core."""
    return os.environ.get("OPENBLAS_NUM_THREADS") or str(os.cpu_count() or 1)


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


def check_data_dir(data_dir: Path) -> str | None:
    """A message naming what is missing, or None when the training files are there."""
    if not data_dir.is_dir():
        return f"data folder {data_dir} not found; get MNIST with: python -m training download --out {data_dir}"
    missing = [name for name in FILES.values() if not (data_dir / name).is_file()]
    if missing:
        return f"{data_dir} lacks {', '.join(missing)}; get them with: python -m training download --out {data_dir}"
    return None


def run(args: argparse.Namespace) -> int:
    config = TrainConfig.from_args(args)
    if not 0.0 <= config.dropout < 1.0:
        print("error: --dropout must be in [0, 1)", file=sys.stderr)
        return 2
    for name, value, least in (
        ("--epochs", config.epochs, 1),
        ("--batch-size", config.batch_size, 1),
        ("--validation", config.validation, 0),
        ("--augment-every", config.augment_every, 1),
    ):
        if value < least:
            print(f"error: {name} must be at least {least}", file=sys.stderr)
            return 2
    problem = check_data_dir(config.data_dir)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    (x_train, t_train), (x_test, t_test) = load_mnist(data_dir=config.data_dir)
    x_val = t_val = None
    if config.validation:
        if config.validation >= len(x_train):
            print(f"error: --validation {config.validation} leaves no training images", file=sys.stderr)
            return 2
        x_val, t_val = x_train[-config.validation :], t_train[-config.validation :]
        x_train, t_train = x_train[: -config.validation], t_train[: -config.validation]
    n_mnist = len(x_train)
    if config.extra_data:
        try:
            x_extra, t_extra, about = read_extra(config.extra_data)
        except DataError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        x_train, t_train = np.concatenate([x_train, x_extra]), np.concatenate([t_train, t_extra])
    sizes = "-".join(str(n) for n in [784, *config.hidden, 10])
    print(
        f"training {config.name}: {sizes} {config.activation}, {recipe(config, n_mnist, len(x_train) - n_mnist)}",
        file=sys.stderr,
    )
    command = config.command()
    if any(word.startswith("/") for word in shlex.split(command)):
        print(
            "note: the card's command names paths outside the project, which only this machine has; "
            "train from data/mnist (python -m training download --out data/mnist) for a card anyone can replay",
            file=sys.stderr,
        )
    start = time.perf_counter()
    network, history = train(x_train, t_train, config, x_val, t_val, x_test, t_test, progress=True)
    training_seconds = time.perf_counter() - start
    card = {
        "name": config.name,
        "architecture": network.architecture,
        "activation": config.activation,
        "input_scaling": INPUT_SCALING,
        "training": recipe(config, n_mnist, len(x_train) - n_mnist),
        "command": command,
        "seed": config.seed,
        "test_accuracy": None,
        "test_accuracy_float32": round(history[-1]["test_acc"], 4),
        "validation_accuracy": None if x_val is None else round(history[-1]["val_acc"], 4),
        "training_seconds": round(training_seconds, 1),
        "epoch_seconds": round(float(np.mean([row["seconds"] for row in history])), 2),
        "data": DATA_CREDIT,
        "licence": LICENCE,
        "description": config.description or f"A {sizes} {config.activation} network trained by this project.",
    }
    if config.extra_data:
        card["extra_data"] = {
            "file": from_root(config.extra_data),
            "images": len(x_train) - n_mnist,
            "sha256": data_sha256(config.extra_data),
            "about": about,
        }
    dtype = np.float16 if config.dtype == "float16" else np.float32
    weights_path = save_model(config.out, config.name, network.params, card, dtype=dtype)
    # The accuracy on the card is that of the file as written and read back (float16 included).
    model = load_model(weights_path)
    correct = model.network.accuracy(x_test, t_test)
    card["test_accuracy"] = correct / len(t_test)
    save_model(config.out, config.name, network.params, card, dtype=dtype)
    size = weights_path.stat().st_size / 1e6
    print(
        f"saved {weights_path} ({size:.2f} MB): test accuracy {card['test_accuracy']:.4f} "
        f"({correct}/{len(t_test)}), {training_seconds:.0f} s",
        file=sys.stderr,
    )
    return 0
