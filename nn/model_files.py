"""Models on disk: NAME.npz (W1, b1, ... loaded without pickle) beside NAME.json, its card.

The list of models is the content of a folder, not a list in code.
"""

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nn.functions import ACTIVATIONS
from nn.network import Network

CARD_FIELDS = (
    "name",
    "architecture",
    "activation",
    "input_scaling",
    "training",
    "seed",
    "test_accuracy",
    "training_seconds",
    "data",
    "licence",
)


class ModelError(Exception):
    """A model file is missing or malformed; the message names the file and the fault."""


@dataclass
class Model:
    name: str
    card: dict
    network: Network


def load_params(path: Path) -> dict:
    """W1, b1, ... as float32 from an .npz file, checked to chain into one another."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: weights file not found")
    try:
        # Our own handle: np.load leaves its own open when the zip turns out to be broken.
        with open(path, "rb") as file, np.load(file, allow_pickle=False) as data:
            raw = {key: data[key] for key in data.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelError(f"{path}: not a readable .npz weights file ({exc})") from exc
    depth = sum(1 for key in raw if key.startswith("W"))
    expected = {f"{p}{i}" for i in range(1, depth + 1) for p in "Wb"}
    if depth == 0 or set(raw) != expected:
        raise ModelError(f"{path}: expected arrays W1, b1, ..., W{depth or 'n'}, b{depth or 'n'}; found {sorted(raw)}")
    params, n_in = {}, raw["W1"].shape[0] if raw["W1"].ndim == 2 else None
    for i in range(1, depth + 1):
        W, b = raw[f"W{i}"], raw[f"b{i}"]
        if W.ndim != 2 or b.shape != (W.shape[1],) or W.shape[0] != n_in:
            raise ModelError(f"{path}: W{i} {W.shape} and b{i} {b.shape} do not fit the layer before (width {n_in})")
        if not np.issubdtype(W.dtype, np.floating) or not np.issubdtype(b.dtype, np.floating):
            raise ModelError(f"{path}: W{i} and b{i} must hold floats, not {W.dtype} and {b.dtype}")
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ModelError(f"{path}: W{i} or b{i} holds nan or inf")
        params[f"W{i}"], params[f"b{i}"] = W.astype(np.float32), b.astype(np.float32)
        n_in = W.shape[1]
    return params


def load_card(path: Path) -> dict:
    """The JSON model card, checked for the fields every page and command relies on."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: model card not found")
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: not a valid JSON model card ({exc})") from exc
    if not isinstance(card, dict):
        raise ModelError(f"{path}: a model card must be a JSON object")
    missing = [field for field in CARD_FIELDS if field not in card]
    if missing:
        raise ModelError(f"{path}: model card lacks {', '.join(missing)}")
    if not isinstance(card["activation"], str) or card["activation"] not in ACTIVATIONS:
        raise ModelError(f"{path}: unknown activation {card['activation']!r}")
    return card


def load_model(weights_path: Path) -> Model:
    """Load NAME.npz and NAME.json; their architecture must agree."""
    weights_path = Path(weights_path)
    card_path = weights_path.with_suffix(".json")
    card = load_card(card_path)
    network = Network(load_params(weights_path), card["activation"])
    if network.architecture != card["architecture"]:
        raise ModelError(f"{card_path}: card says {card['architecture']} but the weights are {network.architecture}")
    return Model(name=weights_path.stem, card=card, network=network)


def load_models(folder: Path, on_error=None) -> dict:
    """Every NAME.npz in the folder with its card, keyed by NAME, in name order. A broken model
    raises ModelError, or with `on_error(path, error)` is reported there and skipped, so that one
    bad file does not take the others down."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelError(f"{folder}: models folder not found")
    models = {}
    for path in sorted(folder.glob("*.npz")):
        try:
            models[path.stem] = load_model(path)
        except ModelError as error:
            if on_error is None:
                raise
            on_error(path, error)
    return models


def save_model(folder: Path, name: str, params: dict, card: dict, dtype=np.float32) -> Path:
    """Write NAME.npz (weights stored as `dtype`, float16 halves the size) and NAME.json."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    weights_path = folder / f"{name}.npz"
    np.savez_compressed(weights_path, **{k: v.astype(dtype) for k, v in params.items()})
    (folder / f"{name}.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return weights_path
