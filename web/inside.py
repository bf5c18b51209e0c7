"""The inside page: every number the network computes for one input, as charts.

GET /inside renders the page (?sample=N: MNIST test image N; else the canvas posts the drawing).
POST /inside/read answers the reading fragment for a drawing (`image`) or a sample (`sample`),
with `model` and `activation` (the "what if" switch). /inside/neuron answers one neuron's detail
(`layer`, `neuron` plus the same fields). Bad input answers 400 with a message, never 500.
"""

import gzip
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.exceptions import HTTPException

from nn import Model
from nn import Trace
from nn.functions import ACTIVATIONS
from preprocess import PreprocessError
from web import charts
from web.drawing_input import BadDrawing
from web.drawing_input import image_bytes
from web.errors import error_message
from web.errors import http_message
from web.i18n import gettext as _
from web.models import UnknownModel
from web.models import all_models
from web.models import get_model
from web.models import page_model_name
from web.reading import read_drawing
from web.render import is_htmx
from web.render import is_whole_number
from web.render import page_or_fragment
from web.render import shown
from web.samples import test_set

bp = Blueprint("inside", __name__)


class BadInput(ValueError):
    """A request field the page cannot use; the message says which and why."""


@dataclass
class Source:
    """Where the input came from: the user's drawing or MNIST test image `sample` (with `label`)."""

    sample: int | None = None
    label: int | None = None
    plain_digit: int | None = None  # a drawing also goes through as a plain resize (row 1)


CODE_NAMES = {"step": "step_function", "sigmoid": "sigmoid", "relu": "relu", "identity": "identity_function"}


def activation_names() -> dict:
    return {"step": _("step function"), "sigmoid": _("sigmoid"), "relu": _("ReLU"), "identity": _("identity function")}


def choose(values) -> tuple:
    """(model, activation) from the request's fields; BadInput for unknown ones. A model just
    picked (not the `shown_model` of the page) starts with its own activation."""
    try:
        model = get_model(values.get("model"))
    except UnknownModel as exc:
        raise BadInput(error_message(exc)) from exc
    activation = values.get("activation") or model.network.activation
    if values.get("shown_model", model.name) != model.name:
        activation = model.network.activation
    if activation not in ACTIVATIONS:
        raise BadInput(
            _(
                "Unknown activation function “%(name)s”; choose one of: %(names)s.",
                name=shown(activation),
                names=", ".join(ACTIVATIONS),
            )
        )
    return model, activation


def sample_number(text: str | None) -> int | None:
    """The test image's number, None when not asked for; BadInput when out of range."""
    if text is None or text.strip() == "":
        return None
    count = len(test_set()[1])
    if not is_whole_number(text.strip()) or int(text.strip()) >= count:
        raise BadInput(
            _(
                "There is no MNIST test image “%(value)s”; they are numbered 0 to %(last)s.",
                value=shown(text),
                last=count - 1,
            )
        )
    return int(text.strip())


def whole_number(values, name: str) -> int:
    text = values.get(name, "")
    if not is_whole_number(text.strip()):
        raise BadInput(_("“%(name)s” must be a whole number, not “%(value)s”.", name=name, value=shown(text)))
    return int(text.strip())


def neuron_address(values, model: Model) -> tuple:
    """(layer, neuron) of the request, checked against the network's layers and sizes."""
    layer, index = whole_number(values, "layer"), whole_number(values, "neuron")
    sizes = model.network.sizes
    if not 1 <= layer < len(sizes):
        raise BadInput(
            _("There is no layer %(layer)s; this network has layers 1 to %(depth)s.", layer=layer, depth=len(sizes) - 1)
        )
    if index >= sizes[layer]:
        raise BadInput(
            _(
                "Layer %(layer)s has neurons 0 to %(last)s; there is no neuron %(neuron)s.",
                layer=layer,
                last=sizes[layer] - 1,
                neuron=index,
            )
        )
    return layer, index


def sample_trace(index: int, model: Model, activation: str) -> tuple:
    images, labels = test_set()
    x = images[index].reshape(1, 784).astype("float32") / 255.0  # as nn.mnist.load_test_set scales
    return model.network.forward(x, activation), Source(sample=index, label=int(labels[index]))


def trace_for(values, model: Model, activation: str) -> tuple:
    """(trace, source) for a sample or a drawing; (None, None) for an empty or blank drawing."""
    sample = sample_number(values.get("sample"))
    if sample is not None:
        return sample_trace(sample, model, activation)
    if request.method == "GET" or values.get("image", None) == "":
        return None, None
    try:
        reading = read_drawing(image_bytes(request), model, activation)
    except (BadDrawing, PreprocessError) as exc:
        raise BadInput(error_message(exc)) from exc
    if reading.blank:
        return None, None
    return reading.trace, Source(plain_digit=reading.plain_digit)


