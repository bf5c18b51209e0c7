"""Command line of the training tools: python -m training {train,download,drawings} --help."""

import argparse
import importlib
import sys

from nn.mnist import DataError
from nn.model_files import ModelError

COMMANDS = {
    "train": "train a network on MNIST and save it as NAME.npz + NAME.json",
    "download": "download the four official MNIST files, checking their md5",
    "drawings": "write canvas-like drawings: training digits for train --extra-data, or the tests' fixtures",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(f"training.{name}").add_arguments(sub)
    return parser


def main(argv: list | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return importlib.import_module(f"training.{args.command}").run(args)
    except (ModelError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
