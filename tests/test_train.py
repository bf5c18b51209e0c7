"""training.loop and python -m training train: backprop lowers the loss, a seed gives bit-identical
weights, the CLI (generated from TrainConfig) writes a complete model card whose command reproduces
the weights. Data: a slice of the committed test set written out as a tiny MNIST folder, so no
download and no shared folder are needed."""

import argparse
import dataclasses
import hashlib
import io
import json
import shlex
from pathlib import Path

import numpy as np
import pytest

from nn.mnist import load_test_set
from nn.model_files import load_model
from nn.paths import ROOT
from tests.mnist_files import write_split
from training.__main__ import main
from training.config import TrainConfig
from training.loop import EpochBar
from training.loop import gradient_with_dropout
from training.loop import train
from training.optimizers import Adam
from training.optimizers import Momentum
from training.optimizers import learning_rate
from training.train import add_arguments


@pytest.fixture(scope="module")
def small():
    x, t = load_test_set()
    return x[:600], t[:600], x[600:800], t[600:800]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, small):
    folder = tmp_path_factory.mktemp("mnist")
    x_train, t_train, x_test, t_test = small
    for split, x, t in (("train", x_train, t_train), ("test", x_test, t_test)):
        write_split(folder, split, np.round(x * 255).reshape(-1, 28, 28), t, gz=True)
    return folder


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_training_lowers_the_loss(small, optimizer):
    x, t, x_test, t_test = small
    lr = 1e-3 if optimizer == "adam" else 0.05
    config = TrainConfig(
        hidden=(32,), activation="relu", optimizer=optimizer, epochs=4, batch_size=50, lr=lr, schedule="constant"
    )
    network, history = train(x, t, config, x_test=x_test, t_test=t_test)
    losses = [row["loss"] for row in history]
    assert losses[-1] < 0.6 * losses[0]
    assert history[-1]["train_acc"] > 0.8
    assert history[-1]["test_acc"] > 0.6


def test_sigmoid_network_trains_too(small):
    x, t, _, _ = small
    config = TrainConfig(hidden=(20, 20), activation="sigmoid", optimizer="adam", epochs=6, batch_size=50, lr=2e-2)
    _, history = train(x, t, config)
    assert history[-1]["loss"] < 0.8 * history[0]["loss"]


def test_dropout_gradient_matches_plain_gradient_at_ratio_zero(small):
    x, t, _, _ = small
    network, _ = train(x[:100], t[:100], TrainConfig(hidden=(16,), activation="relu", epochs=1))
    loss, grads = network.gradient(x[:50], t[:50])
    loss_d, grads_d = gradient_with_dropout(network, x[:50], t[:50], 0.0, np.random.default_rng(0))
    assert loss_d == pytest.approx(loss)
    for key in grads:
        np.testing.assert_allclose(grads_d[key], grads[key], rtol=1e-5, atol=1e-7)


def test_dropout_trains_and_is_reproducible(small):
    x, t, _, _ = small
    config = TrainConfig(hidden=(32,), activation="relu", epochs=3, batch_size=50, dropout=0.3, seed=2)
    a, history = train(x, t, config)
    b, _ = train(x, t, config)
    assert history[-1]["loss"] < history[0]["loss"]
    assert a.params["W1"].tobytes() == b.params["W1"].tobytes()


def test_same_seed_gives_bit_identical_weights(small):
    x, t, _, _ = small
    kwargs = dict(
        hidden=(16, 8),
        activation="relu",
        optimizer="adam",
        epochs=2,
        batch_size=64,
        lr=2e-3,
        weight_decay=1e-2,
        augment=("rotate", "elastic", "thickness"),
    )
    a, _ = train(x, t, TrainConfig(seed=3, **kwargs))
    b, _ = train(x, t, TrainConfig(seed=3, **kwargs))
    c, _ = train(x, t, TrainConfig(seed=4, **kwargs))
    for key in a.params:
        assert a.params[key].tobytes() == b.params[key].tobytes(), key
    assert not np.array_equal(a.params["W1"], c.params["W1"])


def test_optimizers_step_downhill():
    """On f(W) = |W|^2 / 2 (gradient W) both optimizers shrink W; weight decay shrinks it more."""
    for opt in (Momentum(), Adam(), Adam(weight_decay=0.1)):
        params = {"W1": np.ones((3, 3), np.float32)}
        for _ in range(20):
            opt.update(params, {"W1": params["W1"].copy()}, lr=0.05)
        assert np.abs(params["W1"]).max() < 0.9


def test_learning_rate_schedules():
    assert learning_rate("constant", 0.1, 50, 100) == 0.1
    assert learning_rate("cosine", 0.1, 0, 100) == pytest.approx(0.1)
    assert learning_rate("cosine", 0.1, 50, 100) == pytest.approx(0.05)
    assert learning_rate("cosine", 0.1, 100, 100) == pytest.approx(0.0, abs=1e-12)
    assert learning_rate("step", 0.1, 80, 100) == pytest.approx(0.001)
    assert learning_rate("cosine", 0.1, 0, 100, warmup=10) == pytest.approx(0.01)


