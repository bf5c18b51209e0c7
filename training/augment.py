"""Random distortions of 28x28 digits, so that a network trained on MNIST reads canvas drawings.

A drawing reaches the network only after the app's normalisation (preprocess.mnist_style: crop to
the ink, longer side to 20 px, centre of mass to the centre of 28x28). Size and place are thus
already taken out; what remains between a drawing and an MNIST digit is slant, rotation, aspect,
wobble and stroke thickness. So each image here is distorted (thickness, then one warp holding
rotation, shear, scale, aspect and an elastic field) and then normalised again the MNIST way,
with a small residual shift. Training images then have the distribution of the app's inputs.

Everything is vectorised over the batch: one bilinear gather per warp, no loop per pixel.
Coordinates are (row, column) of pixel centres, so the 28x28 centre of mass target is (14, 14),
where MNIST puts it (measured on the test set: 13.99, 14.01).
"""

from dataclasses import dataclass

import numpy as np

from imaging.mnist_frame import BOX_SIZE
from imaging.mnist_frame import CENTRE
from imaging.mnist_frame import FRAME_SIZE
from imaging.mnist_frame import NOISE_FLOOR
from imaging.mnist_frame import centre_of_mass
from imaging.mnist_frame import ink_box
from imaging.morphology import dilate
from imaging.morphology import erode
from training.pen import pen_strokes

CANVAS = 40
PARTS = ("shift", "rotate", "scale", "shear", "elastic", "thickness", "pen")
CHUNK = 2048

# How strong each part is by default: ranges of uniform draws (elastic: RMS displacement in px
# and the smoothness of the field in px). Chosen to cover the slant, aspect and stroke widths of
# canvas drawings; see notes/training.md.
STRENGTH = {
    "shift": 1.0,  # residual shift after re-normalising, px, each axis
    "rotate": 15.0,  # degrees either way
    "scale": 0.12,  # log size either way (size is re-normalised; it changes the blur)
    "aspect": 0.30,  # log of height/width either way
    "shear": 0.35,  # x moves by shear * (centre row - row)
    "elastic": 1.5,  # RMS displacement, px
    "elastic_sigma": 4.0,  # smoothness of the displacement field, px
    "thin": 0.6,  # at most this fraction of one erosion step
    "thick": 0.6,  # at most this many dilation steps (fractions blend)
    "pen": 0.5,  # fraction of distorted images first redrawn with a round pen (training.pen)
}


@dataclass
class Distortion:
    """Per-image parameters; every array has length N. thickness > 0 dilates (1.0 = one 3x3 step),
    < 0 erodes. elastic is None or (N, 2, CANVAS, CANVAS) displacements in px."""

    angle: np.ndarray
    shear: np.ndarray
    scale: np.ndarray
    aspect: np.ndarray
    shift_y: np.ndarray
    shift_x: np.ndarray
    thickness: np.ndarray
    elastic: np.ndarray | None = None

    def __getitem__(self, s: slice) -> "Distortion":
        names = ("angle", "shear", "scale", "aspect", "shift_y", "shift_x", "thickness")
        parts = {k: getattr(self, k)[s] for k in names}
        return Distortion(**parts, elastic=None if self.elastic is None else self.elastic[s])


def identity_distortion(n: int) -> Distortion:
    """Parameters that leave every image as it is."""
    zeros = np.zeros(n, dtype=np.float32)
    return Distortion(zeros, zeros, zeros, zeros, zeros, zeros, zeros)


def parse_parts(text: str) -> tuple:
    """'shift,rotate' -> ('shift', 'rotate'); 'none' or '' -> (); 'all' -> every part."""
    text = text.strip().lower()
    if text in ("", "none"):
        return ()
    if text == "all":
        return PARTS
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise ValueError(f"unknown augmentation {', '.join(unknown)}; known: {', '.join(PARTS)}, all, none")
    return parts


def smooth_field_basis(size: int, sigma: float) -> np.ndarray:
    """(size, K) Gaussian bumps every sigma px, rows scaled to unit norm: B @ R @ B.T with R
    standard normal (K, K) is a smooth random field of variance 1 at every pixel. Far cheaper
    than smoothing a per-pixel noise image."""
    centres = np.arange(-sigma, size + sigma, sigma)
    rows = np.arange(size)[:, None]
    basis = np.exp(-0.5 * ((rows - centres[None, :]) / sigma) ** 2)
    return (basis / np.linalg.norm(basis, axis=1, keepdims=True)).astype(np.float32)


