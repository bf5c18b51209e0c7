"""MNIST in the IDX format (gzip or raw), read with its header checked, and load_mnist in the
spirit of the book's dataset/mnist.py.
"""

import gzip
import hashlib
import io
import math
import zipfile
import zlib
from pathlib import Path

import numpy as np

from nn.paths import ROOT

PROJECT_DATA = ROOT / "data" / "mnist"
FILES = {
    "train_img": "train-images-idx3-ubyte.gz",
    "train_label": "train-labels-idx1-ubyte.gz",
    "test_img": "t10k-images-idx3-ubyte.gz",
    "test_label": "t10k-labels-idx1-ubyte.gz",
}
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049
# A labelled set of our own (a class's export): these two files, in a folder or a zip.
LABELLED_IMAGES, LABELLED_LABELS = "images-idx3-ubyte", "labels-idx1-ubyte"


class DataError(Exception):
    """A data file is missing, truncated or not what its name says; the message names it."""


def read_bytes(path: Path) -> bytes:
    """The file's content, un-gzipped when it starts with the gzip signature."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{path}: broken gzip data ({exc})") from exc
    return raw


def idx_bytes(magic: int, array: np.ndarray) -> bytes:
    """An IDX file: magic, then each dimension as a big-endian uint32, then the unsigned bytes."""
    header = magic.to_bytes(4, "big") + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + np.asarray(array, dtype=np.uint8).tobytes()


def read_idx(path: Path, magic: int, raw: bytes | None = None) -> np.ndarray:
    """An IDX array of unsigned bytes: images (magic 2051) or labels (2049), from the file at
    `path` or from `raw` (then `path` only names it in errors)."""
    raw = read_bytes(path) if raw is None else raw
    ndim = {IMAGE_MAGIC: 3, LABEL_MAGIC: 1}[magic]
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise DataError(f"{path}: too short for an IDX header ({len(raw)} bytes)")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise DataError(f"{path}: magic number {found}, expected {magic}")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    expected = header_size + math.prod(dims)
    if len(raw) != expected:
        raise DataError(f"{path}: header promises {expected} bytes for shape {tuple(dims)}, file has {len(raw)}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(dims)


def read_split(data_dir: Path, split: str) -> tuple:
    """(images (N, 28, 28) uint8, labels (N,) uint8) of 'train' or 't10k'/'test'."""
    prefix = "test" if split in ("test", "t10k") else "train"
    images_path = Path(data_dir) / FILES[f"{prefix}_img"]
    labels_path = Path(data_dir) / FILES[f"{prefix}_label"]
    images = read_idx(images_path, IMAGE_MAGIC)
    labels = read_idx(labels_path, LABEL_MAGIC)
    return checked_pair(images, labels, images_path, labels_path)


def checked_pair(images: np.ndarray, labels: np.ndarray, images_path, labels_path) -> tuple:
    """(images, labels) once they match: as many of each, 28 x 28 images, labels 0 to 9."""
    if len(images) != len(labels):
        raise DataError(f"{images_path}: {len(images)} images but {labels_path} has {len(labels)} labels")
    if images.shape[1:] != (28, 28):
        raise DataError(f"{images_path}: images are {images.shape[1:]}, expected (28, 28)")
    if len(labels) and labels.max() > 9:
        raise DataError(f"{labels_path}: label {labels.max()} is not a digit 0-9")
    return images, labels


def scale(images: np.ndarray) -> np.ndarray:
    """Pixels 0..255 as float32 0..1: the book's load_mnist(normalize=True), the network's input."""
    return images.astype(np.float32) / 255.0


def read_labelled(path: Path) -> tuple:
    """(images (N, 28, 28) uint8, labels (N,) uint8) from a folder or a .zip holding
    images-idx3-ubyte and labels-idx1-ubyte (a class's export.zip from the app is one)."""
    path = Path(path)
    if path.is_dir():
        images = read_idx(path / LABELLED_IMAGES, IMAGE_MAGIC)
        labels = read_idx(path / LABELLED_LABELS, LABEL_MAGIC)
    elif path.is_file():
        try:
            with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
                names = {Path(name).name: name for name in archive.namelist()}
                missing = [name for name in (LABELLED_IMAGES, LABELLED_LABELS) if name not in names]
                if missing:
                    raise DataError(f"{path}: the zip lacks {', '.join(missing)}")
                images = read_idx(path / LABELLED_IMAGES, IMAGE_MAGIC, archive.read(names[LABELLED_IMAGES]))
                labels = read_idx(path / LABELLED_LABELS, LABEL_MAGIC, archive.read(names[LABELLED_LABELS]))
        except (zipfile.BadZipFile, OSError, zlib.error) as exc:
            raise DataError(f"{path}: not a readable zip ({exc})") from exc
    else:
        raise DataError(f"{path}: file not found")
    return checked_pair(images, labels, path / LABELLED_IMAGES, path / LABELLED_LABELS)


def data_sha256(path: Path) -> str:
    """sha256 of a data file, or of a folder's files (names and bytes, in name order)."""
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_dir():
        for member in sorted(p for p in path.iterdir() if p.is_file()):
            digest.update(member.name.encode() + b"\0" + member.read_bytes())
    else:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _prepare(images: np.ndarray, labels: np.ndarray, normalize: bool, flatten: bool, one_hot_label: bool) -> tuple:
    x = scale(images) if normalize else images.copy()
    x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, 28, 28)
    t = np.eye(10, dtype=np.float32)[labels] if one_hot_label else labels.astype(np.int64)
    return x, t


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    data_dir: Path = PROJECT_DATA,
    with_train: bool = True,
) -> tuple:
    """((x_train, t_train), (x_test, t_test)) as in the book: normalize scales pixels to 0..1,
    flatten gives (N, 784) rows instead of (N, 1, 28, 28), one_hot_label gives (N, 10) rows.
    The project ships only the test set; with_train=False skips the training files."""
    test = _prepare(*read_split(data_dir, "test"), normalize, flatten, one_hot_label)
    if not with_train:
        return None, test
    train = _prepare(*read_split(data_dir, "train"), normalize, flatten, one_hot_label)
    return train, test


