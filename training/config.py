"""TrainConfig: everything a training run depends on, and the command that records it.

One field per option of `python -m training train`: its name, default, type and help live on the
field, so the command line is generated from the fields (training.train.add_arguments) and the
card's command from the values (TrainConfig.command); neither can name an option the other lacks.
"""

import argparse
import os
import shlex
import types
from dataclasses import Field
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from pathlib import Path
from typing import Any

from training.augment import PARTS
from training.augment import parse_parts
from training.paths import from_root


def parse_hidden(text: str) -> tuple:
    """'50,100' -> (50, 100): the widths of the hidden layers."""
    try:
        hidden = tuple(int(n) for n in text.split(",") if n.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hidden wants widths like 50,100, not {text!r}") from None
    if not hidden or min(hidden) < 1:
        raise argparse.ArgumentTypeError(f"--hidden wants positive widths like 50,100, not {text!r}")
    return hidden


def parse_augment(text: str) -> tuple:
    """'shift,rotate' -> ('shift', 'rotate'), as training.augment.parse_parts, for argparse."""
    try:
        return parse_parts(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def option(default: Any, help: str, **argparse_keywords: Any) -> Any:
    """A field with its command-line option: help text plus any of add_argument's keywords (type,
    choices, metavar, required) that the field's annotation does not already say."""
    return field(default=default, metadata={"help": help, **argparse_keywords})


@dataclass(frozen=True)
class TrainConfig:
    """Everything a run depends on, in the order the recorded command lists the options.
    training.loop.train reads the recipe fields; the data, output and card fields are the command
    line's."""

    data_dir: Path = option(
        Path("data/mnist"),
        "folder with the four MNIST files (train-* and t10k-*, .gz or raw); get them with: python -m training download",
        required=True,
    )
    name: str = option("model", "model name: writes NAME.npz and NAME.json", required=True)
    out: Path = option(Path("models"), "folder to write the model to")
    hidden: tuple = option((50, 100), "widths of the hidden layers", type=parse_hidden, metavar="N,N,...")
    activation: str = option(
        "sigmoid",
        "hidden activation; initialisation follows it (Xavier for sigmoid, He for relu)",
        choices=("sigmoid", "relu"),
    )
    optimizer: str = option(
        "adam", "adam, or sgd/momentum (SGD with momentum, see --momentum)", choices=("adam", "sgd", "momentum")
    )
    epochs: int = option(20, "passes over the training set")
    batch_size: int = option(100, "images per gradient step")
    lr: float = option(1e-3, "peak learning rate")
    schedule: str = option(
        "cosine",
        "learning rate over the run: cosine decay to 0, x0.1 steps at 50%% and 75%%, or constant",
        choices=("cosine", "step", "constant"),
    )
    warmup: float = option(0.0, "linear learning-rate warm-up, in epochs", metavar="EPOCHS")
    momentum: float = option(0.9, "momentum of SGD")
    weight_decay: float = option(
        0.0, "weight decay on W (not b): L2 in the gradient for SGD, decoupled (AdamW) for Adam"
    )
    dropout: float = option(0.0, "dropout after every hidden layer while training (0 = none)", metavar="RATIO")
    augment: tuple = option(
        (),
        f"comma-separated distortions: {','.join(PARTS)}; 'all' or 'none'. Distorted images are "
        "re-normalised the way the app normalises drawings (see training/augment.py)",
        type=parse_augment,
        metavar="PARTS",
    )
    augment_prob: float = option(
        1.0, "fraction of images distorted each epoch; the others are the MNIST originals", metavar="P"
    )
    augment_every: int = option(
        1, "draw new distortions every K epochs (reusing a copy saves time on small networks)", metavar="K"
    )
    validation: int = option(
        0, "hold out the last N training images and report accuracy on them each epoch", metavar="N"
    )
    seed: int = option(0, "seeds initial weights, batch order and distortions")
    dtype: str = option(
        "float32", "storage type of the saved weights (float16 halves the file)", choices=("float32", "float16")
    )
    extra_data: Path | None = option(
        None,
        "more training digits: an .npz (x (N, 28, 28) uint8, t (N,)), e.g. from python -m training drawings "
        "training, or a class's export.zip (or a folder of images-idx3-ubyte + labels-idx1-ubyte)",
        metavar="FILE.npz|EXPORT.zip|FOLDER",
    )
    description: str | None = option(None, "one sentence for the model card")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "TrainConfig":
        return cls(**{f.name: getattr(args, f.name) for f in fields(cls)})

    def command(self) -> str:
        """The full command, every option spelled out (paths from the project root, and the BLAS
        thread count set), so that defaults changing later cannot change what it reproduces."""
        words = [f"OPENBLAS_NUM_THREADS={blas_threads()}", "python", "-m", "training", "train"]
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, Path):
                value = from_root(value)
            elif isinstance(value, tuple):
                value = listed(value)
            elif isinstance(value, float):
                value = repr(value)
            words += [flag(f.name), str(value)]
        return shlex.join(words)

    def out_of_range(self) -> str | None:
        """What is wrong with a value argparse's types let through, or None."""
        if not 0.0 <= self.dropout < 1.0:
            return "--dropout must be in [0, 1)"
        for name, least in (("epochs", 1), ("batch_size", 1), ("validation", 0), ("augment_every", 1)):
            if getattr(self, name) < least:
                return f"{flag(name)} must be at least {least}"
        return None


def flag(name: str) -> str:
    """The option of a field: batch_size -> --batch-size."""
    return "--" + name.replace("_", "-")


def listed(values: tuple) -> str:
    """(50, 100) -> '50,100', () -> 'none': a tuple as its option spells it."""
    return ",".join(str(v) for v in values) or "none"


def argument(f: Field) -> dict:
    """add_argument's keywords for a field: its metadata, and its default and the type its
    annotation names (int, float, Path; Path | None reads as Path) unless the metadata says. A
    tuple's default is given as its option spells it, which argparse parses like a typed value."""
    options = [t for t in getattr(f.type, "__args__", (f.type,)) if t is not types.NoneType]
    default = listed(f.default) if isinstance(f.default, tuple) else f.default
    keywords = {"default": default} | ({"type": options[0]} if options[0] in (int, float, Path) else {})
    keywords |= f.metadata
    if keywords.get("required"):
        keywords["default"] = argparse.SUPPRESS  # given on every command line: no default to show
    return keywords


def blas_threads() -> str:
    """OpenBLAS splits a matrix product differently for other thread counts, which changes the
    last bits of the weights: the count is part of the recipe. Unset, OpenBLAS uses every core."""
    return os.environ.get("OPENBLAS_NUM_THREADS") or str(os.cpu_count() or 1)