def random_distortion(n: int, rng: np.random.Generator, parts: tuple, strength: dict | None = None) -> Distortion:
    """Draw parameters for n images; parts not listed stay at identity. Every part draws its
    numbers whether used or not, so switching one part off leaves the others' draws unchanged."""
    s = dict(STRENGTH, **(strength or {}))
    u = rng.uniform(-1.0, 1.0, size=(8, n)).astype(np.float32)
    d = identity_distortion(n)
    if "shift" in parts:
        d.shift_y, d.shift_x = s["shift"] * u[0], s["shift"] * u[1]
    if "rotate" in parts:
        d.angle = np.deg2rad(s["rotate"]) * u[2]
    if "scale" in parts:
        d.scale, d.aspect = s["scale"] * u[3], s["aspect"] * u[4]
    if "shear" in parts:
        d.shear = s["shear"] * u[5]
    if "thickness" in parts:
        # The app brings drawn strokes into MNIST's range of widths (preprocess.MNIST_STROKE_RANGE),
        # so thickness varies only somewhat beyond that range: half the draws thin, half thicken.
        t = u[6]
        d.thickness = np.where(t < 0, s["thin"] * t, s["thick"] * t).astype(np.float32)
    basis = smooth_field_basis(CANVAS, s["elastic_sigma"])
    k = basis.shape[1]
    noise = rng.standard_normal(size=(n, 2, k, k), dtype=np.float32)
    if "elastic" in parts:
        # basis @ noise @ basis.T for every image, as two large matrix products.
        half = (noise.reshape(-1, k) @ basis.T).reshape(n, 2, k, CANVAS)
        field = (half.transpose(0, 1, 3, 2).reshape(-1, k) @ basis.T).reshape(n, 2, CANVAS, CANVAS)
        d.elastic = s["elastic"] * field.transpose(0, 1, 3, 2)
    return d


def change_thickness(images: np.ndarray, thickness: np.ndarray) -> np.ndarray:
    """Thicken (thickness > 0, in steps of grey-level dilation by a 3x3 square, fractions blend)
    or thin (< 0, erosion by a 3x3 cross: milder, MNIST strokes are thin) each stroke."""
    t = thickness[:, None, None]
    out = images
    if (t < 0).any():
        thin = images + (-t) * (erode(images, square=False) - images)
        # Erosion dims anti-aliased strokes; a drawn stroke, however thin, has full-ink cores.
        peak = thin.max(axis=(1, 2), keepdims=True)
        thin = thin / np.where(peak > 0, peak, 1.0)
        out = np.where(t < 0, thin, out)
    if (t > 0).any():
        once = dilate(images)
        twice = dilate(once)
        first = np.minimum(t, 1.0)
        second = np.clip(t - 1.0, 0.0, 1.0)
        thick = images + first * (once - images) + second * (twice - once)
        out = np.where(t > 0, thick, out)
    return out.astype(np.float32)


