"""Full page or fragment: one template per swappable block, included by its page."""

from flask import make_response
from flask import render_template
from flask import request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def page_or_fragment(page: str, fragment: str, **context):
    """The fragment alone for htmx requests, the whole page otherwise; Vary so caches keep both."""
    response = make_response(render_template(fragment if is_htmx() else page, **context))
    response.vary.add("HX-Request")
    return response
