"""Grids or flow: which picture of a reading the inside page shows. `?view=flow` or the switch (a
field of the page's form) chooses; a cookie remembers the choice for the next visit, as presenter
mode's does. An unknown value is no error: the page shows the view it would show without it."""

from flask import Response
from flask import request
from werkzeug.exceptions import HTTPException

VIEWS = ("grids", "flow")  # the first is the default
COOKIE = "view"


def asked_view() -> str | None:
    """The `view` field of the query or the form; None when the body cannot be read (too large,
    say: the page answers that error, in the view it would show without the field)."""
    try:
        return request.values.get("view")
    except HTTPException:
        return None


def chosen_view() -> str:
    """The view asked for, else the one remembered, else grids."""
    for asked in (asked_view(), request.cookies.get(COOKIE)):
        if asked in VIEWS:
            return asked
    return VIEWS[0]


def remember_view(response: Response) -> Response:
    """A view asked for sticks (SameSite=Lax, a year); no script reads the cookie."""
    asked = asked_view()
    if asked in VIEWS and asked != request.cookies.get(COOKIE) and response.status_code < 400:
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
