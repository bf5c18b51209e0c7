"""The preprocessing package: bytes of a drawing to the MNIST-style 28x28.

Every image is drawn here with Pillow, so the tests need no data files.
"""

import io
import platform
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image
from PIL import ImageDraw

from imaging.components import ink_runs
from imaging.components import label_runs
from imaging.mnist_frame import centre_of_mass
from imaging.mnist_frame import ink_box
from preprocess import MNIST_STROKE_RANGE
from preprocess import PreprocessError
from preprocess import Steps
from preprocess import decode
from preprocess import decode_image
from preprocess import fast_png
from preprocess import ink_map
from preprocess import mnist_style
from preprocess import mnistify
from preprocess import plain_resize
from preprocess import to_png
from preprocess.decode import MAX_PIXELS
from preprocess.decode import MAX_SIDE
from preprocess.framing import center_of_mass
from preprocess.framing import frame
from preprocess.framing import ink_bbox
from preprocess.strokes import stroke_width
from tests.digits import labelled_drawings
from tests.shapes import count_pieces

CANVAS = 280
SUPERSAMPLE = 4
# Strokes of a few digits in a unit box (x, y), as a person would draw them: lists of polylines.
SHAPES = {  # each touches all four sides of its unit box
    "seven": [[(0.0, 0.0), (1.0, 0.0), (0.35, 1.0)]],
    "four": [[(0.7, 1.0), (0.7, 0.0), (0.0, 0.65), (1.0, 0.65)]],
    "two": [[(0.0, 0.25), (0.25, 0.0), (0.75, 0.0), (1.0, 0.3), (0.0, 1.0), (1.0, 1.0)]],
}


# --------------------------------------------------------------------------- drawing helpers


def coverage(box: tuple, pen: float, shape: str = "seven", size: int | tuple = CANVAS) -> np.ndarray:
    """Ink coverage 0..1 of a digit drawn with a round pen inside box (left, top, right, bottom)
    of a size x size (or (width, height)) canvas, the pen's centre line kept pen/2 inside the
    box so that the ink just fills it; anti-aliased."""
    s = SUPERSAMPLE
    width, height = (size, size) if isinstance(size, int) else size
    mask = Image.new("L", (width * s, height * s), 0)
    draw = ImageDraw.Draw(mask)
    left, top = box[0] + pen / 2, box[1] + pen / 2
    right, bottom = box[2] - pen / 2, box[3] - pen / 2
    r = pen * s / 2
    for line in SHAPES[shape]:
        points = [((left + x * (right - left)) * s, (top + y * (bottom - top)) * s) for x, y in line]
        draw.line(points, fill=255, width=max(1, round(pen * s)))
        for x, y in points:
            draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    return np.asarray(mask.reduce(s), dtype=np.float32) / 255.0


def paint(ink: np.ndarray, style: str) -> Image.Image:
    """The coverage as an image a browser or scanner would send."""
    alpha = Image.fromarray(np.rint(ink * 255).astype(np.uint8))
    if style == "dark_on_light":
        image = Image.new("RGB", alpha.size, (255, 255, 255))
        image.paste((0, 0, 0), mask=alpha)
    elif style == "light_on_dark":
        image = Image.new("RGB", alpha.size, (10, 12, 30))
        image.paste((250, 250, 240), mask=alpha)
    elif style == "blue_on_cream":
        image = Image.new("RGB", alpha.size, (245, 240, 225))
        image.paste((20, 40, 200), mask=alpha)
    elif style == "transparent":  # canvas.toBlob with no fill: transparent black, black strokes
        image = Image.new("RGBA", alpha.size, (0, 0, 0, 0))
        image.putalpha(alpha)
    elif style == "transparent_white_ink":
        image = Image.new("RGBA", alpha.size, (255, 255, 255, 0))
        image.putalpha(alpha)
    elif style == "app":  # the app's canvas: opaque white fill, black pen, RGBA
        image = Image.new("RGBA", alpha.size, (255, 255, 255, 255))
        image.paste((0, 0, 0, 255), mask=alpha)
    else:
        raise ValueError(style)
    return image


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def drawing(
    box: tuple = (60, 40, 220, 240), pen: float = 16, style: str = "app", shape: str = "seven", size: int = CANVAS
) -> bytes:
    return encode(paint(coverage(box, pen, shape, size), style))


