"""One home for what several test files need: a random network and models folder, a data URL, the
header htmx sends with each of its requests."""

from pathlib import Path

import numpy as np

from nn import Model
from nn import Network
from nn.model_files import save_model
from nn.network import init_params
from tools.digits import data_url as data_url  # re-exported: one data URL for tests and bench

ROOT = Path(__file__).resolve().parent.parent
HTMX = {"HX-Request": "true"}  # what htmx adds to every request it makes: the one copy for every test


def random_network(sizes: list, activation: str = "sigmoid", seed: int = 0) -> Network:
    """A fresh network's initial weights (nn.network.init_params) plus small random biases, so
    that every bias shown on a page differs from 0."""
    rng = np.random.default_rng(seed)
    params = init_params(sizes, activation, rng)
    for i in range(1, len(sizes)):
        params[f"b{i}"] = (0.1 * rng.standard_normal(sizes[i])).astype(np.float32)
    return Network(params, activation)


def random_model(name: str, sizes: list, activation: str = "sigmoid", seed: int = 0) -> Model:
    """A random network with a card that passes nn.model_files.load_card."""
    network = random_network(sizes, activation, seed)
    card = {
        "name": f"Random {network.architecture}",
        "architecture": network.architecture,
        "activation": activation,
        "input_scaling": "x / 255",
        "training": None,
        "seed": seed,
        "test_accuracy": None,
        "training_seconds": None,
        "data": None,
        "licence": "MIT",
    }
    return Model(name=name, card=card, network=network)


def write_models(folder: Path, models: list) -> Path:
    """Each Model as NAME.npz + NAME.json in folder, as the app's models/ holds them."""
    for model in models:
        save_model(folder, model.name, model.network.params, model.card)
    return folder
