"""The classroom's errors as its pages, fragments and JSON answer them: the database unavailable
(503, never a 500), a class that is not the asker's (403), a class that does not exist (404), too
many wrong guesses (429)."""

from flask import current_app
from flask import render_template
from flask import request
from werkzeug.exceptions import TooManyRequests

from classroom.store import Unavailable
from web.class_store import unavailable_message
from web.errors import error_response
from web.i18n import gettext as _
from web.render import is_htmx

PAGE, FRAGMENT = "classroom/error.html", "classroom/partials/error.html"
BOARD_LIVE = ("classes.live", "classes.hide", "classes.show")  # requests of the board's live part


def unavailable(exc: Unavailable):
    """The database cannot be written (or reached): a clear 503, JSON for the API, never a 500."""
    message = unavailable_message()
    current_app.logger.error("classroom database unavailable: %s", exc)
    if is_htmx() and request.endpoint in BOARD_LIVE:
        # In the board's place, still polling: the board comes back by itself with the database.
        code = request.view_args["code"]
        return render_template("classroom/partials/live_error.html", code=code, error=message), 503
    # A student's drawing: in the result's place, so sending again works.
    fragment = "classroom/partials/result.html" if request.endpoint == "students.student_submit" else FRAGMENT
    return error_response(message, 503, PAGE, fragment, data={"detail": str(exc)}, reading=None)


def forbidden(_exc):
    return error_response(_("Only the browser that started this class may do that."), 403, PAGE)


def missing(_exc):
    return render_template("classroom/missing.html"), 404


def too_many(exc: TooManyRequests):
    """429 with the reason and Retry-After: too many wrong guesses (web/classroom/guard.py)."""
    return error_response(exc.description, 429, PAGE, FRAGMENT, headers={"Retry-After": str(exc.retry_after)})
