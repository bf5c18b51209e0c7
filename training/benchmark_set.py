"""The benchmark's set of canvas-like drawings on disk: pen strokes traced from MNIST *test* digits
and digits typed in handwriting fonts (training.synthesis), coloured as browsers and scanners send
them, with labels.json. Never a training digit: the set measures what the app reads, held out
from what `python -m training drawings training` draws. bench/drawings.py scores models on it.
"""

import json
import time
from collections import Counter
from pathlib import Path

import numpy as np

from nn.mnist import PROJECT_DATA
from nn.mnist import read_split
from training.synthesis import FONT_FILES
from training.synthesis import PEN_SETTINGS
from training.synthesis import colour
from training.synthesis import find_fonts
from training.synthesis import font_drawing
from training.synthesis import pen_drawing
from training.synthesis import pick_style

GENERATOR_VERSION = 2  # bump when the drawings change, so that stale sets are rebuilt


def balanced(n: int, kinds: int, rng: np.random.Generator) -> np.ndarray:
    """n indices into `kinds` categories, each full round of categories shuffled: balanced."""
    rounds = [rng.permutation(kinds) for _ in range(-(-n // kinds))]
    return np.concatenate(rounds)[:n] if rounds else np.zeros(0, np.int64)


def generate(
    out: Path,
    seed: int,
    n_pen: int,
    n_font: int,
    data_dir: Path = PROJECT_DATA,
    log=print,
    pen_settings: dict | None = None,
) -> dict:
    """Write out/pen/*.png, out/font/*.png and out/labels.json; returns the labels. pen_settings:
    pen_drawing's pens and trace, to build variant sets (PEN_SETTINGS when None)."""
    pen_settings = pen_settings or PEN_SETTINGS
    start = time.perf_counter()
    images, labels = read_split(data_dir, "test")
    fonts, missing = find_fonts()
    rng = np.random.default_rng(seed)
    by_digit = {d: rng.permutation(np.flatnonzero(labels == d)) for d in range(10)}
    items = []
    (out / "pen").mkdir(parents=True, exist_ok=True)
    (out / "font").mkdir(parents=True, exist_ok=True)
    used = Counter()
    for i, digit in enumerate(balanced(n_pen, 10, rng)):
        digit = int(digit)
        source = int(by_digit[digit][used[digit] % len(by_digit[digit])])
        used[digit] += 1
        item_rng = np.random.default_rng([seed, 1, i])  # one stream per image: stable when counts change
        style = pick_style(item_rng)
        mask, facts = pen_drawing(images[source], item_rng, style, **pen_settings)
        name = f"pen/{i:05d}_{digit}.png"
        colour(mask, style, item_rng).save(out / name)
        items.append({"file": name, "kind": "pen", "label": digit, "style": style, "mnist_test_index": source, **facts})
    if fonts:
        for i, combo in enumerate(balanced(n_font, 10 * len(fonts), rng)):
            font_name, path, _ = fonts[int(combo) // 10]
            digit = int(combo) % 10
            item_rng = np.random.default_rng([seed, 2, i])
            style = pick_style(item_rng)
            if style == "hidpi":
                style = "app"  # a font at 2x says nothing new
            mask, facts = font_drawing(path, digit, item_rng)
            name = f"font/{i:05d}_{digit}.png"
            colour(mask, style, item_rng).save(out / name)
            items.append({"file": name, "kind": "font", "label": digit, "style": style, "font": font_name, **facts})
    manifest = {
        "version": GENERATOR_VERSION,
        "seed": seed,
        "counts": {"pen": n_pen, "font": n_font},
        "pen_settings": pen_settings,
        "fonts": [{"name": n, "file": p, "package": pkg} for n, p, pkg in fonts],
        "missing_fonts": [{"name": n, "package": pkg} for n, pkg in missing],
        "source": "MNIST test set (t10k) only; never the training set",
        "items": items,
    }
    (out / "labels.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    log(f"generated {len(items)} drawings in {out} ({time.perf_counter() - start:.0f} s)")
    if missing:
        log("fonts not installed (skipped): " + ", ".join(f"{n} ({pkg})" for n, pkg in missing))
    if not fonts:
        log(
            "no handwriting font found: the font half of the set is empty; "
            "apt-get install " + " ".join(sorted({pkg for _, pkg in FONT_FILES}))
        )
    return manifest


def load_or_generate(
    out: Path, seed: int, n_pen: int, n_font: int, regenerate: bool, pen_settings: dict | None = None
) -> dict:
    """The set on disk when it matches the asked seed, counts, settings and generator; else a fresh one."""
    pen_settings = pen_settings or PEN_SETTINGS
    labels = out / "labels.json"
    if labels.is_file() and not regenerate:
        manifest = json.loads(labels.read_text(encoding="utf-8"))
        fresh = (
            manifest.get("version") == GENERATOR_VERSION
            and manifest.get("seed") == seed
            and manifest.get("counts") == {"pen": n_pen, "font": n_font}
            and manifest.get("pen_settings", PEN_SETTINGS) == pen_settings
            and all((out / item["file"]).is_file() for item in manifest["items"])
        )
        if fresh:
            return manifest
    return generate(out, seed, n_pen, n_font, pen_settings=pen_settings)
