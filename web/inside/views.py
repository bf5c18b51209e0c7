"""The inside page: every number the network computes for one input, as charts.

GET /inside renders the page (?sample=N: MNIST test image N; else the canvas posts the drawing).
POST /inside/read answers the reading fragment for a drawing (`image`) or a sample (`sample`),
with `model` and `activation` (the "what if" switch). /inside/neuron answers one neuron's detail
(`layer`, `neuron` plus the same fields). Bad input answers 400 with a message, never 500.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint
from flask import Request
from flask import current_app
from flask import request
from flask import url_for
from werkzeug.exceptions import HTTPException

from nn import Model
from nn import Trace
from nn.mnist import scale
from preprocess import PreprocessError
from web import charts
from web import flow
from web.class_store import class_drawing
from web.errors import error_response
from web.errors import http_message
from web.fields import BadInput
from web.fields import activation_choice
from web.fields import image_bytes
from web.fields import model_choice
from web.fields import sample_index
from web.fields import whole_number
from web.i18n import gettext as _
from web.inside.neuron import neuron as neuron_detail
from web.inside.view_switch import chosen_view
from web.inside.view_switch import remember_view
from web.models import all_models
from web.models import page_model_name
from web.reading import read_drawing
from web.render import is_htmx
from web.render import page_or_fragment
from web.samples import test_set
from web.terms import activation_names

bp = Blueprint("inside", __name__)
bp.after_request(remember_view)
PAGE, READING, NEURON, ERROR = "inside/index.html", "inside/reading.html", "inside/neuron.html", "inside/error.html"


@dataclass(frozen=True)
class Query:
    """One request to the page, parsed and checked once: which network, on which input, and for
    /inside/neuron which neuron (1-based layer, checked against the network's sizes)."""

    model: Model
    activation: str
    model_changed: bool  # the user just picked this model: it starts with its own activation
    sample: int | None  # MNIST test image, or None for the drawing
    image: bytes | None  # the drawing; None when none was sent (a GET, or "" for the empty canvas)
    layer: int | None = None
    neuron: int | None = None
    class_code: str | None = None  # a class's drawing, opened from its board: its stored input
    stored: object | None = None


@dataclass
class Source:
    """Where the input came from: the user's drawing or MNIST test image `sample` (with `label`)."""

    sample: int | None = None
    label: int | None = None
    plain_digit: int | None = None  # a drawing also goes through as a plain resize (row 1)
    class_code: str | None = None  # a drawing of a class (its id in `drawing`, meant as `label`)
    drawing: int | None = None


CODE_NAMES = {"step": "step_function", "sigmoid": "sigmoid", "relu": "relu", "identity": "identity_function"}


def parse(req: Request, *, remembered_model: bool = False, neuron: bool = False) -> Query:
    """The request's fields (query string and form) as a Query; BadInput for anything unusable.
    remembered_model: no `model` asked for means the one last picked on either page."""
    values = req.values
    model = model_choice(page_model_name(values.get("model")) if remembered_model else values.get("model"))
    model_changed = values.get("shown_model", model.name) != model.name
    own = model.network.activation
    activation = own if model_changed else activation_choice(values.get("activation") or own)
    layer, index = neuron_address(values, model) if neuron else (None, None)
    sample = sample_index(values.get("sample"))
    image, class_code, stored = None, None, None
    if sample is None and values.get("class") and values.get("drawing"):
        class_code = values["class"].strip().upper()
        try:
            stored = class_drawing(class_code, whole_number(values, "drawing"))
        except LookupError as exc:
            raise BadInput(str(exc)) from exc
    elif sample is None and req.method == "POST" and values.get("image") != "":
        image = image_bytes(req)
    return Query(model, activation, model_changed, sample, image, layer, index, class_code, stored)


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


def trace_for(query: Query) -> tuple:
    """(trace, source) for the query's sample or drawing; (None, None) without one or for a blank
    drawing. PreprocessError for a drawing that cannot be read."""
    if query.sample is not None:
        images, labels = test_set()
        x = scale(images[query.sample]).reshape(1, 784)
        return query.model.network.forward(x, query.activation), Source(query.sample, int(labels[query.sample]))
    if query.stored is not None:  # the very input the board's reading came from
        source = Source(label=query.stored.intended, class_code=query.class_code, drawing=query.stored.id)
        return query.model.network.forward(query.stored.x.reshape(1, 784), query.activation), source
    if query.image is None:
        return None, None
    reading = read_drawing(query.image, query.model, query.activation, compare_plain=True)
    if reading.blank:
        return None, None
    return reading.trace, Source(plain_digit=reading.plain_digit)


def page_url(query: Query) -> str:
    """The address of what the page shows, for the history: reloading it shows it again."""
    model = query.model
    params = {"model": model.name}
    if query.activation != model.network.activation:
        params["activation"] = query.activation
    if query.sample is not None:
        params["sample"] = query.sample
    if query.stored is not None:
        params |= {"class": query.class_code, "drawing": query.stored.id}
    if chosen_view() == "flow":
        params["view"] = "flow"
    return url_for("inside.index") + "?" + urlencode(params)


def reading_context(model: Model, activation: str, trace: Trace | None, source: Source | None, view: str) -> dict:
    context = dict(source=source, trace=trace, path=None, view=view)
    if trace is not None:
        context.update(
            path=charts.path(trace, model.network, activation),
            input_rows=charts.input_table(trace),
            softmax=charts.softmax_steps(trace.a[-1][0]),
            answers=charts.answers_by_activation(model.network, trace.x[0], activation, list(CODE_NAMES)),
        )
        if view == "flow":
            context["flow"] = flow.flow(trace, model.network, activation)
    return context


def page_context(query: Query | None) -> dict:
    """What the page needs around its reading; without a query (it could not be parsed) the
    page shows the default model."""
    model = query.model if query else model_choice()
    labels = test_set()[1]
    return dict(
        models=all_models(),
        model=model,
        activation=query.activation if query else model.network.activation,
        activations=activation_names(),
        code_names=CODE_NAMES,
        plot=charts.activation_plot(),
        sample_count=len(labels),
        sample_links=charts.first_of_each_digit(labels),
        error=None,
        model_changed=False,
        view=chosen_view(),
    )


def respond(
    fragment: str,
    query: Query | None = None,
    trace: Trace | None = None,
    source: Source | None = None,
    status: int = 200,
    **context,
):
    """Every answer of the page: `fragment` alone for htmx, else the whole page around it (the
    reading's charts computed only when they are rendered)."""
    context = page_context(query) | context
    if not is_htmx() or fragment == READING:
        context |= reading_context(context["model"], context["activation"], trace, source, context["view"])
    return page_or_fragment(PAGE, fragment, status=status, **context)


def bad_input(error: Exception | str, block: str, status: int = 400):
    """The message in place of `block` ("reading" or "neuron-detail") for htmx, else the page."""
    context = page_context(None)
    context |= reading_context(context["model"], context["activation"], None, None, context["view"])
    return error_response(error, status, PAGE, ERROR, block=block, **context)


@bp.get("/inside")
def index():
    try:
        query = parse(request, remembered_model=True)
        trace, source = trace_for(query)
    except (BadInput, PreprocessError) as exc:
        return bad_input(exc, "reading")
    return respond(READING, query, trace, source)


@bp.post("/inside/read")
def read():
    try:
        query = parse(request)
        trace, source = trace_for(query)
    except (BadInput, PreprocessError) as exc:
        return bad_input(exc, "reading")
    response = respond(READING, query, trace, source, model_changed=is_htmx() and query.model_changed)
    response.headers["HX-Replace-Url"] = page_url(query)
    return response


@bp.route("/inside/neuron", methods=["GET", "POST"])
def neuron():
    try:
        query = parse(request, neuron=True)
        trace, source = trace_for(query)
        if trace is None:
            raise BadInput(_("Draw a digit first (or pick a test image): a neuron needs an input."))
    except (BadInput, PreprocessError) as exc:
        return bad_input(exc, "neuron-detail")
    detail = neuron_detail(trace, query.model.network, query.layer, query.neuron)
    return respond(NEURON, query, trace, source, neuron=detail)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    """Too large a body, an unreadable form ...: the same clear 4xx as any bad input."""
    if exc.code is None or exc.code >= 500:
        return exc
    block = "neuron-detail" if request.endpoint == "inside.neuron" else "reading"
    return bad_input(http_message(exc, current_app.config["MAX_CONTENT_LENGTH"]), block, exc.code)