def load_test_set(data_dir: Path = PROJECT_DATA) -> tuple:
    """The 10,000 test images as (N, 784) float32 in 0..1 and their labels."""
    return load_mnist(data_dir=data_dir, with_train=False)[1]


def read_extra(path: Path) -> tuple:
    """(x (N, 784) float32 in 0..1, t (N,) int64, about: str) from an .npz of more 28x28 training
    digits: x (N, 28, 28) uint8, t (N,) labels 0-9 and optionally `about`, a text saying how they
    were made (python -m training drawings training writes one). Pickled content is refused.
    A folder or .zip of images-idx3-ubyte + labels-idx1-ubyte (a class's export) does too."""
    path = Path(path)
    if path.is_dir() or path.suffix.lower() == ".zip":
        images, labels = read_labelled(path)
        about = f"drawings of a class, exported by the app ({path.name})"
        return (*_prepare(images, labels, normalize=True, flatten=True, one_hot_label=False), about)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [name for name in ("x", "t") if name not in data.files]
            if missing:
                raise DataError(f"{path}: needs arrays x (N, 28, 28) and t (N,), lacks {', '.join(missing)}")
            images, labels = data["x"], data["t"]
            about = str(data["about"]) if "about" in data.files else ""
    except (OSError, ValueError, zlib.error) as exc:
        raise DataError(f"{path}: not a readable .npz of plain arrays ({exc})") from exc
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(f"{path}: x is {images.dtype} {images.shape}, expected uint8 (N, 28, 28)")
    if labels.shape != (len(images),) or (len(labels) and not 0 <= labels.min() <= labels.max() <= 9):
        raise DataError(f"{path}: t must hold one label 0-9 per image ({len(images)} images)")
    return (*_prepare(images, labels, normalize=True, flatten=True, one_hot_label=False), about)
