"""One answer for a bug: an unexpected exception becomes a clean 500, never a traceback.

The API answers JSON {"error": "internal error", "request_id": ...}; pages answer a short page and
htmx requests a fragment that replaces the element they target (keeping its id, so the next
request finds it again). The traceback goes to app.logger with the same request id.
HTTPExceptions (404, 405, 413 ...) keep their own handlers.
"""

import re
import uuid

from flask import Flask
from flask import current_app
from flask import g
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from werkzeug.exceptions import HTTPException

from web.render import is_htmx

TARGET_ID = re.compile(r"#([A-Za-z][\w-]{0,63})$")  # htmx 4 sends HX-Target as "tag#id"


def request_id() -> str:
    """A short random id for this request, the same in the log and in the answer."""
    if "request_id" not in g:
        g.request_id = uuid.uuid4().hex[:12]
    return g.request_id


def target_id() -> str | None:
    match = TARGET_ID.search(request.headers.get("HX-Target", ""))
    return match.group(1) if match else None


def error_page(rid: str):
    """The message as a fragment that replaces the htmx target (whatever its swap style), else a page."""
    if is_htmx():
        response = make_response(render_template("partials/server_error.html", request_id=rid, block=target_id()))
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    return make_response(render_template("server_error.html", request_id=rid))


def internal_error(exc: Exception):
    if isinstance(exc, HTTPException):  # routing and client errors keep their handlers
        return exc
    rid = request_id()
    current_app.logger.error("unhandled exception, request %s: %s %s", rid, request.method, request.path, exc_info=exc)
    if request.path.startswith("/api/"):
        response = jsonify(error="internal error", request_id=rid)
    else:
        try:
            response = error_page(rid)
        except Exception:  # the templates themselves fail: a plain line, still no traceback
            current_app.logger.exception("the error page failed too, request %s", rid)
            response = make_response(f"Internal error (request id {rid}).", {"Content-Type": "text/plain"})
    response.status_code = 500
    response.headers["X-Request-ID"] = rid
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(Exception, internal_error)
