"""Presenter mode: large type, high contrast, a bigger canvas, less chrome, for a projector.

`?present=1` turns it on and `?present=0` off on any page; the choice is remembered in a cookie.
The page's <body> carries the class `present`; static/present.js adds the keys (← → p c u ?).
"""

from flask import Response
from flask import g
from flask import request
from flask import url_for

from web.render import remember

COOKIE = "present"


def presenting() -> bool:
    """On when ?present=1, else off when ?present=0, else what the cookie remembers."""
    if "presenting" not in g:
        asked = request.args.get("present")
        g.presenting = asked == "1" if asked in ("0", "1") else request.cookies.get(COOKIE) == "1"
    return g.presenting


def toggle_fields() -> tuple:
    """(path, [(name, value)]) of this page with presenter mode switched the other way, other
    query fields kept, for the switch's GET form. A page answered to a POST goes to its blueprint's
    index (a POST has no address to return to)."""
    path = request.path if request.method == "GET" else url_for(f"{request.blueprint}.index")
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "present"]
    return path, query


def remember_presenting(response: Response) -> Response:
    """?present=1 / ?present=0 sticks for the next pages (SameSite=Lax, a year)."""
    asked = request.args.get("present")
    if asked in ("0", "1"):
        remember(response, COOKIE, asked)
    return response
