"""nn.mnist: the committed t10k files, raw IDX as well as gzip, and broken files refused with a
DataError that names the file."""

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from nn.mnist import FILES
from nn.mnist import IMAGE_MAGIC
from nn.mnist import LABEL_MAGIC
from nn.mnist import PROJECT_DATA
from nn.mnist import DataError
from nn.mnist import load_mnist
from nn.mnist import load_test_set
from nn.mnist import read_extra
from nn.mnist import read_idx
from nn.mnist import read_split
from tests.mnist_files import write_split

IMAGES = FILES["test_img"]
LABELS = FILES["test_label"]


def test_the_committed_test_set():
    images, labels = read_split(PROJECT_DATA, "t10k")
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.uint8
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert images.max() == 255 and images.min() == 0


def test_load_test_set_scales_and_flattens():
    x, t = load_test_set()
    assert x.shape == (10000, 784) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() == 1.0
    assert t.dtype == np.int64 and t[0] == 7


def test_load_mnist_options():
    _, (x, t) = load_mnist(normalize=False, flatten=False, one_hot_label=True, with_train=False)
    assert x.shape == (10000, 1, 28, 28) and x.dtype == np.uint8
    assert t.shape == (10000, 10) and t[0].argmax() == 7 and t.sum() == 10000


def test_load_mnist_without_the_training_files(tmp_path):
    for name in (IMAGES, LABELS):
        shutil.copy(PROJECT_DATA / name, tmp_path / name)
    with pytest.raises(DataError, match="file not found") as caught:
        load_mnist(data_dir=tmp_path)
    assert str(tmp_path / FILES["train_img"]) in str(caught.value)


def test_raw_files_read_like_gzip(tmp_path):
    for name in (IMAGES, LABELS):
        (tmp_path / name).write_bytes(gzip.decompress((PROJECT_DATA / name).read_bytes()))
    raw_images, raw_labels = read_split(tmp_path, "test")
    images, labels = read_split(PROJECT_DATA, "test")
    np.testing.assert_array_equal(raw_images, images)
    np.testing.assert_array_equal(raw_labels, labels)


@pytest.mark.parametrize("gz", [False, True])
def test_small_files_made_here(tmp_path, gz):
    images = np.arange(3 * 28 * 28).reshape(3, 28, 28) % 256
    write_split(tmp_path, "test", images, np.array([3, 1, 4]), gz=gz)
    read_images, read_labels = read_split(tmp_path, "test")
    np.testing.assert_array_equal(read_images, images)
    assert read_labels.tolist() == [3, 1, 4]


def refused(path: Path, match: str, read=lambda: None) -> DataError:
    with pytest.raises(DataError, match=match) as caught:
        read()
    assert str(path) in str(caught.value)
    return caught.value


def test_missing_file(tmp_path):
    refused(tmp_path / IMAGES, "file not found", lambda: read_idx(tmp_path / IMAGES, IMAGE_MAGIC))


def test_bad_magic(tmp_path):
    """A labels file under the images' name."""
    shutil.copy(PROJECT_DATA / LABELS, tmp_path / IMAGES)
    shutil.copy(PROJECT_DATA / LABELS, tmp_path / LABELS)
    refused(tmp_path / IMAGES, "magic number 2049, expected 2051", lambda: read_split(tmp_path, "test"))


def test_truncated_raw_file(tmp_path):
    path = tmp_path / IMAGES
    path.write_bytes(gzip.decompress((PROJECT_DATA / IMAGES).read_bytes())[:-100])
    refused(
        path,
        r"header promises 7840016 bytes for shape \(10000, 28, 28\), file has 7839916",
        lambda: read_idx(path, IMAGE_MAGIC),
    )


def test_truncated_gzip_file(tmp_path):
    path = tmp_path / LABELS
    path.write_bytes((PROJECT_DATA / LABELS).read_bytes()[:2000])
    refused(path, "broken gzip data", lambda: read_idx(path, LABEL_MAGIC))


def test_corrupt_gzip_file(tmp_path):
    """Flipped bytes inside the compressed stream (zlib.error, which is not an OSError)."""
    data = bytearray((PROJECT_DATA / LABELS).read_bytes())
    data[100:110] = b"\xff" * 10
    path = tmp_path / LABELS
    path.write_bytes(bytes(data))
    refused(path, "broken gzip data", lambda: read_idx(path, LABEL_MAGIC))


def test_too_short_for_a_header(tmp_path):
    path = tmp_path / LABELS
    path.write_bytes(b"\x00\x00\x08")
    refused(path, "too short for an IDX header", lambda: read_idx(path, LABEL_MAGIC))


def test_count_mismatch_between_images_and_labels(tmp_path):
    write_split(tmp_path, "test", np.zeros((5, 28, 28)), np.zeros(4))
    error = refused(tmp_path / IMAGES, "5 images but .* has 4 labels", lambda: read_split(tmp_path, "test"))
    assert str(tmp_path / LABELS) in str(error)


def test_images_of_the_wrong_size(tmp_path):
    write_split(tmp_path, "test", np.zeros((2, 32, 32)), np.zeros(2))
    refused(tmp_path / IMAGES, r"images are \(32, 32\), expected \(28, 28\)", lambda: read_split(tmp_path, "test"))


def test_label_that_is_not_a_digit(tmp_path):
    write_split(tmp_path, "test", np.zeros((2, 28, 28)), np.array([3, 12]))
    refused(tmp_path / LABELS, "label 12 is not a digit", lambda: read_split(tmp_path, "test"))


def test_extra_training_digits_are_read_scaled_and_flattened(tmp_path):
    images = np.arange(3 * 784, dtype=np.int64).reshape(3, 28, 28) % 256
    np.savez(tmp_path / "extra.npz", x=images.astype(np.uint8), t=np.array([0, 9, 4], np.uint8))
    x, t, about = read_extra(tmp_path / "extra.npz")
    assert about == ""  # no text saying how they were made
    assert x.shape == (3, 784) and x.dtype == np.float32 and x.max() == 1.0
    assert np.array_equal(x[1], images[1].reshape(784).astype(np.float32) / 255.0)
    assert t.tolist() == [0, 9, 4] and t.dtype == np.int64


@pytest.mark.parametrize(
    "arrays, message",
    [
        ({"x": np.zeros((2, 28, 28), np.uint8)}, "lacks t"),
        ({"x": np.zeros((2, 28, 28), np.float32), "t": np.zeros(2, np.uint8)}, "expected uint8 (N, 28, 28)"),
        ({"x": np.zeros((2, 20, 20), np.uint8), "t": np.zeros(2, np.uint8)}, "expected uint8 (N, 28, 28)"),
        ({"x": np.zeros((2, 28, 28), np.uint8), "t": np.zeros(3, np.uint8)}, "one label 0-9 per image"),
        ({"x": np.zeros((2, 28, 28), np.uint8), "t": np.array([1, 10], np.uint8)}, "one label 0-9 per image"),
    ],
)
def test_bad_extra_training_files_are_refused_naming_the_file(tmp_path, arrays, message):
    path = tmp_path / "extra.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataError, match="extra.npz") as error:
        read_extra(path)
    assert message in str(error.value)


def test_extra_training_files_never_unpickle(tmp_path):
    path = tmp_path / "extra.npz"
    np.savez(path, x=np.array([{"a": 1}], dtype=object), t=np.zeros(1, np.uint8))
    with pytest.raises(DataError, match="extra.npz"):
        read_extra(path)
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="junk.npz"):
        read_extra(tmp_path / "junk.npz")
    with pytest.raises(DataError, match="not found"):
        read_extra(tmp_path / "missing.npz")
