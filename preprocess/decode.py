"""Bytes from a browser or an upload to a Pillow image, with every failure turned into a
PreprocessError whose message can be shown to the person who sent the bytes.

Uploads are untrusted: formats are limited to plain raster ones (no EPS, which would run
Ghostscript), size is checked from the header before any pixel is decoded, and Pillow's
decompression-bomb warning is raised as an error instead of being printed.

A canvas drawing is a plain 8-bit PNG, and those go through preprocess.fast_png, three times
faster than Pillow with the same pixels; every other image, and any PNG it refuses, through Pillow.
"""

import io
import warnings

import numpy as np
from PIL import Image
from PIL import ImageOps
from PIL import UnidentifiedImageError

from preprocess.fast_png import plain_png_pixels

MAX_BYTES = 20 * 1024 * 1024
MAX_SIDE = 4096
MAX_PIXELS = 16_000_000
ALLOWED_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF", "PPM", "ICO")


class PreprocessError(ValueError):
    """The bytes cannot be made into a digit image; str(error) is a message for a person.

    `code` names the failure and `values` holds its numbers, so that a user interface can say it
    in its own language (the web layer maps codes to translated messages)."""

    def __init__(self, message: str, code: str = "undecodable", **values):
        super().__init__(message)
        self.code = code
        self.values = values


def _check_size(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise PreprocessError(
            f"The image is empty ({width}x{height} pixels).", "empty_size", width=width, height=height
        )
    if width > MAX_SIDE or height > MAX_SIDE:
        raise PreprocessError(
            f"The image is {width}x{height} pixels; the limit is {MAX_SIDE} pixels on a side.",
            "too_wide",
            width=width,
            height=height,
            limit=MAX_SIDE,
        )
    if width * height > MAX_PIXELS:
        raise PreprocessError(
            f"The image has {width * height:,} pixels; the limit is {MAX_PIXELS:,}.",
            "too_many_pixels",
            pixels=width * height,
            limit=MAX_PIXELS,
        )


def _upright(image: Image.Image) -> Image.Image:
    """A copy turned as its orientation tag says; a broken tag is ignored, not fatal."""
    try:
        turned = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - EXIF from cameras is often malformed; the pixels are still fine
        return image.copy()
    return image.copy() if turned is image or turned is None else turned


def _pixels_if_plain_png(opened: Image.Image, data: bytes) -> np.ndarray | None:
    """The pixels of a non-interlaced 8-bit grey, RGB or RGBA PNG with no transparency colour,
    EXIF or animation, decoded by preprocess.fast_png; None for any other image, or when it
    refuses the bytes. Exactly Pillow's pixels."""
    if opened.format != "PNG" or opened.mode not in ("L", "RGB", "RGBA"):
        return None
    bit_depth, interlace = data[24], data[28]  # IHDR, which Pillow has already checked
    if bit_depth != 8 or interlace or getattr(opened, "is_animated", False):
        return None
    if "transparency" in opened.info or "exif" in opened.info:
        return None
    return plain_png_pixels(data)


def decode_image(data: bytes) -> Image.Image:
    """The first frame of the image in `data`, fully decoded and detached from the bytes.

    JPEG/TIFF orientation tags are applied so that a photo is read the way it is shown.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise PreprocessError(
            f"Expected image bytes, got {type(data).__name__}.", "not_bytes", kind=type(data).__name__
        )
    data = bytes(data)
    if not data:
        raise PreprocessError("The upload is empty: no image data was received.", "empty_upload")
    if len(data) > MAX_BYTES:
        raise PreprocessError(
            f"The upload is {len(data):,} bytes; the limit is {MAX_BYTES:,}.",
            "too_many_bytes",
            size=len(data),
            limit=MAX_BYTES,
        )
    if data[:5].lower() == b"data:":
        raise PreprocessError("This is a data: URL, not image bytes; decode its base64 part first.", "data_url")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as opened:
                _check_size(*opened.size)
                pixels = _pixels_if_plain_png(opened, data)
                if pixels is not None:
                    return Image.fromarray(pixels)
                opened.seek(0)
                opened.load()
                image = _upright(opened)
    except PreprocessError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PreprocessError("The image is too large to decode safely.", "bomb") from exc
    except UnidentifiedImageError as exc:
        raise PreprocessError(
            "This is not an image we can read (expected PNG, JPEG, GIF, BMP, WebP or TIFF).", "unknown_format"
        ) from exc
    except (OSError, SyntaxError, EOFError) as exc:
        raise PreprocessError(f"The image data is truncated or corrupt ({exc}).", "corrupt", detail=str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - decoders of untrusted bytes raise many types; none may become a 500
        raise PreprocessError(
            f"The image could not be decoded ({type(exc).__name__}: {exc}).",
            "undecodable",
            detail=f"{type(exc).__name__}: {exc}",
        ) from exc
    _check_size(*image.size)
    return image
