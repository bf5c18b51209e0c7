"""The shipped model cards hold no machine's paths: every command in a card runs from the project
root of any copy after the README's download step, and every file a card names is made by one of
its commands (or by that download step). Also: the app's import graph stays free of the training
tools, and the engine's free of them and of the preprocessing."""

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from nn.mnist import FILES
from nn.paths import ROOT
from training.__main__ import build_parser

CARDS = sorted((ROOT / "models").glob("*.json"))
ABSOLUTE = re.compile(r"""(?:^|[\s=:'"(])((?:/|~/|[A-Za-z]:\\)[^\s/\\]+\S*)""")
FILE_NAME = re.compile(r"[\w./-]+\.(?:npz|json|gz|npy|pkl)\b")


def strings(value) -> list:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def commands(card: dict) -> list:
    """The card's commands, as argument lists after `python -m training`: its `command` (train) and the
    one its extra data's `about` ends with (what made that data)."""
    texts = [card.get("command") or "", card.get("extra_data", {}).get("about", "")]
    return [shlex.split(m.group(1)) for text in texts for m in re.finditer(r"python -m training (.+)$", text)]


def readme_download_dir() -> str:
    """Where the README's download step puts MNIST: its `python -m training download --out DIR` line."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line.strip() for line in readme.splitlines() if line.strip().startswith("python -m training download")]
    assert lines, "README.md has no download step on a line of its own"
    words = shlex.split(lines[0])
    return words[words.index("--out") + 1]


def products(card_path: Path) -> tuple:
    """(files the card's commands and the README's download step make, files its commands read),
    both as paths from the project root, checking each command against the real parser."""
    card = json.loads(card_path.read_text(encoding="utf-8"))
    parser = build_parser()
    mnist = readme_download_dir()
    made = {f"{mnist}/{name}" for name in FILES.values()}
    read = []
    for words in commands(card):
        args = parser.parse_args(words)  # a command the current code no longer takes fails here
        if args.command == "train":
            made |= {f"{args.out.as_posix()}/{args.name}.npz", f"{args.out.as_posix()}/{args.name}.json"}
            read += [f"{args.data_dir.as_posix()}/{name}" for name in FILES.values()]
            if args.extra_data:
                read.append(args.extra_data.as_posix())
        elif args.command == "drawings" and args.kind == "training":
            made.add(args.out.as_posix())
            read += [f"{args.data_dir.as_posix()}/{FILES[k]}" for k in ("train_img", "train_label")]
    return card, made, read


@pytest.mark.parametrize("card_path", CARDS, ids=[p.stem for p in CARDS])
def test_a_card_holds_no_absolute_path(card_path):
    card = json.loads(card_path.read_text(encoding="utf-8"))
    found = [m.group(1) for text in strings(card) for m in ABSOLUTE.finditer(text)]
    assert not found, f"{card_path.name} names paths of one machine: {found}"
    assert "machine" not in card


@pytest.mark.parametrize("card_path", CARDS, ids=[p.stem for p in CARDS])
def test_every_file_a_card_names_is_made_by_its_commands(card_path):
    card, made, read = products(card_path)
    if card.get("command") is None:
        return  # not trained here (the book's weights): no command, no file
    assert f"models/{card_path.stem}.npz" in made, "the card's train command must write this very model"
    missing = [path for path in read if path not in made]
    assert not missing, f"{card_path.name}: its commands read {missing}, which no command in it makes"
    named = {m.group(0) for text in strings(card) for m in FILE_NAME.finditer(text)}
    known = made | {Path(path).name for path in made}
    unknown = sorted(name for name in named if name not in known and not (ROOT / name).is_file())
    assert not unknown, f"{card_path.name} names {unknown}, which none of its commands makes"


def test_the_checks_catch_what_the_old_cards_held(tmp_path):
    old = {
        "command": "OPENBLAS_NUM_THREADS=1 python -m training train --data-dir /home/x/mnist --name x"
        " --out /home/x/final --extra-data build/train/drawn-120k-s1.npz",
        "machine": "2 CPU cores",
    }
    path = tmp_path / "x.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    with pytest.raises(AssertionError, match="paths of one machine"):
        test_a_card_holds_no_absolute_path(path)
    old["command"] = old["command"].replace("/home/x/mnist", "data/mnist").replace("/home/x/final", "models")
    path.write_text(json.dumps(old), encoding="utf-8")
    with pytest.raises(AssertionError, match="drawn-120k-s1.npz"):
        test_every_file_a_card_names_is_made_by_its_commands(path)


def test_the_app_imports_neither_training_tools_nor_their_libraries():
    code = (
        "import sys; from app import create_app; create_app(); "
        "print(sorted(m for m in sys.modules if m.partition('.')[0] in ('tqdm', 'scipy', 'training')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_the_engine_imports_neither_the_training_tools_nor_the_preprocessing():
    modules = sorted(f"nn.{path.stem}" for path in (ROOT / "nn").glob("*.py") if path.stem != "__main__")
    code = (
        f"import sys; import {', '.join(modules)}; "
        "print(sorted({m.partition('.')[0] for m in sys.modules} & {'training', 'preprocess', 'PIL', 'flask'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
