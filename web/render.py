"""Full page or fragment: one template per swappable block, included by its page."""

import base64

from flask import make_response
from flask import render_template
from flask import request

SHOWN_LIMIT = 40  # characters of a client's value that a message quotes


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


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
