"""MNIST files written by the tests themselves (IDX format, raw or gzip), so that no test needs a
download or the shared data folder."""

import gzip
from pathlib import Path

import numpy as np

from nn.mnist import FILES
from nn.mnist import IMAGE_MAGIC
from nn.mnist import LABEL_MAGIC


def idx_bytes(magic: int, array: np.ndarray) -> bytes:
    """An IDX file: magic, then each dimension as a big-endian uint32, then the bytes."""
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_split(folder: Path, split: str, images: np.ndarray, labels: np.ndarray, gz: bool = False) -> None:
    """images (N, 28, 28) and labels (N,) as the 'train' or 'test' files of an MNIST folder."""
    prefix = "test" if split == "test" else "train"
    for key, magic, array in (("img", IMAGE_MAGIC, images), ("label", LABEL_MAGIC, labels)):
        data = idx_bytes(magic, array)
        (Path(folder) / FILES[f"{prefix}_{key}"]).write_bytes(gzip.compress(data) if gz else data)