def bilinear(images: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """images (N, H, W) sampled at float positions ys, xs (N, h, w); zero outside the image.
    Written with in-place steps: on 2 cores the time goes into passes over memory."""
    n, h, w = images.shape
    padded = np.zeros((n, h + 2, w + 2), dtype=np.float32)
    padded[:, 1:-1, 1:-1] = images
    fy = np.clip(ys, -1.0, h - 0.001) + np.float32(1.0)
    fx = np.clip(xs, -1.0, w - 0.001) + np.float32(1.0)
    index = fy.astype(np.intp)
    x0 = fx.astype(np.intp)
    fy -= index
    fx -= x0
    index *= w + 2
    index += x0
    index += (np.arange(n) * ((h + 2) * (w + 2)))[:, None, None]
    flat = padded.reshape(-1)
    top = _lerp_along_row(flat, index, fx)
    index += w + 2
    bottom = _lerp_along_row(flat, index, fx)
    bottom -= top
    bottom *= fy
    top += bottom
    return top


def _lerp_along_row(flat: np.ndarray, index: np.ndarray, fx: np.ndarray) -> np.ndarray:
    """flat[index] + fx * (flat[index + 1] - flat[index]), in place on fresh arrays."""
    left = np.take(flat, index)
    step = np.take(flat, index + 1)
    step -= left
    step *= fx
    left += step
    return left


def warp_matrices(d: Distortion) -> np.ndarray:
    """(N, 2, 2) forward maps on (row, col) offsets: rotation . shear . scale."""
    c, s = np.cos(d.angle), np.sin(d.angle)
    sy = np.exp(d.scale + d.aspect / 2)
    sx = np.exp(d.scale - d.aspect / 2)
    n = len(d.angle)
    rotation = np.stack([np.stack([c, s], -1), np.stack([-s, c], -1)], 1)
    shear = np.zeros((n, 2, 2), dtype=np.float32)
    shear[:, 0, 0] = shear[:, 1, 1] = 1.0
    shear[:, 1, 0] = -d.shear
    scale = np.zeros((n, 2, 2), dtype=np.float32)
    scale[:, 0, 0], scale[:, 1, 1] = sy, sx
    return (rotation @ shear @ scale).astype(np.float32)


def ink_box_and_mass(images: np.ndarray, threshold: float) -> tuple:
    """Per image: the longer side of the box around pixels above threshold (in px, as a count of
    pixels), and the centre of mass (row, col), in float32. Blank images get side 0 and the image
    centre."""
    top, left, bottom, right = np.moveaxis(ink_box(images > threshold), -1, 0)
    cy, cx = centre_of_mass(images, dtype=np.float32)
    return np.maximum(bottom - top, right - left), cy, cx


def grid(size: int) -> tuple:
    rows, cols = np.meshgrid(np.arange(size, dtype=np.float32), np.arange(size, dtype=np.float32), indexing="ij")
    return rows[None], cols[None]


def _distort_chunk(images: np.ndarray, d: Distortion, renormalise: bool, threshold: float) -> np.ndarray:
    images = change_thickness(images, d.thickness)
    A = warp_matrices(d)
    Ainv = np.linalg.inv(A).astype(np.float32)
    size = CANVAS if renormalise else FRAME_SIZE
    rows, cols = grid(size)
    py, px = rows - (size - 1) / 2, cols - (size - 1) / 2
    if d.elastic is not None:
        e = d.elastic if renormalise else d.elastic[:, :, :FRAME_SIZE, :FRAME_SIZE]
        py, px = py + e[:, 0], px + e[:, 1]
    src = (FRAME_SIZE - 1) / 2
    ys = Ainv[:, 0, 0, None, None] * py + Ainv[:, 0, 1, None, None] * px + src
    xs = Ainv[:, 1, 0, None, None] * py + Ainv[:, 1, 1, None, None] * px + src
    if not renormalise:
        ys = ys - d.shift_y[:, None, None]
        xs = xs - d.shift_x[:, None, None]
    warped = bilinear(images, ys, xs)
    if not renormalise:
        return np.clip(warped, 0.0, 1.0)
    # The app's normalisation, as one more warp: longer side of the ink box to BOX_SIZE px, centre of
    # mass (of the scaled image, which is the scaled centre of mass) to CENTRE plus a small shift.
    side, cy, cx = ink_box_and_mass(warped, threshold)
    zoom = np.where(side > 0, BOX_SIZE / np.maximum(side, 1), 1.0).astype(np.float32)[:, None, None]
    rows, cols = grid(FRAME_SIZE)
    ys = cy[:, None, None] + (rows - CENTRE[0] - d.shift_y[:, None, None]) / zoom
    xs = cx[:, None, None] + (cols - CENTRE[1] - d.shift_x[:, None, None]) / zoom
    out = np.clip(bilinear(warped, ys, xs), 0.0, 1.0)
    peak = out.max(axis=(1, 2), keepdims=True)
    return out / np.where(peak > 0, peak, 1.0)


def distort(images: np.ndarray, d: Distortion, renormalise: bool = True, threshold: float = NOISE_FLOOR) -> np.ndarray:
    """Apply d to images (N, 28, 28) in 0..1 and return (N, 28, 28) float32 in 0..1.
    renormalise: crop, scale and centre each result the MNIST way, as the app does to drawings."""
    images = np.asarray(images, dtype=np.float32).reshape(-1, FRAME_SIZE, FRAME_SIZE)
    out = np.empty_like(images)
    for start in range(0, len(images), CHUNK):
        part = slice(start, start + CHUNK)
        out[part] = _distort_chunk(images[part], d[part], renormalise, threshold)
    return out


def frame(x: np.ndarray) -> np.ndarray:
    """x ((N, 784) or (N, 28, 28), 0..1) framed again the MNIST way (longer side of the ink box
    20 px, centre of mass at (14, 14), peak 1), as the app frames drawings, in x's shape."""
    images = np.asarray(x, dtype=np.float32).reshape(-1, FRAME_SIZE, FRAME_SIZE)
    return distort(images, identity_distortion(len(images))).reshape(np.shape(x))


def augment(
    x: np.ndarray,
    rng: np.random.Generator,
    parts: tuple,
    strength: dict | None = None,
    renormalise: bool = True,
    prob: float = 1.0,
) -> np.ndarray:
    """A randomly distorted copy of x ((N, 784) or (N, 28, 28), 0..1), in x's shape. Each image
    is distorted with probability prob and otherwise left as it is: the MNIST originals keep the
    network sharp on MNIST itself. No parts: x itself, untouched."""
    if not parts or prob <= 0.0:
        return x
    out = np.array(x, dtype=np.float32)
    flat_out = out.reshape(-1, FRAME_SIZE, FRAME_SIZE)
    images = np.asarray(x, dtype=np.float32).reshape(-1, FRAME_SIZE, FRAME_SIZE)
    for start in range(0, len(images), CHUNK):
        part = slice(start, start + CHUNK)
        n = len(images[part])
        d = random_distortion(n, rng, parts, strength)
        index = np.arange(n) if prob >= 1.0 else np.flatnonzero(rng.random(n) < prob)
        if len(index):
            source = with_pen(images[part][index], rng, parts, strength)
            flat_out[start + index] = _distort_chunk(source, d[index], renormalise, NOISE_FLOOR)
    return out


def with_pen(images: np.ndarray, rng: np.random.Generator, parts: tuple, strength: dict | None = None) -> np.ndarray:
    """images with a random fraction (strength "pen") redrawn as canvas strokes of uniform width
    (training.pen), left for the distortion that follows to frame. Without "pen" in parts: images, and
    no draws from rng, so the other parts' draws stay as they were."""
    if "pen" not in parts:
        return images
    fraction = dict(STRENGTH, **(strength or {}))["pen"]
    chosen = np.flatnonzero(rng.random(len(images)) < fraction)
    if not len(chosen):
        return images
    out = images.copy()
    out[chosen] = pen_strokes(images[chosen], rng)
    return out
