"""How a response is made: a full page or a fragment (one template per swappable block, included by
its page), and its body gzipped for a client that takes it."""

import base64
import gzip

from flask import Response
from flask import make_response
from flask import render_template
from flask import request

SHOWN_LIMIT = 40  # characters of a client's value that a message quotes
REMEMBERED_SECONDS = 365 * 24 * 3600  # a choice kept in a cookie (language, model, presenter mode, device) lasts a year


def shown(value: object) -> str:
    """A value the client sent, cut short for quoting in a message (templates escape it)."""
    text = str(value)
    return text if len(text) <= SHOWN_LIMIT else text[: SHOWN_LIMIT - 1] + "…"


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def page_or_fragment(page: str, fragment: str, status: int = 200, **context):
    """The fragment alone for htmx requests, the whole page otherwise; Vary so caches keep both."""
    response = make_response(render_template(fragment if is_htmx() else page, **context), status)
    response.vary.add("HX-Request")
    return response


def remember(response: Response, name: str, value: str) -> Response:
    """Keep a choice in a cookie for the next pages: a year, SameSite=Lax, HttpOnly (no script reads
    a cookie)."""
    response.set_cookie(name, value, max_age=REMEMBERED_SECONDS, samesite="Lax", httponly=True)
    return response


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


GZIP_FROM = 1400  # bytes: a smaller body fits one packet anyway
GZIP_LEVEL = 5  # about as small as level 9 for this markup, several times faster


def gzipped(data: bytes) -> bytes:
    """The body as gzip sends it; mtime 0, so the same body always gives the same bytes."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def compress(response: Response, compressed: bytes | None = None) -> Response:
    """gzip a text response of GZIP_FROM bytes or more for a client that accepts it (charts of
    thousands of similar SVG cells, a busy class board: about tenfold smaller). `compressed`: the
    body already gzipped (a render kept with its compressed bytes)."""
    if (
        response.direct_passthrough
        or response.status_code < 200
        or "Content-Encoding" in response.headers
        or not response.mimetype.startswith("text/")
        or "gzip" not in request.accept_encodings
    ):
        return response
    data = response.get_data()
    if len(data) < GZIP_FROM:
        return response
    response.set_data(gzipped(data) if compressed is None else compressed)
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response
