"""training.pen: thinning leaves one-pixel centre lines of the right shape, the pen draws them back at
the width asked for, and pen_strokes gives seeded, MNIST-shaped digits that training.augment frames."""

import numpy as np
import pytest

from nn.mnist import load_test_set
from tests.shapes import count_pieces
from training import augment as A
from training import pen


@pytest.fixture(scope="module")
def digits():
    x, _ = load_test_set()
    return x[:64]


def bar(size: int = 40, thickness: int = 7) -> np.ndarray:
    image = np.zeros((size, size), dtype=bool)
    top = (size - thickness) // 2
    image[top : top + thickness, 5 : size - 5] = True
    return image


def ring(size: int = 40, inner: float = 8.0, outer: float = 14.0) -> np.ndarray:
    rows, cols = np.mgrid[0:size, 0:size]
    r = np.hypot(rows - (size - 1) / 2, cols - (size - 1) / 2)
    return (r >= inner) & (r <= outer)


def test_thinning_a_thick_bar_gives_a_one_pixel_line():
    skeleton = pen.thin(bar()[None])[0]
    assert skeleton.sum(axis=0).max() == 1, "one pixel across"
    assert skeleton.any(axis=0).sum() >= 20, "and most of the bar's length"
    assert count_pieces(skeleton) == 1
    assert np.all(bar()[skeleton]), "inside the bar"


def test_thinning_a_ring_gives_a_closed_thin_ring():
    skeleton = pen.thin(ring()[None])[0]
    assert count_pieces(skeleton) == 1
    # A closed curve splits the background in two (4-connected background of an 8-connected line).
    assert count_pieces(~skeleton, connectivity=4) == 2
    rows, cols = np.nonzero(skeleton)
    r = np.hypot(rows - 19.5, cols - 19.5)
    assert np.all(np.abs(r - 11.0) < 2.0)
    assert skeleton.sum() < 2 * np.pi * 11 * 1.3, "one pixel thick, not a band"


def test_thinning_works_image_by_image_in_a_batch():
    batch = np.stack([bar(), ring(), np.zeros((40, 40), dtype=bool)])
    together = pen.thin(batch)
    alone = np.stack([pen.thin(image[None])[0] for image in batch])
    assert together.dtype == bool and together.shape == batch.shape
    assert np.array_equal(together, alone)
    assert not together[2].any()


def test_redraw_width_grows_with_radius():
    skeleton = pen.thin(bar()[None])[0]
    radii = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)
    drawn = pen.redraw(np.repeat(skeleton[None], 4, axis=0), radii, np.random.default_rng(0))
    assert drawn.dtype == np.float32 and drawn.shape == (4, 40, 40)
    assert 0.0 <= drawn.min() and drawn.max() <= 1.0
    across = drawn[:, :, 20].sum(axis=1)  # ink across the bar, at its middle
    assert np.all(np.diff(across) > 1.5)
    assert across == pytest.approx(2 * radii, abs=0.6)  # coverage 1/2 at the pen's edge


def test_pen_strokes_keep_shape_range_and_framing(digits):
    out = A.frame(pen.pen_strokes(digits, np.random.default_rng(0)))
    assert out.shape == digits.shape and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    assert np.allclose(out.max(axis=1), 1.0)
    side, cy, cx = A.ink_box_and_mass(out.reshape(-1, 28, 28), A.NOISE_FLOOR)
    assert np.all(np.abs(side - 20) <= 1)
    assert np.all(np.abs(cy - 14.0) < 0.6) and np.all(np.abs(cx - 14.0) < 0.6)
    assert not np.allclose(out, digits)


def test_redrawn_strokes_have_one_width_from_end_to_end():
    """The point of the pen: unlike a scanned stroke, a drawn one neither swells nor fades."""
    skeleton = pen.thin(bar()[None])[0]
    drawn = pen.redraw(skeleton[None], np.array([2.5]), np.random.default_rng(0))[0]
    middle = drawn[:, 12:28]
    assert np.allclose(middle, middle[:, :1], atol=0.02)
    assert middle.max() == 1.0


def test_same_seed_same_strokes(digits):
    a = pen.pen_strokes(digits, np.random.default_rng(4))
    b = pen.pen_strokes(digits, np.random.default_rng(4))
    c = pen.pen_strokes(digits, np.random.default_rng(5))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_blank_images_stay_blank():
    out = pen.pen_strokes(np.zeros((3, 784), dtype=np.float32), np.random.default_rng(0))
    assert np.array_equal(out, np.zeros((3, 784), dtype=np.float32))


def test_pen_part_of_augment_redraws_a_fraction(digits):
    images = digits.reshape(-1, 28, 28)
    plain = A.augment(images, np.random.default_rng(3), ("shift",), prob=1.0)
    with_pen = A.augment(images, np.random.default_rng(3), ("shift", "pen"), {"pen": 0.5}, prob=1.0)
    changed = np.abs(with_pen - plain).mean(axis=(1, 2)) > 1e-3
    assert 16 < changed.sum() < 48
    assert A.parse_parts("pen,shift") == ("pen", "shift")
