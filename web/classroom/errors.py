"""The classroom's errors as its pages, fragments and JSON answer them: the database unavailable
(503, never a 500), a class that is not the asker's (403), a class that does not exist (404), too
many wrong guesses (429)."""

from flask import current_app
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from werkzeug.exceptions import TooManyRequests

from classroom.store import Unavailable
from web.class_store import unavailable_message
from web.i18n import gettext as _
from web.render import is_htmx

API_PREFIX = "/api/"


def unavailable(exc: Unavailable):
    """The database cannot be written (or reached): a clear 503, JSON for the API, never a 500."""
    message = unavailable_message()
    current_app.logger.error("classroom database unavailable: %s", exc)
    if request.path.startswith(API_PREFIX):
        return jsonify(error=message, detail=str(exc)), 503
    if is_htmx() and request.endpoint == "students.student_submit":  # in the result's place: sending again works
        return render_template("classroom/partials/result.html", error=message, reading=None), 503
    if is_htmx() and request.endpoint in ("classes.live", "classes.hide", "classes.show"):
        # In the board's place, still polling: the board comes back by itself with the database.
        code = request.view_args["code"]
        return render_template("classroom/partials/live_error.html", code=code, message=message), 503
    if is_htmx():
        return render_template("classroom/partials/error.html", message=message), 503
    return render_template("classroom/error.html", message=message), 503


def forbidden(_exc):
    message = _("Only the browser that started this class may do that.")
    if request.path.startswith(API_PREFIX):
        return jsonify(error=message), 403
    return render_template("classroom/error.html", message=message), 403


def missing(_exc):
    return render_template("classroom/missing.html"), 404


def too_many(exc: TooManyRequests):
    """429 with the reason and Retry-After: too many wrong guesses (web/classroom/guard.py)."""
    if request.path.startswith(API_PREFIX):
        response = jsonify(error=exc.description)
    elif is_htmx():
        response = make_response(render_template("classroom/partials/error.html", message=exc.description))
    else:
        response = make_response(render_template("classroom/error.html", message=exc.description))
    response.status_code = 429
    response.headers["Retry-After"] = str(exc.retry_after)
    return response
