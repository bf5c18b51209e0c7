"""training.augment: distortions keep shapes and ranges, do nothing when asked for nothing, and do what
their names say; the re-normalisation frames digits as the app frames drawings."""

import numpy as np
import pytest

import preprocess
from nn.mnist import load_test_set
from training import augment as A


@pytest.fixture(scope="module")
def digits():
    x, t = load_test_set()
    return x[:64].reshape(-1, 28, 28), t[:64]


def blob(size: int = 28, sigma: float = 3.0, centre: float = 13.5) -> np.ndarray:
    rows, cols = np.mgrid[0:size, 0:size]
    return np.exp(-((rows - centre) ** 2 + (cols - centre) ** 2) / (2 * sigma**2)).astype(np.float32)


def test_all_parts_keep_shape_dtype_and_range(digits):
    images, _ = digits
    rng = np.random.default_rng(0)
    out = A.augment(images.reshape(-1, 784), rng, A.PARTS)
    assert out.shape == (64, 784)
    assert out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert np.isfinite(out).all()
    assert not np.allclose(out, images.reshape(-1, 784))


@pytest.mark.parametrize("part", A.PARTS)
def test_each_part_alone_keeps_range(digits, part):
    images, _ = digits
    out = A.augment(images, np.random.default_rng(1), (part,))
    assert out.shape == images.shape
    assert 0.0 <= out.min() and out.max() <= 1.0
    assert (out.reshape(len(out), -1).max(axis=1) > 0.5).all(), "no digit may vanish"


def test_no_parts_returns_the_input(digits):
    images, _ = digits
    assert A.augment(images, np.random.default_rng(0), ()) is images


def test_identity_parameters_give_the_identity(digits):
    images, _ = digits
    out = A.distort(images, A.identity_distortion(len(images)), renormalise=False)
    np.testing.assert_allclose(out, images, atol=1e-6)


def test_identity_with_renormalising_frames_like_mnist(digits):
    """MNIST digits are already framed: re-framing them moves little ink."""
    images, _ = digits
    out = A.distort(images, A.identity_distortion(len(images)))
    assert np.abs(out - images).mean() < 0.05
    side, cy, cx = A.ink_box_and_mass(out, A.NOISE_FLOOR)
    assert np.all(np.abs(side - 20) <= 1)
    assert np.all(np.abs(cy - 14.0) < 0.6) and np.all(np.abs(cx - 14.0) < 0.6)


def test_rotation_of_a_centred_blob_keeps_its_mass():
    image = blob()[None]
    d = A.identity_distortion(1)
    d.angle = np.array([np.deg2rad(30.0)], dtype=np.float32)
    out = A.distort(image, d, renormalise=False)
    assert out.sum() == pytest.approx(image.sum(), rel=0.01)
    # A round blob looks the same after any rotation.
    np.testing.assert_allclose(out, image, atol=0.02)


def test_shift_moves_the_centre_of_mass():
    image = blob()[None]
    d = A.identity_distortion(1)
    d.shift_y, d.shift_x = np.array([2.0], np.float32), np.array([-1.0], np.float32)
    out = A.distort(image, d, renormalise=False)
    _, cy, cx = A.ink_box_and_mass(out, 0.0)
    assert cy[0] == pytest.approx(15.5, abs=0.05)
    assert cx[0] == pytest.approx(12.5, abs=0.05)


def test_renormalised_outputs_are_framed_the_app_way(digits):
    images, _ = digits
    out = A.augment(images, np.random.default_rng(3), A.PARTS)
    side, cy, cx = A.ink_box_and_mass(out, A.NOISE_FLOOR)
    assert np.all((side >= 18) & (side <= 23))
    shift = A.STRENGTH["shift"]
    assert np.all(np.abs(cy - 14.0) < shift + 0.6) and np.all(np.abs(cx - 14.0) < shift + 0.6)
    np.testing.assert_allclose(out.max(axis=(1, 2)), 1.0, atol=1e-6)


def test_thickness_dilates_and_erodes(digits):
    images, _ = digits
    n = len(images)
    thick, thin = A.identity_distortion(n), A.identity_distortion(n)
    thick.thickness = np.full(n, 1.0, np.float32)
    thin.thickness = np.full(n, -1.0, np.float32)
    ink = (images > 0.5).sum()
    assert (A.distort(images, thick, renormalise=False) > 0.5).sum() > 1.3 * ink
    assert (A.distort(images, thin, renormalise=False) > 0.5).sum() < 0.9 * ink


def test_elastic_field_is_smooth_and_of_the_asked_size():
    d = A.random_distortion(200, np.random.default_rng(0), ("elastic",))
    field = d.elastic
    assert field.shape == (200, 2, A.CANVAS, A.CANVAS)
    rms = float(np.sqrt((field**2).mean()))
    assert rms == pytest.approx(A.STRENGTH["elastic"], rel=0.15)
    step = np.abs(np.diff(field, axis=-1)).mean()
    assert step < 0.2 * rms


def test_same_seed_same_distortions(digits):
    images, _ = digits
    a = A.augment(images, np.random.default_rng(7), A.PARTS)
    b = A.augment(images, np.random.default_rng(7), A.PARTS)
    assert np.array_equal(a, b)


def test_probability_leaves_the_others_as_they_were(digits):
    images, _ = digits
    out = A.augment(images, np.random.default_rng(2), A.PARTS, prob=0.5)
    same = np.all(out == images, axis=(1, 2))
    assert 16 < same.sum() < 48
    assert A.augment(images, np.random.default_rng(2), A.PARTS, prob=0.0) is images


def test_parse_parts():
    assert A.parse_parts("none") == ()
    assert A.parse_parts("all") == A.PARTS
    assert A.parse_parts("shift, rotate") == ("shift", "rotate")
    with pytest.raises(ValueError, match="unknown augmentation"):
        A.parse_parts("shift,blur")


def test_outputs_are_nearly_fixed_points_of_the_apps_framing(digits):
    """Training inputs should look like what the app feeds the network: framing them again with
    the app's own function changes them little."""
    images, _ = digits
    out = A.augment(images, np.random.default_rng(5), A.PARTS)
    again = np.stack([preprocess.mnist_style(image, None) for image in out])
    assert np.abs(again - out).mean() < 0.06
