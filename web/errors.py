"""Errors a person sees, one answer for them, and one answer for a bug.

Errors in the page's language. The preprocessing and the request fields (web.fields) raise
exceptions that carry a `code` and the numbers of their message (`values`); MESSAGES maps each
code to a gettext message, so the engine stays free of Flask and a Korean page says it in Korean.
The JSON API keeps str(exc), the English message, for programs. error_response answers every
such error: JSON under /api/, the fragment for htmx, else the page.

An unexpected exception becomes a clean 500, never a traceback.

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
from flask import request
from werkzeug.exceptions import HTTPException

from web.filters import number
from web.i18n import N_
from web.i18n import gettext
from web.render import is_htmx
from web.render import page_or_fragment

MESSAGES = {
    # preprocess.PreprocessError
    "empty_size": N_("The image is empty (%(width)s × %(height)s pixels)."),
    "too_wide": N_("The image is %(width)s × %(height)s pixels; the limit is %(limit)s pixels on a side."),
    "too_many_pixels": N_("The image has %(pixels)s pixels; the limit is %(limit)s."),
    "not_bytes": N_("Expected image bytes, got %(kind)s."),
    "empty_upload": N_("The upload is empty: no image data was received."),
    "too_many_bytes": N_("The upload is %(size)s bytes; the limit is %(limit)s."),
    "data_url": N_("This is a data: URL, not image bytes; decode its base64 part first."),
    "bomb": N_("The image is too large to decode safely."),
    "unknown_format": N_("This is not an image we can read (expected PNG, JPEG, GIF, BMP, WebP or TIFF)."),
    "corrupt": N_("The image data is truncated or corrupt (%(detail)s)."),
    "undecodable": N_("The image could not be decoded (%(detail)s)."),
    "mode": N_("Images in Pillow mode %(mode)s are not supported."),
    # web.fields.BadInput: the drawing's bytes
    "not_data_url": N_("The drawing must be a data URL such as “data:image/png;base64,...”."),
    "bad_base64": N_("The drawing is not valid base64 (%(detail)s)."),
    "not_json_object": N_('The body is not a JSON object; send {"image": "data:image/png;base64,..."}.'),
    "content_type": N_("Unsupported Content-Type; send image/png, application/json or a form."),
    "empty_image": N_("The image is empty."),
    # web.fields.BadInput: the other fields
    "unknown_model": N_("There is no such model; the models are: %(names)s."),
    "unknown_activation": N_("Unknown activation function “%(name)s”; choose one of: %(names)s."),
    "no_sample": N_("There is no MNIST test image “%(index)s”; they are numbered 0 to %(last)s."),
    "no_digit": N_("Pick a digit from 0 to 9."),
    "not_a_digit": N_("“%(digit)s” is not a digit from 0 to 9."),
    "whole_number": N_("“%(name)s” must be a whole number, not “%(value)s”."),
    "whole_number_range": N_("“%(name)s” must be a whole number from %(low)s to %(high)s, not “%(value)s”."),
    "number_range": N_("“%(name)s” must be a number from %(low)s to %(high)s, not “%(value)s”."),
}


class CodedError(ValueError):
    """An error a person may see: English in str(), a `code` and `values` for a translation."""

    def __init__(self, message: str, code: str, **values):
        super().__init__(message)
        self.code = code
        self.values = values


def error_message(exc: Exception) -> str:
    """The exception's message in the page's language (numbers as the language writes them)."""
    msgid = MESSAGES.get(getattr(exc, "code", None))
    if msgid is None:
        return str(exc)
    values = {k: number(v) if isinstance(v, int | float) else v for k, v in getattr(exc, "values", {}).items()}
    return gettext(msgid, **values)


def size_text(limit: int) -> str:
    """8 MB, 512 KB: a byte limit for people."""
    return f"{number(limit / 2**20)} MB" if limit >= 2**20 else f"{number(limit / 2**10)} KB"


def http_message(exc: HTTPException, limit: int) -> str:
    """Werkzeug's 4xx, said for this app: too large a body, or a request the page cannot use."""
    if exc.code == 413:
        return gettext("The drawing is too large to read (over %(size)s).", size=size_text(limit))
    return gettext("The request could not be read (HTTP %(code)s).", code=exc.code)


TARGET_ID = re.compile(r"#([A-Za-z][\w-]{0,63})$")  # htmx 4 sends HX-Target as "tag#id"


def request_id() -> str:
    """A short random id for this request, the same in the log and in the answer."""
    if "request_id" not in g:
        g.request_id = uuid.uuid4().hex[:12]
    return g.request_id


def target_id() -> str | None:
    match = TARGET_ID.search(request.headers.get("HX-Target", ""))
    return match.group(1) if match else None


API_PREFIX = "/api/"


def is_api() -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(
    error: Exception | str,
    status: int = 400,
    page: str | None = None,
    fragment: str | None = None,
    /,
    *,
    headers: dict | None = None,
    data: dict | None = None,
    **context,
):
    """The one answer to a request that cannot be served. Under /api/: JSON {"error": str(error)}
    (an exception's English, for programs) plus `data`. Else the message in the page's language,
    as `error`, in `fragment` for htmx (the block it replaces, keeping its id; `page` when no
    fragment is given) or in `page`, with the rest of the template's `context` (whose own `error`,
    if any, gives way)."""
    if is_api():
        response = jsonify(error=str(error), **(data or {}))
        response.status_code = status
    else:
        message = error if isinstance(error, str) else error_message(error)
        response = page_or_fragment(page, fragment or page, status, **(context | {"error": message}))
    response.headers.update(headers or {})
    return response


def internal_error(exc: Exception):
    if isinstance(exc, HTTPException):  # routing and client errors keep their handlers
        return exc
    rid = request_id()
    current_app.logger.error("unhandled exception, request %s: %s %s", rid, request.method, request.path, exc_info=exc)
    headers = {"X-Request-ID": rid}
    if is_htmx():  # a fragment morphed into the target, whatever its swap style: requests queued behind land too
        headers["HX-Reswap"] = "outerMorph"
    try:  # the templates say it in their own words, with the request id
        return error_response(
            "internal error",
            500,
            "server_error.html",
            "partials/server_error.html",
            headers=headers,
            data={"request_id": rid},
            request_id=rid,
            block=target_id(),
        )
    except Exception:  # the templates themselves fail: a plain line, still no traceback
        current_app.logger.exception("the error page failed too, request %s", rid)
        plain = {"Content-Type": "text/plain", "X-Request-ID": rid}
        return make_response(f"Internal error (request id {rid}).", 500, plain)


def init_app(app: Flask) -> None:
    app.register_error_handler(Exception, internal_error)
