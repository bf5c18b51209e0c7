"""imaging: the image algorithms that preprocess/ and nn/ share, checked against slow, obviously
right references; and the package stays NumPy only, importing nothing of the project."""

import subprocess
import sys

import numpy as np
import pytest

from imaging.components import ink_runs
from imaging.components import label_runs
from imaging.components import piece_sizes
from imaging.mnist_frame import centre_of_mass
from imaging.mnist_frame import ink_box
from imaging.morphology import dilate
from imaging.morphology import erode
from imaging.thinning import isolated
from imaging.thinning import thin
from tests.shapes import NEIGHBOURS
from tests.shapes import count_pieces


def random_mask(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    height, width = rng.integers(1, 30, 2)
    return rng.random((height, width)) < rng.uniform(0.05, 0.6)


@pytest.mark.parametrize("seed", range(12))
def test_piece_sizes_match_flood_fill(seed):
    mask = random_mask(seed)
    sizes = piece_sizes(mask)
    assert not sizes[~mask].any()
    for y, x in zip(*np.nonzero(mask), strict=True):
        seen = np.zeros_like(mask)
        stack, seen[y, x] = [(y, x)], True
        while stack:
            cy, cx = stack.pop()
            for dy, dx in NEIGHBOURS[8]:
                ny, nx = cy + dy, cx + dx
                if 0 <= ny < mask.shape[0] and 0 <= nx < mask.shape[1] and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
        assert sizes[y, x] == seen.sum()
    runs = ink_runs(mask)
    assert len(set(label_runs(*runs, mask.shape[1]).tolist())) == count_pieces(mask)


def test_dilate_and_erode_a_point_and_a_block():
    point = np.zeros((5, 5), np.float32)
    point[2, 2] = 1.0
    assert dilate(point).sum() == 9.0 and dilate(point, square=False).sum() == 5.0
    assert erode(point).sum() == 0.0
    block = np.zeros((2, 7, 7), np.float32)
    block[:, 1:6, 1:6] = 0.5
    assert erode(block).sum() == 2 * 9 * 0.5
    assert erode(block, square=False).sum() == 2 * 9 * 0.5  # a square block erodes alike by both
    assert dilate(block)[0, 0, 0] == 0.5 and dilate(block, square=False)[0, 0, 0] == 0.0


def test_outside_the_image_is_no_ink():
    full = np.ones((4, 4), np.float32)
    assert dilate(full).sum() == 16.0
    eroded = erode(full, square=False)
    assert eroded[1:3, 1:3].all() and eroded.sum() == 4.0


def test_ink_box_and_centre_of_mass_per_image_and_batched():
    rng = np.random.default_rng(0)
    images = (rng.random((6, 9, 11)) * (rng.random((6, 9, 11)) < 0.2)).astype(np.float32)
    images[2] = 0.0
    boxes = ink_box(images > 0)
    rows, cols = centre_of_mass(images)
    for image, box, row, col in zip(images, boxes, rows, cols, strict=True):
        ys, xs = np.nonzero(image)
        if not len(ys):
            assert box.tolist() == [0, 0, 0, 0] and (row, col) == (4.0, 5.0)
            continue
        assert box.tolist() == [ys.min(), xs.min(), ys.max() + 1, xs.max() + 1]
        assert row == pytest.approx((image * np.arange(9)[:, None]).sum() / image.sum())
        assert col == pytest.approx((image * np.arange(11)[None, :]).sum() / image.sum())
    assert ink_box(images[0] > 0).tolist() == boxes[0].tolist()
    assert centre_of_mass(images, dtype=np.float32)[0].dtype == np.float32


def test_thinning_leaves_a_one_pixel_line_and_isolated_finds_lone_pixels():
    bar = np.zeros((1, 20, 30), bool)
    bar[0, 7:14, 4:26] = True
    skeleton = thin(bar)[0]
    assert skeleton.any() and (skeleton.sum(axis=0) <= 1).all()
    assert count_pieces(skeleton) == 1
    assert np.array_equal(thin(bar, max_rounds=0), bar)
    specks = np.zeros((1, 5, 5), bool)
    specks[0, 0, 0] = specks[0, 2, 2] = specks[0, 2, 3] = True
    assert isolated(specks)[0].tolist() == (np.arange(25).reshape(5, 5) == 0).tolist()


def test_imaging_imports_only_numpy():
    code = "import sys, imaging.components, imaging.mnist_frame, imaging.morphology, imaging.thinning; " + (
        "print(sorted(m for m in ('PIL', 'nn', 'preprocess', 'web', 'flask', 'scipy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
