"""python -m training drawings training: MNIST training digits redrawn with a pen and put through the app's
preprocessing, as extra data for `python -m training train --extra-data`; and the benchmark's variant sets
(training.benchmark_set). Data: a slice of the committed test set written out as a tiny training split
(no download, no shared folder)."""

from pathlib import Path

import numpy as np
import pytest

from nn.mnist import PROJECT_DATA
from nn.mnist import read_extra
from nn.mnist import read_split
from preprocess.framing import center_of_mass
from preprocess.framing import ink_bbox
from tests.mnist_files import write_split
from training.__main__ import main
from training.benchmark_set import load_or_generate
from training.drawings import write_training_drawings
from training.synthesis import PEN_SETTINGS


@pytest.fixture(scope="module")
def train_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mnist")
    images, labels = read_split(PROJECT_DATA, "test")
    write_split(folder, "train", images[:30], labels[:30], gz=True)
    return folder


def test_training_drawings_are_labelled_app_framed_and_reproducible(train_dir, tmp_path):
    out = tmp_path / "drawn.npz"
    write_training_drawings(out, 12, seed=3, data_dir=train_dir, workers=1, log=lambda _: None)
    with np.load(out, allow_pickle=False) as data:
        x, t, source = data["x"], data["t"], data["source"]
    assert x.shape == (12, 28, 28) and x.dtype == np.uint8
    _, labels = read_split(train_dir, "train")
    assert len(set(source.tolist())) == 12 and np.array_equal(t, labels[source])
    for image in x.astype(np.float32) / 255:
        top, left, bottom, right = ink_bbox(image > 0.1)
        assert 18 <= max(bottom - top, right - left) <= 22  # longer side about 20 px, as MNIST
        row, col = center_of_mass(image)
        assert abs(row - 14) < 0.6 and abs(col - 14) < 0.6

    again = tmp_path / "again.npz"
    write_training_drawings(again, 12, seed=3, data_dir=train_dir, workers=1, log=lambda _: None)
    with np.load(again, allow_pickle=False) as data:
        assert data["x"].tobytes() == x.tobytes()
    x_extra, t_extra, about = read_extra(out)  # what training train --extra-data reads
    assert f"python -m training drawings training --out {out.resolve()} --count 12 --seed 3" in about
    assert x_extra.shape == (12, 784) and t_extra.tolist() == t.tolist()


def test_the_command_line_writes_the_file(train_dir, tmp_path, capsys):
    out = tmp_path / "cli.npz"
    args = ["drawings", "training", "--out", str(out), "--count", "3", "--workers", "1", "--data-dir", str(train_dir)]
    assert main(args) == 0
    assert "3 drawings" in capsys.readouterr().out
    assert read_extra(out)[0].shape == (3, 784)


def test_variant_benchmark_sets_record_their_tracing_and_are_rebuilt_when_it_changes(tmp_path):
    out = tmp_path / "set"
    variant = {"pens": [3, 34], "trace": [140, 3]}
    first = load_or_generate(out, seed=5, n_pen=3, n_font=0, regenerate=False, pen_settings=variant)
    assert first["pen_settings"] == variant and len(first["items"]) == 3
    drawn = [(out / item["file"]).read_bytes() for item in first["items"]]
    assert load_or_generate(out, 5, 3, 0, False, variant) == first  # same settings: read from disk
    assert [(out / item["file"]).read_bytes() for item in first["items"]] == drawn
    default = load_or_generate(out, 5, 3, 0, False)  # other settings: drawn again
    assert default["pen_settings"] == PEN_SETTINGS
    assert [(out / item["file"]).read_bytes() for item in default["items"]] != drawn


def test_a_folder_without_the_training_set_is_a_clear_error(tmp_path, capsys):
    args = ["drawings", "training", "--out", str(tmp_path / "x.npz"), "--count", "3", "--data-dir", str(tmp_path)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "not found" in err and "python -m training download" in err
    assert not (tmp_path / "x.npz").exists()


def test_the_fixture_writer_makes_the_committed_fixtures(tmp_path):
    """python -m training drawings fixtures: the web tests' drawings are the synthesis's, byte for byte."""
    assert main(["drawings", "fixtures", "--out", str(tmp_path)]) == 0
    committed = Path(__file__).resolve().parent / "fixtures" / "drawings"
    names = sorted(path.name for path in committed.iterdir())
    assert names == sorted(path.name for path in tmp_path.iterdir()) and len(names) == 21
    for name in names:
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name
