"""Request fields: what a request's values mean, read one way for every view.

Each helper returns the value a view can use or raises BadInput, whose message says which field
is wrong and why, as one whole sentence (web.errors.MESSAGES: English in str() for the JSON API,
the page's language through error_message). The drawing's bytes are here too: a raw image body,
JSON {"image": data URL}, or a form field `image` holding a data URL (what the htmx pages post).
"""

import base64
import binascii
import math

from flask import Request

from nn import Model
from nn.functions import ACTIVATIONS
from web.errors import CodedError
from web.filters import number
from web.models import all_models
from web.models import default_model_name
from web.render import shown
from web.samples import test_set

DATA_URL_PREFIX = "data:image/"


class BadInput(CodedError):
    """A request value a view cannot use. The helpers here give it a `code` and `values` (and
    English in str()); a view's own check gives the message already in the page's language and
    no code: BadInput(_("...")). web.errors.error_response answers either."""

    def __init__(self, message: str, code: str | None = None, **values):
        super().__init__(message, code, **values)


def is_whole_number(text: str) -> bool:
    """0-9 only: str.isdigit also accepts "²", which int() refuses."""
    return text.isascii() and text.isdigit()


def whole_number(values, name: str, within: range | None = None, *, optional: bool = False) -> int | None:
    """The field `name` of `values` (request.args, .form or .values) as a whole number, in `within`
    when given; None for an absent or empty field when optional."""
    text = values.get(name, "").strip()
    if optional and text == "":
        return None
    if is_whole_number(text) and (within is None or int(text) in within):
        return int(text)
    if within is None:
        raise BadInput(
            f"“{name}” must be a whole number, not “{shown(text)}”", "whole_number", name=name, value=shown(text)
        )
    raise out_of_range("whole number", "whole_number_range", name, within.start, within.stop - 1, text)


def real_number(values, name: str, low: float, high: float, default: float) -> float:
    """The field `name` as a finite number from low to high, `default` when absent or empty."""
    text = values.get(name, "").strip()
    if text == "":
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise out_of_range("number", "number_range", name, low, high, text)
    return value


def out_of_range(kind: str, code: str, name: str, low: float, high: float, text: str) -> BadInput:
    """The error of a field whose `text` is not a `kind` ("number", "whole number") from low to high."""
    return BadInput(
        f"“{name}” must be a {kind} from {number(low)} to {number(high)}, not “{shown(text)}”",
        code,
        name=name,
        low=low,
        high=high,
        value=shown(text),
    )


def digit(value: object) -> int:
    """A digit from 0 to 9: a form's text, or a number in JSON."""
    text = "" if value is None else str(value).strip()
    if text == "":
        raise BadInput("pick a digit from 0 to 9", "no_digit")
    if len(text) != 1 or text not in "0123456789":
        raise BadInput(f"“{shown(text)}” is not a digit from 0 to 9", "not_a_digit", digit=shown(text))
    return int(text)


def sample_index(value: str | None) -> int | None:
    """The number of an MNIST test image, None when none is asked for."""
    text = (value or "").strip()
    if text == "":
        return None
    count = len(test_set()[1])
    if not is_whole_number(text) or int(text) >= count:
        raise BadInput(
            f"there is no MNIST test image “{shown(text)}”; they are numbered 0 to {count - 1}",
            "no_sample",
            index=shown(text),
            last=count - 1,
        )
    return int(text)


def model_choice(name: str | None = None) -> Model:
    """The model a request names, the default one when it names none. The message lists the
    models and never repeats the name asked for."""
    models = all_models()
    name = name or default_model_name()
    if name not in models:
        raise BadInput(f"unknown model; available: {', '.join(models)}", "unknown_model", names=", ".join(models))
    return models[name]


def activation_choice(name: str) -> str:
    """The name of one of the activation functions (nn.functions.ACTIVATIONS)."""
    if name not in ACTIVATIONS:
        names = ", ".join(ACTIVATIONS)
        raise BadInput(
            f"unknown activation function “{shown(name)}”; choose one of: {names}",
            "unknown_activation",
            name=shown(name),
            names=names,
        )
    return name


def decode_data_url(value: object) -> bytes:
    """data:image/png;base64,... -> the image bytes."""
    if not isinstance(value, str) or not value:
        raise BadInput('"image" must be a data URL string such as "data:image/png;base64,..."', "not_data_url")
    if not value.startswith(DATA_URL_PREFIX) or ";base64," not in value[:64]:
        raise BadInput('"image" must be a base64 data URL starting with "data:image/png;base64,"', "not_data_url")
    try:
        return base64.b64decode(value.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadInput(f'"image" is not valid base64 ({exc})', "bad_base64", detail=str(exc)) from exc


def image_bytes(request: Request) -> bytes:
    """The image bytes of an API or page request."""
    mimetype = request.mimetype
    if mimetype.startswith("image/"):
        data = request.get_data(cache=False)
    elif mimetype == "application/json":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadInput(
                'the body is not a JSON object; send {"image": "data:image/png;base64,..."}', "not_json_object"
            )
        data = decode_data_url(body.get("image"))
    elif mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if "image" in request.files:
            data = request.files["image"].read()
        else:
            data = decode_data_url(request.form.get("image"))
    else:
        raise BadInput("unsupported Content-Type; send image/png, application/json or a form", "content_type")
    if not data:
        raise BadInput("the image is empty", "empty_image")
    return data
