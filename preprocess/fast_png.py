"""Plain 8-bit PNGs, which is what a canvas sends, decoded in a third of Pillow's time.

Decoding a canvas PNG was the largest single cost of a reading. Its pixel rows are deflated,
and Pillow and libspng both inflate them with a classic zlib, row by row; zlib-ng inflates the
same bytes about ten times faster. So zlib-ng inflates, the PNG is written again with its rows
stored (deflate's uncompressed blocks: nothing left to inflate), and libspng unfilters the
rows. The pixels are Pillow's, exactly (tests/test_preprocess.py); figures in notes/serving.md.
Both libraries are optional: without libspng preprocess.decode uses Pillow, and without zlib-ng
libspng reads the PNG as it came.
"""

import struct

import numpy as np

try:
    import pyspng
except ImportError:  # no wheel for this machine (e.g. Linux on ARM): Pillow decodes every PNG
    pyspng = None
try:
    from zlib_ng import zlib_ng
except ImportError:
    zlib_ng = None

CHANNELS = {0: 1, 2: 3, 6: 4}  # PNG colour types whose 8-bit pixels libspng gives as Pillow does
STORED_BLOCK = 65535  # the most bytes one stored deflate block holds
IEND = struct.pack(">I4sI", 0, b"IEND", 0xAE426082)  # the closing chunk, always the same bytes


def plain_png_pixels(data: bytes) -> np.ndarray | None:
    """The uint8 pixels, (H, W) grey or (H, W, C) RGB/RGBA, of a non-interlaced 8-bit PNG of
    those colour types; None without libspng, or when the bytes are refused (then Pillow decodes
    them and says what is wrong). With zlib-ng, libspng only ever reads a PNG written here. The
    caller has checked the rest of the header: its size, and no transparency colour, EXIF or
    animation, which Pillow reads and libspng would not."""
    if pyspng is None:
        return None
    try:
        png = data if zlib_ng is None else stored_png(data)
        return None if png is None else pyspng.load(png)
    except Exception:  # noqa: BLE001 - corrupt or truncated bytes: Pillow gives the error its words
        return None


def stored_png(data: bytes) -> bytes | None:
    """The PNG's header and pixel rows alone, the rows stored instead of deflated (zlib-ng);
    None when the rows do not inflate to exactly the size the header gives (inflating stops
    there, so a small file cannot grow past what the header promises)."""
    if data[12:16] != b"IHDR":
        return None
    width, height, _, colour = struct.unpack_from(">IIBB", data, 16)
    size = height * (1 + width * CHANNELS[colour])  # each row: its filter byte, then its pixels
    inflater = zlib_ng.decompressobj()
    rows = inflater.decompress(b"".join(idat_chunks(data)), size + 1)
    if len(rows) != size or not inflater.eof:
        return None
    stream = zlib_stored(rows)
    crc = zlib_ng.crc32(b"IDAT")
    for piece in stream:
        crc = zlib_ng.crc32(piece, crc)
    idat = [struct.pack(">I4s", sum(map(len, stream)), b"IDAT"), *stream, struct.pack(">I", crc)]
    return b"".join([data[:33], *idat, IEND])  # 33: the signature and the IHDR chunk


def idat_chunks(data: bytes):
    """The contents of the PNG's IDAT chunks, in order."""
    position = 8
    while position + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, position)
        if kind == b"IEND":
            return
        if kind == b"IDAT":
            yield data[position + 8 : position + 8 + length]
        position += 12 + length


def zlib_stored(data: bytes) -> list:
    """`data` as the pieces of a zlib stream of stored blocks (pieces: not joined, not copied)."""
    view = memoryview(data)
    pieces = [b"\x78\x01"]  # deflate, 32 kB window, no dictionary
    for start in range(0, len(data), STORED_BLOCK):
        block = view[start : start + STORED_BLOCK]
        final = start + STORED_BLOCK >= len(data)
        pieces += [struct.pack("<BHH", final, len(block), len(block) ^ 0xFFFF), block]
    return [*pieces, struct.pack(">I", zlib_ng.adler32(data))]