def com(a: np.ndarray) -> np.ndarray:
    rows, cols = np.indices(a.shape)
    return np.array([(a * rows).sum(), (a * cols).sum()]) / a.sum()


def extent(a: np.ndarray, threshold: float = 0.3) -> tuple:
    """(height, width) of the pixels above threshold."""
    rows = np.flatnonzero((a > threshold).any(axis=1))
    cols = np.flatnonzero((a > threshold).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def check_mnist_like(a: np.ndarray) -> None:
    """What every non-blank output must be: MNIST's framing."""
    assert a.shape == (28, 28)
    assert a.dtype == np.float32
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert a.max() == pytest.approx(1.0, abs=0.02)
    assert np.abs(com(a) - 14.0).max() < 0.5
    assert max(extent(a)) in (19, 20, 21)


# --------------------------------------------------------------------------- framing real drawings

DRAWINGS = {  # name: keyword arguments of drawing()
    "centred": {},
    "off_centre": {"box": (170, 10, 270, 110), "pen": 10},
    "tiny": {"box": (130, 140, 148, 162), "pen": 4},
    "huge": {"box": (0, 0, 280, 280), "pen": 24, "shape": "four"},
    "wide": {"box": (10, 100, 270, 200), "pen": 14, "shape": "two"},
    "thin": {"pen": 4},
    "thick": {"pen": 30},
    "inverted": {"style": "light_on_dark"},
    "transparent": {"style": "transparent"},
    "transparent_white_ink": {"style": "transparent_white_ink"},
    "coloured_ink": {"style": "blue_on_cream", "shape": "four"},
    "hidpi": {"box": (120, 80, 440, 480), "pen": 36, "size": 560, "shape": "two"},
}


@pytest.mark.parametrize("name", DRAWINGS)
def test_drawings_are_framed_like_mnist(name):
    steps = mnistify(drawing(**DRAWINGS[name]))
    assert isinstance(steps, Steps)
    assert not steps.blank
    check_mnist_like(steps.mnist)
    assert max(steps.fitted.shape) == 20
    assert steps.plain.shape == (28, 28) and steps.plain.dtype == np.float32


@pytest.mark.parametrize("name", DRAWINGS)
def test_steps_agree_with_each_other(name):
    args = DRAWINGS[name]
    steps = mnistify(drawing(**args))
    size = args.get("size", CANVAS)
    assert steps.size == (size, size)
    assert steps.ink.shape == (size, size) and steps.ink.dtype == np.float32
    top, left, bottom, right = steps.bbox
    expected = args.get("box", (60, 40, 220, 240))
    assert np.abs(np.array([left, top, right, bottom]) - np.array(expected)).max() <= 2
    assert steps.cropped.shape == (bottom - top, right - left)
    assert steps.cropped.max() == pytest.approx(1.0)
    assert np.add(steps.shift, steps.center_of_mass) == pytest.approx((14.0, 14.0), abs=0.5)
    low, high = MNIST_STROKE_RANGE
    assert low - 0.1 <= steps.stroke_width + steps.stroke_change <= high + 0.1


def test_same_digit_small_in_a_corner_or_large_in_the_centre_reads_the_same():
    small = mnistify(drawing(box=(8, 200, 68, 270), pen=6))
    large = mnistify(drawing(box=(40, 30, 240, 263), pen=22))
    assert np.abs(small.mnist - large.mnist).mean() < 0.06
    assert correlation(small.mnist, large.mnist) > 0.9
    assert correlation(small.plain, large.plain) < 0.2


def test_plain_resize_of_a_small_off_centre_drawing_looks_nothing_like_mnist_style():
    steps = mnistify(drawing(box=(200, 10, 260, 80), pen=8))
    assert correlation(steps.plain, steps.mnist) < 0.2
    assert steps.plain.max() < 0.9  # squeezed 10x, an 8 px pen is a faint line
    rows, cols = np.nonzero(steps.plain > 0.05)
    assert rows.max() < 10 and cols.min() > 18  # still in the top right corner


def test_thin_and_thick_pens_give_mnist_width_strokes():
    thin = mnistify(drawing(pen=3)).mnist
    thick = mnistify(drawing(pen=34)).mnist
    mid = mnistify(drawing(pen=16)).mnist
    for a in (thin, thick, mid):
        assert MNIST_STROKE_RANGE[0] - 0.2 < stroke_width(a) < MNIST_STROKE_RANGE[1] + 0.2
    assert np.abs(thin - thick).mean() < 0.08
    thin_as_drawn = mnist_style(coverage((60, 40, 220, 240), 3), None)
    thick_as_drawn = mnist_style(coverage((60, 40, 220, 240), 34), None)
    assert stroke_width(thin_as_drawn) < MNIST_STROKE_RANGE[0] - 0.3
    assert stroke_width(thick_as_drawn) > MNIST_STROKE_RANGE[1] + 0.2


def test_noise_specks_do_not_move_the_digit():
    clean = coverage((90, 80, 190, 200), 12)
    noisy = clean.copy()
    rng = np.random.default_rng(3)
    for y, x in rng.integers(0, CANVAS - 3, (25, 2)):
        if clean[max(0, y - 15) : y + 18, max(0, x - 15) : x + 18].max() == 0:
            noisy[y : y + rng.integers(1, 4), x : x + rng.integers(1, 4)] = rng.uniform(0.3, 1.0)
    faint = rng.uniform(0.0, 0.08, clean.shape).astype(np.float32)  # paper grain, scanner noise
    noisy = np.maximum(noisy, faint)
    assert (noisy != clean).sum() > 100
    steps = mnistify(encode(paint(noisy, "dark_on_light")))
    reference = mnistify(encode(paint(clean, "dark_on_light")))
    assert steps.bbox == reference.bbox
    assert np.abs(steps.mnist - reference.mnist).max() < 0.05


def test_a_digit_in_several_separate_strokes_keeps_every_stroke():
    ink = coverage((60, 40, 220, 240), 14, "seven")
    ink[140:150, 100:180] = 1.0  # a crossbar that touches nothing
    steps = mnistify(encode(paint(ink, "app")))
    assert steps.bbox == mnistify(drawing()).bbox
    assert steps.mnist[13:16].max() > 0.9


# --------------------------------------------------------------------------- blank drawings

BLANKS = {
    "white": Image.new("RGB", (280, 280), "white"),
    "black": Image.new("RGB", (280, 280), "black"),
    "transparent": Image.new("RGBA", (280, 280), (0, 0, 0, 0)),
    "transparent_white": Image.new("RGBA", (280, 280), (255, 255, 255, 0)),
    "grey_L": Image.new("L", (280, 280), 128),
    "one_speck": paint(np.pad(np.ones((2, 2), np.float32), ((100, 178), (50, 228))), "app"),
    "faint_smudge": paint(np.pad(np.full((40, 40), 0.06, np.float32), 120), "dark_on_light"),
    "tiny_1x1": Image.new("L", (1, 1), 255),
}


@pytest.mark.parametrize("name", BLANKS)
def test_blank_drawings_are_blank_without_error(name):
    steps = mnistify(encode(BLANKS[name]))
    assert steps.blank
    assert steps.bbox is None and steps.shift is None and steps.center_of_mass is None
    assert steps.mnist.shape == (28, 28) and steps.mnist.dtype == np.float32
    assert not steps.mnist.any()
    assert steps.plain.shape == (28, 28)


# --------------------------------------------------------------------------- image modes and formats

REFERENCE_INK = coverage((60, 40, 220, 240), 16)


def in_mode(mode: str) -> Image.Image:
    """The reference drawing in a Pillow mode, dark on light unless the mode has alpha."""
    grey = Image.fromarray(np.rint(255 - REFERENCE_INK * 255).astype(np.uint8))
    if mode == "1":
        return grey.convert("1", dither=Image.Dither.NONE)
    if mode == "P":
        return paint(REFERENCE_INK, "blue_on_cream").convert("P", palette=Image.Palette.ADAPTIVE)
    if mode == "P_transparency":  # as GIFs are: index 0 transparent, index 1 black ink; hard edges
        image = Image.new("P", (CANVAS, CANVAS), 0)
        image.putpalette([255, 255, 255, 0, 0, 0])
        image.putdata((REFERENCE_INK >= 0.5).astype(np.uint8).ravel().tolist())
        image.info["transparency"] = 0
        return image
    if mode == "LA":
        return paint(REFERENCE_INK, "transparent").convert("LA")
    if mode in ("I;16", "I"):
        values = (65535 - REFERENCE_INK * 65535).astype(np.uint16 if mode == "I;16" else np.int32)
        return Image.fromarray(values)
    if mode == "F":
        return Image.fromarray((1.0 - REFERENCE_INK).astype(np.float32))
    if mode == "CMYK":
        return paint(REFERENCE_INK, "blue_on_cream").convert("CMYK")
    if mode == "RGBA_premultiplied_edges":  # opaque white page with a transparent margin drawn on it
        image = paint(REFERENCE_INK, "app")
        image.putalpha(255)
        return image
    return paint(REFERENCE_INK, "dark_on_light").convert(mode)


MODES = ["RGBA", "RGB", "L", "LA", "1", "P", "P_transparency", "I;16", "I", "F", "CMYK", "RGBA_premultiplied_edges"]


@pytest.mark.parametrize("mode", MODES)
def test_ink_map_reads_every_pillow_mode(mode):
    image = in_mode(mode)
    ink = ink_map(image)
    assert ink.shape == REFERENCE_INK.shape and ink.dtype == np.float32
    assert ink.min() >= 0.0 and ink.max() <= 1.0
    hard = mode in ("1", "P_transparency")
    assert np.abs(ink - REFERENCE_INK).mean() < (0.02 if hard else 0.01)
    assert correlation(ink, REFERENCE_INK) > (0.95 if hard else 0.99)


@pytest.mark.parametrize("mode", ["RGBA", "RGB", "L", "LA", "1", "P", "P_transparency", "I;16"])
def test_png_in_every_mode_gives_the_same_digit(mode):
    reference = mnistify(encode(paint(REFERENCE_INK, "dark_on_light"))).mnist
    steps = mnistify(encode(in_mode(mode)))
    check_mnist_like(steps.mnist)
    assert np.abs(steps.mnist - reference).mean() < 0.03


@pytest.mark.parametrize(
    "fmt,mode",
    [
        ("JPEG", "RGB"),
        ("JPEG", "L"),
        ("JPEG", "CMYK"),
        ("GIF", "P"),
        ("BMP", "RGB"),
        ("TIFF", "RGBA"),
        ("WEBP", "RGBA"),
        ("PPM", "RGB"),
    ],
)
def test_other_raster_formats(fmt, mode):
    image = in_mode(mode) if mode in ("CMYK",) else paint(REFERENCE_INK, "dark_on_light").convert(mode)
    if fmt in ("TIFF", "WEBP"):
        image = paint(REFERENCE_INK, "transparent")
    options = {"quality": 80} if fmt == "JPEG" else {}
    reference = mnistify(encode(paint(REFERENCE_INK, "dark_on_light"))).mnist
    steps = mnistify(encode(image, fmt, **options))
    check_mnist_like(steps.mnist)
    assert np.abs(steps.mnist - reference).mean() < 0.03


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "LA", "1", "P", "P_transparency", "I;16"])
def test_big_images_are_shrunk_before_reading(mode):
    small = in_mode(mode)
    big = small.resize((5 * CANVAS, 5 * CANVAS), Image.Resampling.NEAREST)  # 1400 px: halved to 700
    steps = mnistify(encode(big))
    assert steps.size == (1400, 1400) and steps.ink.shape == (700, 700)
    check_mnist_like(steps.mnist)
    assert np.abs(steps.mnist - mnistify(encode(small)).mnist).mean() < 0.03


