"""Drawings for the web and browser tests: the canvas-like digits of tools/digits.py (which bench
uses too), a blank canvas, an extra stroke, and the 20 committed pen drawings with their labels."""

import json
from pathlib import Path

from tools.digits import STROKES as STROKES  # re-exported: the tests' drawings are tools/digits.py's
from tools.digits import digit_png as digit_png
from tools.digits import png

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "drawings"
# How many of the 20 committed drawings each shipped model reads right, as measured (book and
# book-retrained: all 20; default reads 9_1.png as an 8). A retrained model may do better, not worse.
READ_RIGHT = {"book": 20, "book-retrained": 20, "default": 19}
# A short stroke off to the side, added and then undone in the browser tests.
EXTRA_STROKE = [(0.15 + i * 0.02, 0.8) for i in range(8)]


def blank_png() -> bytes:
    return png([])


def labelled_drawings() -> list:
    """[(file name, PNG bytes, label)] of the 20 committed pen drawings (tests/fixtures/drawings,
    written by bench/drawings.py --write-fixtures). Raises when labels.json lists nothing readable:
    a test that silently fell back to other images would test something else."""
    labels = json.loads((FIXTURES / "labels.json").read_text(encoding="utf-8"))
    found = [(item["file"], (FIXTURES / item["file"]).read_bytes(), int(item["label"])) for item in labels["items"]]
    if not found:
        raise ValueError(f"{FIXTURES / 'labels.json'} lists no drawings")
    return found
