"""Where the drawing's bytes are in a request: a raw PNG body, JSON {"image": data URL}, or a
form field `image` holding a data URL (what the htmx pages post)."""

import base64
import binascii

from flask import Request

from web.errors import CodedError

DATA_URL_PREFIX = "data:image/"


class BadDrawing(CodedError):
    """The request does not carry a readable image; the message says what is wrong."""


def decode_data_url(value: object) -> bytes:
    """data:image/png;base64,... -> the image bytes."""
    if not isinstance(value, str) or not value:
        raise BadDrawing('"image" must be a data URL string such as "data:image/png;base64,..."', "not_data_url")
    if not value.startswith(DATA_URL_PREFIX) or ";base64," not in value[:64]:
        raise BadDrawing('"image" must be a base64 data URL starting with "data:image/png;base64,"', "not_data_url")
    try:
        return base64.b64decode(value.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadDrawing(f'"image" is not valid base64 ({exc})', "bad_base64", detail=str(exc)) from exc


def image_bytes(request: Request) -> bytes:
    """The image bytes of an API or page request, or BadDrawing."""
    mimetype = request.mimetype
    if mimetype.startswith("image/"):
        data = request.get_data(cache=False)
    elif mimetype == "application/json":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadDrawing(
                'the body is not a JSON object; send {"image": "data:image/png;base64,..."}', "not_json_object"
            )
        data = decode_data_url(body.get("image"))
    elif mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if "image" in request.files:
            data = request.files["image"].read()
        else:
            data = decode_data_url(request.form.get("image"))
    else:
        raise BadDrawing("unsupported Content-Type; send image/png, application/json or a form", "content_type")
    if not data:
        raise BadDrawing("the image is empty", "empty_image")
    return data