def page_url(model: Model, activation: str, source: Source | None) -> str:
    """The address of what the page shows, for the history: reloading it shows it again."""
    query = {"model": model.name}
    if activation != model.network.activation:
        query["activation"] = activation
    if source and source.sample is not None:
        query["sample"] = source.sample
    return url_for("inside.index") + "?" + urlencode(query)


def reading_context(model: Model, activation: str, trace: Trace | None, source: Source | None) -> dict:
    context = dict(model=model, activation=activation, source=source, trace=trace, path=None)
    if trace is not None:
        context.update(
            path=charts.path(trace, model.network, activation),
            input_rows=charts.input_table(trace),
            softmax=charts.softmax_steps(trace.a[-1][0]),
            answers=charts.answers_by_activation(model.network, trace.x[0], activation, list(CODE_NAMES)),
        )
    return context


def page_context(model: Model, activation: str, **context) -> dict:
    labels = test_set()[1]
    return (
        dict(
            models=all_models(),
            model=model,
            activation=activation,
            activations=activation_names(),
            code_names=CODE_NAMES,
            plot=charts.activation_plot(),
            sample_count=len(labels),
            sample_links=charts.first_of_each_digit(labels),
            error=None,
            model_changed=False,
        )
        | context
    )


def bad_input(exc: Exception, block: str):
    """400 with the message: the fragment in place of `block` for htmx, else the page."""
    message = str(exc)
    if is_htmx():
        return render_template("partials/inside_error.html", message=message, block=block), 400
    model = get_model()
    context = page_context(model, model.network.activation, error=message)
    return render_template("inside.html", **context | reading_context(model, model.network.activation, None, None)), 400


@bp.get("/inside")
def index():
    try:
        values = request.args.to_dict() | {"model": page_model_name(request.args.get("model"))}
        model, activation = choose(values)
        trace, source = trace_for(values, model, activation)
    except BadInput as exc:
        return bad_input(exc, "reading")
    context = page_context(model, activation) | reading_context(model, activation, trace, source)
    return render_template("inside.html", **context)


@bp.post("/inside/read")
def read():
    try:
        model, activation = choose(request.form)
        trace, source = trace_for(request.form, model, activation)
    except BadInput as exc:
        return bad_input(exc, "reading")
    model_changed = is_htmx() and request.form.get("shown_model", model.name) != model.name
    context = page_context(model, activation, model_changed=model_changed)
    context |= reading_context(model, activation, trace, source)
    response = page_or_fragment("inside.html", "partials/inside_reading.html", **context)
    response.headers["HX-Replace-Url"] = page_url(model, activation, source)
    return response


@bp.route("/inside/neuron", methods=["GET", "POST"])
def neuron():
    values = request.values
    try:
        model, activation = choose(values)
        layer, index = neuron_address(values, model)
        trace, source = trace_for(values, model, activation)
        if trace is None:
            raise BadInput(_("Draw a digit first (or pick a test image): a neuron needs an input."))
        detail = charts.neuron(trace, model.network, layer, index)
    except BadInput as exc:
        return bad_input(exc, "neuron-detail")
    context = page_context(model, activation, neuron=detail)
    if not is_htmx():  # the whole page around the detail
        context |= reading_context(model, activation, trace, source)
    return page_or_fragment("inside.html", "partials/inside_neuron.html", **context)


@bp.after_request
def compress(response):
    """gzip the page and its fragments: thousands of similar SVG cells shrink about tenfold, which
    matters while a phone on classroom Wi-Fi gets a new reading every 100 ms of drawing."""
    if (
        response.direct_passthrough
        or response.status_code < 200
        or "Content-Encoding" in response.headers
        or not response.mimetype.startswith("text/")
        or "gzip" not in request.accept_encodings
    ):
        return response
    data = response.get_data()
    if len(data) < 1400:
        return response
    response.set_data(gzip.compress(data, compresslevel=5, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    """Too large a body, an unreadable form ...: the same clear 4xx as any bad input."""
    if exc.code is None or exc.code >= 500:
        return exc
    block = "neuron-detail" if request.endpoint == "inside.neuron" else "reading"
    response = bad_input(BadInput(http_message(exc, current_app.config["MAX_CONTENT_LENGTH"])), block)
    return response[0], exc.code
