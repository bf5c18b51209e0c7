"""`python -m nn evaluate` as a user runs it: the book model must score exactly 9352 of 10,000."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nn.evaluate import Confusion
from nn.evaluate import evaluate
from nn.mnist import load_test_set
from nn.model_files import load_model

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"


def run_evaluate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nn", "evaluate", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def only_line(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    return json.loads(lines[0])


def test_book_model_scores_0_9352():
    result = only_line(run_evaluate("--model", "book"))
    assert result["model"] == "book"
    assert result["architecture"] == "784-50-100-10"
    assert result["activation"] == "sigmoid"
    assert result["accuracy"] == 0.9352
    assert result["correct"] == 9352
    assert result["total"] == 10000


def test_batch_size_does_not_change_the_count():
    one = only_line(run_evaluate("--model", "book", "--batch-size", "1"))
    hundred = only_line(run_evaluate("--model", "book", "--batch-size", "100"))
    assert one["correct"] == hundred["correct"] == 9352


def test_unknown_model_exits_non_zero_with_a_clear_message():
    done = run_evaluate("--model", "no_such_model")
    assert done.returncode != 0
    assert done.stdout == ""
    assert "no model 'no_such_model'" in done.stderr
    assert "book" in done.stderr  # the message lists what there is
    assert "Traceback" not in done.stderr


def test_batch_size_must_be_positive():
    done = run_evaluate("--model", "book", "--batch-size", "0")
    assert done.returncode == 2
    assert "--batch-size must be at least 1" in done.stderr


def test_a_broken_model_does_not_stop_another_from_being_evaluated(tmp_path):
    for suffix in (".npz", ".json"):
        shutil.copy(MODELS / f"book{suffix}", tmp_path / f"book{suffix}")
    (tmp_path / "half_written.npz").write_bytes(b"PK\x03\x04")
    result = only_line(run_evaluate("--model", "book", "--models-dir", str(tmp_path)))
    assert result["correct"] == 9352
    # Asked for every model, the broken one is an error that names it.
    done = run_evaluate("--models-dir", str(tmp_path))
    assert done.returncode == 1
    assert str(tmp_path / "half_written.json") in done.stderr


def test_empty_models_folder(tmp_path):
    done = run_evaluate("--models-dir", str(tmp_path))
    assert done.returncode == 2
    assert "no models" in done.stderr


def test_missing_test_data(tmp_path):
    done = run_evaluate("--model", "book", "--data-dir", str(tmp_path))
    assert done.returncode == 1
    assert str(tmp_path / "t10k-images-idx3-ubyte.gz") in done.stderr


@pytest.mark.parametrize("batch_size", [1, 333, 10000])
def test_evaluate_function(batch_size):
    x, t = load_test_set()
    result = evaluate(load_model(MODELS / "book.npz"), x, t, batch_size=batch_size)
    assert (result["correct"], result["total"], result["accuracy"]) == (9352, 10000, 0.9352)
    assert json.loads(json.dumps(result)) == result


def test_confusion_from_counts_is_the_matrix_alone():
    found = Confusion.from_counts([(1, 1, 2), (1, 7, 1), (7, 7, 1), (4, 9, 1)])
    assert found.matrix[1, 1] == 2 and found.matrix[1, 7] == 1 and found.matrix.sum() == 5
    assert (found.total, found.correct, found.accuracy) == (5, 3, 0.6)
    assert found.of_digit(1) == (2, 3) and found.of_digit(0) == (0, 0)
    assert Confusion.from_counts([]).accuracy is None
    with pytest.raises(ValueError, match="knows no images"):
        found.images(1, 7)


def test_confusion_of_labels_finds_their_images():
    t, p = np.array([1, 1, 7, 4]), np.array([1, 7, 7, 9])
    found = Confusion(np.bincount(t * 10 + p, minlength=100).reshape(10, 10), t, p)
    assert found.images(1, 7).tolist() == [1] and found.of_digit(7) == (1, 1)
