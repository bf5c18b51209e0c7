"""Command line of the engine: python -m nn evaluate --help. (Training: python -m training.)"""

import argparse
import sys

from nn import evaluate
from nn.mnist import DataError
from nn.model_files import ModelError

EVALUATE = "accuracy of the shipped models on the MNIST test set, one JSON line per model"


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nn", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    evaluate.add_arguments(commands.add_parser("evaluate", help=EVALUATE, description=EVALUATE))
    args = parser.parse_args(argv)
    try:
        return evaluate.run(args)
    except (ModelError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
