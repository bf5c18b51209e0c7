"""nn.model_files: NAME.npz + NAME.json load, and every malformed file is refused with an error
that names it."""

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from nn.model_files import CARD_FIELDS
from nn.model_files import ModelError
from nn.model_files import load_card
from nn.model_files import load_model
from nn.model_files import load_models
from nn.model_files import load_params
from nn.model_files import save_model

ROOT = Path(__file__).resolve().parent.parent


def tiny_params(sizes=(4, 3, 2)) -> dict:
    rng = np.random.default_rng(0)
    params = {}
    for i in range(1, len(sizes)):
        params[f"W{i}"] = rng.normal(size=(sizes[i - 1], sizes[i])).astype(np.float32)
        params[f"b{i}"] = rng.normal(size=sizes[i]).astype(np.float32)
    return params


def tiny_card(**changes) -> dict:
    card = {field: None for field in CARD_FIELDS}
    card.update(name="tiny", architecture="4-3-2", activation="sigmoid", input_scaling="0..1")
    card.update(changes)
    return card


def write_model(folder: Path, name: str = "tiny", params: dict | None = None, card: dict | None = None) -> Path:
    """NAME.npz written as given (np.savez, no checks) beside its card."""
    weights_path = folder / f"{name}.npz"
    np.savez(weights_path, **(tiny_params() if params is None else params))
    (folder / f"{name}.json").write_text(json.dumps(tiny_card() if card is None else card), encoding="utf-8")
    return weights_path


def refused(path: Path, match: str, load=load_model, target: Path | None = None) -> ModelError:
    """Load `target` (default: path) and check the error names `path` and says `match`."""
    with pytest.raises(ModelError, match=match) as caught:
        load(path if target is None else target)
    assert str(path) in str(caught.value)
    return caught.value


def test_the_shipped_book_model():
    model = load_model(ROOT / "models" / "book.npz")
    assert model.name == "book"
    assert model.network.architecture == "784-50-100-10"
    assert model.network.activation == "sigmoid"
    assert model.card["test_accuracy"] == 0.9352
    assert all(value.dtype == np.float32 for value in model.network.params.values())


def test_load_models_lists_the_folder(tmp_path):
    write_model(tmp_path, "b_model")
    write_model(tmp_path, "a_model")
    (tmp_path / "notes.txt").write_text("not a model")
    assert list(load_models(tmp_path)) == ["a_model", "b_model"]
    assert "book" in load_models(ROOT / "models")


def test_missing_models_folder(tmp_path):
    refused(tmp_path / "nowhere", "models folder not found", load=load_models)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_save_then_load(tmp_path, dtype):
    params = tiny_params()
    path = save_model(tmp_path, "tiny", params, tiny_card(), dtype=dtype)
    model = load_model(path)
    assert model.card == tiny_card()
    for key, value in params.items():
        assert model.network.params[key].dtype == np.float32
        np.testing.assert_allclose(model.network.params[key], value, rtol=1e-3 if dtype == np.float16 else 0)


def test_missing_npz(tmp_path):
    path = write_model(tmp_path)
    path.unlink()
    refused(path, "weights file not found")


def test_missing_card(tmp_path):
    path = write_model(tmp_path)
    path.with_suffix(".json").unlink()
    refused(path.with_suffix(".json"), "model card not found", target=path)


def test_bad_json(tmp_path):
    path = write_model(tmp_path)
    path.with_suffix(".json").write_text('{"name": "tiny",', encoding="utf-8")
    refused(path.with_suffix(".json"), "not a valid JSON model card", target=path)


def test_card_that_is_not_an_object(tmp_path):
    path = write_model(tmp_path)
    path.with_suffix(".json").write_text("[1, 2]", encoding="utf-8")
    refused(path.with_suffix(".json"), "must be a JSON object", load=load_card)


def test_card_missing_a_field(tmp_path):
    card = tiny_card()
    del card["licence"]
    path = write_model(tmp_path, card=card)
    refused(path.with_suffix(".json"), "lacks licence", target=path)


def test_card_with_an_unknown_activation(tmp_path):
    path = write_model(tmp_path, card=tiny_card(activation="tanh"))
    refused(path.with_suffix(".json"), "unknown activation 'tanh'", target=path)


def test_wrong_architecture(tmp_path):
    path = write_model(tmp_path, card=tiny_card(architecture="784-50-100-10"))
    error = refused(path.with_suffix(".json"), "card says 784-50-100-10 but the weights are 4-3-2", target=path)
    assert "tiny.json" in str(error)


def test_shape_chain_broken(tmp_path):
    params = tiny_params()
    params["W2"] = np.zeros((5, 2), dtype=np.float32)  # W1 gives 3 values, not 5
    refused(write_model(tmp_path, params=params), r"W2 \(5, 2\) and b2 \(2,\) do not fit the layer before \(width 3\)")


def test_bias_of_the_wrong_size(tmp_path):
    params = tiny_params()
    params["b1"] = np.zeros(4, dtype=np.float32)
    refused(write_model(tmp_path, params=params), "b1")


def test_missing_array(tmp_path):
    params = tiny_params()
    del params["b2"]
    refused(write_model(tmp_path, params=params), "expected arrays W1, b1")


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_weights(tmp_path, bad):
    params = tiny_params()
    params["W2"][1, 0] = bad
    refused(write_model(tmp_path, params=params), "W2 or b2 holds nan or inf")


def test_integer_weights(tmp_path):
    params = tiny_params()
    params["W1"] = np.ones((4, 3), dtype=np.int32)
    refused(write_model(tmp_path, params=params), "must hold floats", load=load_params)


def test_not_an_npz(tmp_path):
    path = write_model(tmp_path)
    path.write_bytes(b"this is not a zip file")
    refused(path, "not a readable .npz weights file")


class TouchOnUnpickle:
    """Unpickling this object creates a file: the proof that a pickle ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_pickle_inside_the_npz_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "pickle-ran"
    params = tiny_params()
    params["W1"] = np.array([TouchOnUnpickle(marker)], dtype=object)
    path = write_model(tmp_path, params=params)
    with np.load(path, allow_pickle=False) as data:
        assert "W1" in data.files  # the file is a valid npz: only its pickle is the problem
    refused(path, "not a readable .npz weights file")
    assert not marker.exists()
    # The same file loaded with pickles allowed would run the code: the guard matters.
    with np.load(path, allow_pickle=True) as data:
        data["W1"]
    assert marker.exists()


def test_a_pickle_named_npz_is_refused(tmp_path):
    path = write_model(tmp_path)
    path.write_bytes(pickle.dumps(tiny_params()))
    refused(path, "not a readable .npz weights file")