def test_cli_writes_model_and_card_and_its_command_reproduces(data_dir, tmp_path, capsys):
    out = tmp_path / "models"
    args = [
        "train",
        "--data-dir",
        str(data_dir),
        "--name",
        "tiny",
        "--hidden",
        "24",
        "--activation",
        "relu",
        "--epochs",
        "2",
        "--batch-size",
        "50",
        "--augment",
        "shift,shear",
        "--seed",
        "5",
        "--out",
        str(out),
        "--dtype",
        "float16",
    ]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "epoch   2/2" in err and "test accuracy" in err
    card = json.loads((out / "tiny.json").read_text())
    for field in (
        "name",
        "architecture",
        "activation",
        "input_scaling",
        "training",
        "command",
        "seed",
        "test_accuracy",
        "training_seconds",
        "epoch_seconds",
        "data",
        "licence",
        "description",
    ):
        assert field in card, field
    assert card["architecture"] == "784-24-10" and card["seed"] == 5
    model = load_model(out / "tiny.npz")
    with np.load(out / "tiny.npz") as weights:
        assert weights["W1"].dtype == np.float16
    x_test, t_test = load_test_set(data_dir)
    assert card["test_accuracy"] == model.network.accuracy(x_test, t_test) / len(t_test)

    again = tmp_path / "again"
    command = shlex.split(card["command"])
    assert command[0].startswith("OPENBLAS_NUM_THREADS=")
    assert command[1:5] == ["python", "-m", "training", "train"]
    command[command.index("--out") + 1] = str(again)
    assert main(command[4:]) == 0
    with np.load(out / "tiny.npz") as first, np.load(again / "tiny.npz") as second:
        for key in first.files:
            assert first[key].tobytes() == second[key].tobytes(), key


def test_missing_data_dir_is_a_clear_error(tmp_path, capsys):
    code = main(["train", "--data-dir", str(tmp_path / "nowhere"), "--name", "x", "--out", str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert "nowhere" in err and "not found" in err and "python -m training download" in err


def test_bad_arguments_are_refused(data_dir, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["train", "--data-dir", str(data_dir), "--name", "x", "--augment", "blur"])
    with pytest.raises(SystemExit):
        main(["train", "--data-dir", str(data_dir), "--name", "x", "--hidden", "0"])
    assert main(["train", "--data-dir", str(data_dir), "--name", "x", "--epochs", "0", "--out", str(tmp_path)]) == 2


def test_extra_training_digits_join_the_training_set_and_the_card(data_dir, small, tmp_path, capsys):
    x_train, t_train = small[0], small[1]
    extra = tmp_path / "drawn.npz"
    np.savez(
        extra, x=np.round(x_train[:40] * 255).astype(np.uint8).reshape(-1, 28, 28), t=t_train[:40].astype(np.uint8)
    )
    out = tmp_path / "models"
    base = ["train", "--data-dir", str(data_dir), "--name", "x", "--hidden", "16", "--epochs", "1", "--out", str(out)]
    assert main([*base, "--extra-data", str(extra)]) == 0
    card = json.loads((out / "x.json").read_text())
    assert "640 training images (600 MNIST + 40 from drawn.npz)" in card["training"]
    command = shlex.split(card["command"])
    assert command[command.index("--extra-data") + 1] == str(extra.resolve())
    assert card["extra_data"]["file"] == str(extra.resolve()) and card["extra_data"]["images"] == 40
    assert card["extra_data"]["sha256"] == hashlib.sha256(extra.read_bytes()).hexdigest()

    (tmp_path / "broken.npz").write_bytes(b"PK nothing")
    capsys.readouterr()
    assert main([*base, "--extra-data", str(tmp_path / "broken.npz")]) == 1
    assert "broken.npz" in capsys.readouterr().err


def test_the_recorded_command_is_the_config_and_names_paths_from_the_project_root(monkeypatch, tmp_path):
    """The command is generated from the one config object and parses back into it; paths inside
    the project are written from its root however they were given."""
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.chdir(ROOT / "nn")
    config = TrainConfig(
        data_dir=Path("../data/mnist"),
        name="x",
        out=ROOT / "models",
        hidden=(30, 20),
        augment=("shift", "pen"),
        extra_data=Path("../data/drawings/train-120k.npz"),
        description="it's a test",
    )
    words = shlex.split(config.command())
    assert words[:5] == ["OPENBLAS_NUM_THREADS=1", "python", "-m", "training", "train"]
    assert words[words.index("--data-dir") + 1] == "data/mnist"
    assert words[words.index("--out") + 1] == "models"
    assert words[words.index("--extra-data") + 1] == "data/drawings/train-120k.npz"
    monkeypatch.chdir(ROOT)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert TrainConfig.from_args(parser.parse_args(words[5:])) == dataclasses.replace(
        config, data_dir=Path("data/mnist"), out=Path("models"), extra_data=Path("data/drawings/train-120k.npz")
    )
    assert "--augment none" in TrainConfig().command() and "--extra-data" not in TrainConfig().command()
    assert str(tmp_path.resolve()) in TrainConfig(data_dir=tmp_path).command()  # outside: as it is


def test_the_options_are_the_config_fields_with_their_defaults():
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    options = {action.dest for action in parser._actions} - {"help"}
    assert options == {f.name for f in dataclasses.fields(TrainConfig)}
    assert TrainConfig.from_args(parser.parse_args(["--data-dir", "data/mnist", "--name", "model"])) == TrainConfig()
    with pytest.raises(SystemExit):
        parser.parse_args(["--name", "model"])  # --data-dir is required


def test_epoch_lines_on_a_terminal_and_in_a_log():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for stream in (io.StringIO(), Terminal()):
        bar = EpochBar("epoch   1/1", 3, stream)
        for loss in (0.9, 0.5, 0.4):
            bar.update(loss)
        bar.finish("loss 0.6000 train 0.9000")
        assert stream.getvalue().endswith("epoch   1/1 loss 0.6000 train 0.9000\n")
    assert "batch" in stream.getvalue() and "\r" in stream.getvalue()  # the terminal saw a bar