def test_animated_gif_reads_the_first_frame():
    first = paint(REFERENCE_INK, "dark_on_light").convert("P")
    second = paint(coverage((10, 10, 60, 60), 6, "four"), "dark_on_light").convert("P")
    data = encode(first, "GIF", save_all=True, append_images=[second], duration=100, loop=0)
    assert decode_image(data).size == (280, 280)
    steps = mnistify(data)
    assert steps.bbox == mnistify(encode(first, "GIF")).bbox


def test_jpeg_orientation_tag_is_applied():
    image = paint(REFERENCE_INK, "dark_on_light")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: shown turned 90 degrees clockwise
    rotated = mnistify(encode(image.transpose(Image.Transpose.ROTATE_90), "JPEG", exif=exif.tobytes()))
    upright = mnistify(encode(image, "JPEG"))
    assert np.abs(rotated.mnist - upright.mnist).mean() < 0.03


# --------------------------------------------------------------------------- bad uploads


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def grey_png(width: int, height: int, rows: bytes, interlaced: bool = False) -> bytes:
    """An 8-bit grey PNG written by hand (Pillow cannot write interlaced ones, nor lie in the header)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, interlaced)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


def big_png(width: int, height: int) -> bytes:
    """A large but tiny-to-store 1-bit PNG: only its header should ever be read."""
    return encode(Image.new("1", (width, height), 1))


BAD_UPLOADS = {
    "empty": (b"", "empty"),
    "text": (b"hello, this is not a picture", "not an image"),
    "html": (b"<html><body>hi</body></html>", "not an image"),
    "truncated_png": (drawing()[:300], "truncated or corrupt"),
    "png_signature_only": (b"\x89PNG\r\n\x1a\n", "not an image"),
    "zero_size": (grey_png(0, 0, b""), ""),
    "too_wide": (big_png(MAX_SIDE + 1, 8), "limit"),
    "too_many_pixels": (big_png(4000, MAX_PIXELS // 4000 + 1), "limit"),
    "data_url": (b"data:image/png;base64,iVBORw0KGgo=", "data: URL"),
    "eps": (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "not an image"),
}


@pytest.mark.parametrize("name", BAD_UPLOADS)
def test_bad_uploads_raise_a_readable_error(name):
    data, words = BAD_UPLOADS[name]
    with pytest.raises(PreprocessError) as caught:
        mnistify(data)
    message = str(caught.value)
    assert words in message
    assert message[0].isupper() and len(message) < 300


def test_not_bytes_is_a_preprocess_error():
    with pytest.raises(PreprocessError):
        mnistify("a string")  # type: ignore[arg-type]


def test_decompression_bomb_is_an_error_not_a_warning(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    data = encode(Image.new("L", (40, 40), 255))  # 1,600 pixels: over the (lowered) bomb limit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(PreprocessError, match="too large"):
            decode_image(data)


def test_preprocess_error_is_a_value_error():
    assert issubclass(PreprocessError, ValueError)


# --------------------------------------------------------------------------- PNG decoders


# preprocess.fast_png with both its libraries, and without zlib-ng; without libspng it is Pillow.
DECODERS = {"zlib-ng and libspng": {}, "libspng alone": {"zlib_ng": None}}
PILLOW = {"pyspng": None}


def decoded_without(missing: dict, data: bytes, monkeypatch) -> Image.Image:
    with monkeypatch.context() as patch:
        for name, value in missing.items():
            patch.setattr(fast_png, name, value)
        return decode_image(data)


def smooth_pixels(shape: tuple) -> np.ndarray:
    """Slowly changing values, so that the PNG encoder picks every row filter (Sub, Up, Average, Paeth)."""
    rng = np.random.default_rng(sum(shape))
    return (np.cumsum(rng.integers(0, 3, shape), axis=1) % 256).astype(np.uint8)


PLAIN_PNGS = {
    **{name: data for name, data, _ in labelled_drawings()},  # the canvas's own PNGs
    **{
        f"{mode} {height}x{width}": encode(
            Image.fromarray(smooth_pixels((height, width, channels)).squeeze(-1 if channels == 1 else None))
        )
        for mode, channels in (("L", 1), ("RGB", 3), ("RGBA", 4))
        for height, width in ((1, 1), (9, 31), (280, 280), (300, 17))
    },
    "noise RGBA": encode(Image.fromarray(np.random.default_rng(1).integers(0, 256, (64, 48, 4), dtype=np.uint8))),
}


@pytest.mark.parametrize("decoder", DECODERS)
@pytest.mark.parametrize("name", PLAIN_PNGS)
def test_plain_pngs_decode_to_exactly_pillows_pixels(name, decoder, monkeypatch):
    data = PLAIN_PNGS[name]
    with Image.open(io.BytesIO(data)) as opened:
        assert decode._pixels_if_plain_png(opened, data) is not None or fast_png.pyspng is None
    ours = decoded_without(DECODERS[decoder], data, monkeypatch)
    pillows = decoded_without(PILLOW, data, monkeypatch)
    assert (ours.mode, ours.size) == (pillows.mode, pillows.size)
    assert np.array_equal(np.asarray(ours), np.asarray(pillows))


def test_rows_are_inflated_no_further_than_the_header_says():
    row = bytes(1 + 4)  # a filter byte and four grey pixels
    assert fast_png.stored_png(grey_png(4, 2, row * 2)) is not None
    assert fast_png.stored_png(grey_png(4, 2, row * 1000)) is None  # more than the header says: not all inflated
    assert fast_png.stored_png(grey_png(4, 2, row)) is None


# Can happen: requirements.txt installs pyspng only where it has wheels (x86_64, AMD64, arm64), not on
# Linux's aarch64, where Pillow decodes every PNG.
@pytest.mark.skipif(fast_png.pyspng is None or fast_png.zlib_ng is None, reason="no libspng or zlib-ng here")
def test_with_zlib_ng_libspng_reads_only_pngs_written_here(monkeypatch):
    read, libspng = [], fast_png.pyspng

    class Recorded:
        @staticmethod
        def load(png: bytes):
            read.append(png)
            return libspng.load(png)

    monkeypatch.setattr(fast_png, "pyspng", Recorded)
    assert fast_png.plain_png_pixels(grey_png(4, 2, bytes(1 + 4) * 1000)) is None  # more rows than its header
    assert read == []
    canvas = PLAIN_PNGS["0_0.png"]
    assert fast_png.plain_png_pixels(canvas) is not None
    assert read == [fast_png.stored_png(canvas)]


def test_libspng_is_there_where_requirements_txt_installs_it():
    if platform.machine() in ("x86_64", "AMD64", "arm64"):
        assert fast_png.pyspng is not None and fast_png.zlib_ng is not None


OTHER_PNGS = {
    "LA": encode(in_mode("LA")),
    "P": encode(in_mode("P")),
    "P with transparency": encode(in_mode("P_transparency")),
    "RGB with a transparent colour": encode(in_mode("RGB"), transparency=(255, 255, 255)),
    "16-bit grey": encode(in_mode("I;16")),
    "1-bit": encode(in_mode("1")),
    "interlaced": grey_png(1, 1, bytes([0, 200]), interlaced=True),  # Adam7: pass 1 holds the pixel
    "with EXIF": encode(in_mode("RGB"), exif=Image.Exif().tobytes()),
    "animated": encode(in_mode("RGBA"), save_all=True, append_images=[in_mode("RGBA").rotate(90)]),
}


@pytest.mark.parametrize("name", OTHER_PNGS)
def test_other_pngs_are_left_to_pillow(name, monkeypatch):
    data = OTHER_PNGS[name]
    with Image.open(io.BytesIO(data)) as opened:
        assert decode._pixels_if_plain_png(opened, data) is None
    ours, pillows = decode_image(data), decoded_without(PILLOW, data, monkeypatch)
    assert (ours.mode, ours.size) == (pillows.mode, pillows.size)
    assert np.array_equal(np.asarray(ours), np.asarray(pillows))


def test_a_png_libspng_refuses_gets_pillows_words():
    broken = bytearray(drawing())
    start = broken.index(b"IDAT") + 4
    broken[start + 2 : start + 40] = bytes(38)  # the compressed pixels garbled, the chunk's length kept
    with pytest.raises(PreprocessError, match="truncated or corrupt"):
        decode_image(bytes(broken))


# --------------------------------------------------------------------------- mnist_style on arrays


def test_mnist_style_on_a_28x28_array_keeps_an_mnist_digit_as_it_is():
    digit = mnist_style(coverage((40, 20, 240, 260), 26))  # an MNIST-like digit...
    again = mnist_style(digit)  # ...framed again, as training augmentation does
    check_mnist_like(again)
    assert np.abs(again - digit).mean() < 0.03


@pytest.mark.parametrize("size", [(28, 28), (60, 100), (560, 560), (400, 30), (30, 400)])
def test_mnist_style_takes_any_size(size):
    width, height = size
    side = min(width, height) * 0.8
    left, top = (width - side) / 2, (height - side) / 2
    pen = max(2.0, side / 10)
    out = mnist_style(coverage((left, top, left + side, top + side), pen, "four", size))
    check_mnist_like(out)


def test_a_digit_whose_centre_of_mass_is_near_an_edge_stays_inside_the_frame():
    ink = np.zeros((200, 200), np.float32)
    ink[10:190, 10:40] = 1.0  # a heavy vertical bar and a faint roof: the mass is far left
    ink[10:20, 10:190] = 0.3
    framing = frame(ink, None)
    assert framing.shift[1] == pytest.approx(28 - 20)  # pushed right only as far as the frame allows
    assert framing.mnist.sum() == pytest.approx(framing.fitted.sum(), rel=0.03)  # no ink cut off
    assert com(framing.mnist)[1] < 13.0


def test_mnist_style_of_nothing_is_zeros():
    for ink in (np.zeros((28, 28)), np.zeros((300, 200)), np.full((50, 50), np.nan)):
        out = mnist_style(ink)
        assert out.shape == (28, 28) and out.dtype == np.float32 and not out.any()


def test_mnist_style_accepts_any_float_array_and_out_of_range_values():
    ink = coverage((60, 40, 220, 240), 16)
    assert np.array_equal(mnist_style(ink.astype(np.float64)), mnist_style(ink))
    check_mnist_like(mnist_style(ink * 3.0 - 0.5))
    with_nan = ink.copy()
    with_nan[0, 0] = np.nan
    with_nan[100, 100] = np.inf
    assert np.isfinite(mnist_style(with_nan)).all()


def test_mnist_style_rejects_non_2d():
    with pytest.raises(ValueError):
        mnist_style(np.zeros((28, 28, 3)))


def test_stroke_adjustment_can_be_turned_off():
    ink = coverage((60, 40, 220, 240), 4)
    assert stroke_width(mnist_style(ink, None)) < stroke_width(mnist_style(ink)) - 0.5


def test_plain_resize_squeezes_the_whole_canvas():
    ink = np.zeros((280, 280), np.float32)
    ink[:140, :140] = 1.0
    plain = plain_resize(ink)
    assert plain.shape == (28, 28) and plain.dtype == np.float32
    assert plain[:13, :13].min() == pytest.approx(1.0, abs=1e-3)
    assert plain[15:].max() == 0.0 and plain[:, 15:].max() == 0.0


# --------------------------------------------------------------------------- to_png


@pytest.mark.parametrize("scale", [1, 3, 10])
def test_to_png_shows_ink_white_on_black_upscaled_crisply(scale):
    a = np.zeros((28, 28), np.float32)
    a[5, 7] = 1.0
    a[10, 10] = 0.5
    with Image.open(io.BytesIO(to_png(a, scale))) as image:
        assert image.format == "PNG" and image.mode == "L" and image.size == (28 * scale, 28 * scale)
        pixels = np.asarray(image)
    assert pixels[5 * scale : 6 * scale, 7 * scale : 8 * scale].min() == 255
    assert set(np.unique(pixels[10 * scale : 11 * scale, 10 * scale : 11 * scale])) == {128}
    assert pixels.sum() == (255 + 128) * scale * scale


def test_to_png_clips_and_rejects_bad_input():
    with Image.open(io.BytesIO(to_png(np.array([[-1.0, 2.0, np.nan]])))) as image:
        assert np.asarray(image).tolist() == [[0, 255, 0]]
    for bad in (np.zeros((2, 2, 3)), np.zeros((0, 5))):
        with pytest.raises(ValueError):
            to_png(bad)
    for scale in (0, -2, 1.5, 1000):
        with pytest.raises(ValueError):
            to_png(np.zeros((2, 2)), scale)


# --------------------------------------------------------------------------- connected pieces


@pytest.mark.parametrize("seed", range(12))
def test_run_labelling_matches_flood_fill(seed):
    rng = np.random.default_rng(seed)
    height, width = rng.integers(1, 30, 2)
    mask = rng.random((height, width)) < rng.uniform(0.05, 0.6)
    rows, starts, ends = ink_runs(mask)
    rebuilt = np.zeros_like(mask)
    for row, start, end in zip(rows, starts, ends, strict=True):
        rebuilt[row, start:end] = True
    assert np.array_equal(rebuilt, mask)
    labels = label_runs(rows, starts, ends, width)
    assert len(set(labels.tolist())) == count_pieces(mask)
    # Each label is the smallest run index of its piece: the first run with a label carries its own index.
    assert all(labels[labels == label].min() == label for label in set(labels.tolist()))


@pytest.mark.parametrize("seed", range(6))
def test_one_image_box_and_centre_of_mass_equal_the_batched_ones_exactly(seed):
    rng = np.random.default_rng(seed)
    images = (rng.random((5, 40, 33)) * (rng.random((5, 40, 33)) < rng.uniform(0.0, 0.3))).astype(np.float32)
    images[0] = 0.0
    boxes, (rows, cols) = ink_box(images > 0.1), centre_of_mass(images)
    for image, box, row, col in zip(images, boxes, rows, cols, strict=True):
        assert center_of_mass(image) == (float(row), float(col))
        assert ink_bbox(image > 0.1) == (tuple(box.tolist()) if (image > 0.1).any() else None)
