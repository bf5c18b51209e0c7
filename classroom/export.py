"""A class's drawings as a zip that the engine reads back: MNIST's IDX files of the 28x28 inputs the
network read and of the intended digits, the PNGs as the students sent them, and drawings.csv.

`python -m nn evaluate --data export.zip` scores every model on it, and
`python -m training train --extra-data export.zip` learns from it.
"""

import csv
import io
import zipfile
from datetime import UTC
from datetime import datetime

import numpy as np

from nn.mnist import IMAGE_MAGIC
from nn.mnist import LABEL_MAGIC
from nn.mnist import LABELLED_IMAGES
from nn.mnist import LABELLED_LABELS
from nn.mnist import idx_bytes

CSV_COLUMNS = ("id", "time", "intended", "predicted", "confidence", "model", "hidden", "png")


def png_name(drawing) -> str:
    return f"png/{drawing.id}.png"


def iso_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def export_zip(drawings: list) -> bytes:
    """The zip of `drawings` (store.Drawing with x and png), in the order given."""
    images = np.zeros((len(drawings), 28, 28), dtype=np.uint8)
    for i, drawing in enumerate(drawings):
        images[i] = np.rint(np.clip(drawing.x, 0.0, 1.0) * 255.0)
    labels = np.array([d.intended for d in drawings], dtype=np.uint8)
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for d in drawings:
        row = [d.id, iso_time(d.created), d.intended, d.predicted, f"{d.confidence:.4f}", d.model, int(d.hidden)]
        writer.writerow([*row, png_name(d)])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(LABELLED_IMAGES, idx_bytes(IMAGE_MAGIC, images))
        archive.writestr(LABELLED_LABELS, idx_bytes(LABEL_MAGIC, labels))
        archive.writestr("drawings.csv", table.getvalue())
        for d in drawings:
            archive.writestr(png_name(d), d.png, compress_type=zipfile.ZIP_STORED)  # PNGs are compressed already
    return buffer.getvalue()
