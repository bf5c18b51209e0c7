"""Errors in the page's language. The preprocessing and the web layer's parsers raise exceptions
that carry a `code` and the numbers of their message (`values`); MESSAGES maps each code to a
gettext message, so the engine stays free of Flask and a Korean page says it in Korean. The JSON
API keeps str(exc), the English message, for programs."""

from werkzeug.exceptions import HTTPException

from web.filters import number
from web.i18n import N_
from web.i18n import gettext

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
    # web.drawing_input.BadDrawing
    "not_data_url": N_("The drawing must be a data URL such as “data:image/png;base64,...”."),
    "bad_base64": N_("The drawing is not valid base64 (%(detail)s)."),
    "not_json_object": N_('The body is not a JSON object; send {"image": "data:image/png;base64,..."}.'),
    "content_type": N_("Unsupported Content-Type “%(mimetype)s”; send image/png or application/json."),
    "empty_image": N_("The image is empty."),
    # web.models.UnknownModel
    "unknown_model": N_("There is no model “%(name)s”; the models are: %(names)s."),
    # web.samples.BadSample
    "no_sample": N_("There is no test image “%(index)s”; they are numbered 0 to %(last)s."),
    "not_a_digit": N_("“%(digit)s” is not a digit from 0 to 9."),
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
