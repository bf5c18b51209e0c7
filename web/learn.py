"""The chapter's ideas, one lesson page each, under /learn, in the chapter's order.

How a lesson is added (lessons may live in other modules, e.g. web/learn_data.py):
1. Register its view on this blueprint: `from web.learn import bp`, then `@bp.get("/<slug>")`
   with a function named after the slug (dashes become underscores), so its endpoint is
   `learn.<function name>`. Import that module in create_app before `app.register_blueprint(
   learn.bp)` (importing it registers the routes; only `web.learn.bp` is registered on the app):
   `from web import learn_data  # noqa: F401  (registers /learn/batches and /learn/test-set)`.
2. Its entry (slug, endpoint, title) is already in LESSONS below, in chapter order; the index,
   the previous/next links and the ← / → keys of presenter mode follow that list.
3. Its template extends "learn/lesson.html" (fill block `lesson_body`) and gets
   `lesson=lesson_context("<slug>")`: the title, the previous/next links and the breadcrumb.
   `render_lesson("<slug>", "learn/<slug>.html", "learn/_<part>.html", **context)` does that
   and answers htmx requests with the fragment alone (the third argument is optional).
4. Put the template in templates/learn/, its strings' Korean in web/translations/ko/<area>.json.
"""

import math
from typing import NamedTuple

import numpy as np
from flask import Blueprint
from flask import make_response
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.routing import BuildError

from nn import Network
from nn import softmax
from nn import softmax_naive
from nn.functions import ACTIVATIONS
from web import lesson_math
from web.i18n import N_
from web.i18n import gettext as _
from web.inside import activation_names
from web.models import UnknownModel
from web.models import all_models
from web.models import default_model_name
from web.models import get_model
from web.models import page_model_name
from web.render import is_htmx
from web.samples import test_set

bp = Blueprint("learn", __name__, url_prefix="/learn")


class Lesson(NamedTuple):
    slug: str
    endpoint: str
    title: str  # English, marked with N_ for extraction; templates translate it with _()


LESSONS = [
    Lesson("neuron", "learn.neuron", N_("One neuron")),
    Lesson("activations", "learn.activations", N_("Activation functions")),
    Lesson("softmax", "learn.softmax", N_("Softmax at the output")),
    Lesson("network", "learn.network", N_("A three-layer network")),
    Lesson("batches", "learn.batches", N_("Batch processing")),
    Lesson("test-set", "learn.test_set", N_("The test set, digit by digit")),
]


def lesson_context(slug: str) -> dict:
    """The lesson, its number (from 1) and its neighbours in chapter order (None at the ends)."""
    index = next(i for i, lesson in enumerate(LESSONS) if lesson.slug == slug)
    return dict(
        lesson=LESSONS[index],
        number=index + 1,
        previous=LESSONS[index - 1] if index > 0 else None,
        next=LESSONS[index + 1] if index + 1 < len(LESSONS) else None,
        total=len(LESSONS),
    )


def render_lesson(slug: str, page: str, fragment: str | None = None, replace_url: bool = False, **context):
    """The lesson page, or for htmx only its fragment (the block the form swaps, with the
    out-of-band bits `oob` asks for); `replace_url`: the address bar follows the form, so a
    reload shows the same. Vary on HX-Request so caches keep both."""
    htmx = fragment is not None and is_htmx()
    body = render_template(fragment if htmx else page, lesson=lesson_context(slug), oob=htmx, **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    if htmx and replace_url:
        response.headers["HX-Replace-Url"] = request.full_path
    return response


@bp.app_template_global()
def lesson_url(lesson: Lesson) -> str | None:
    """The lesson's address, or None while its view is not registered (listed, not linked)."""
    try:
        return url_for(lesson.endpoint)
    except BuildError:
        return None


@bp.app_template_global()
def activation_label(name: str) -> str:
    """The activation's name in the page's language (the book's terms)."""
    return activation_names()[name]


@bp.app_template_global()
def code_name(name: str) -> str:
    """The activation's function name in nn.functions, as the code panel shows it."""
    return ACTIVATIONS[name].__name__


@bp.get("")
def index():
    return render_template("learn/index.html", lessons=LESSONS)


# --- Reading the forms -------------------------------------------------------------------------------


class BadInput(ValueError):
    """A field the lesson cannot use; the message (translated) says which and why."""


def field_number(name: str, default: float, low: float, high: float) -> float:
    """A number from the query string, default when absent; BadInput when not a number in range."""
    text = request.args.get(name, "").strip()
    if text == "":
        return default
    try:
        value = float(text)
    except ValueError:
        raise BadInput(f"{name}: " + _("not a number") + f" ({text[:40]})") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise BadInput(f"{name}: " + _("allowed range:") + f" {low:g} … {high:g}") from None
    return value


def field_activation(default: str) -> str:
    name = request.args.get("h", default)
    if name not in ACTIVATIONS:
        raise BadInput("h: " + _("choose one of") + " " + ", ".join(ACTIVATIONS))
    return name


MAX_LOGITS = 20
LOGIT_LIMIT = 1e30  # float32 holds up to about 3.4e38; this leaves room for a - max(a)


def parse_logits(text: str) -> np.ndarray:
    """2 to 20 comma-separated finite numbers as float32; BadInput with a clear message else."""
    parts = [part.strip() for part in text.replace("，", ",").split(",")]
    if text.strip() == "":
        raise BadInput(_("Type at least two numbers, separated by commas."))
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise BadInput(_("Not a number:") + f" “{part[:40]}”") from None
        if not math.isfinite(value) or abs(value) > LOGIT_LIMIT:
            raise BadInput(_("Each number must be finite and at most 1e30 in size:") + f" “{part[:40]}”")
        values.append(value)
    if len(values) < 2:
        raise BadInput(_("Type at least two numbers, separated by commas."))
    if len(values) > MAX_LOGITS:
        raise BadInput(_("At most 20 numbers, please. Numbers typed:") + f" {len(values)}")
    return np.array(values, dtype=np.float32)


CHAPTER_MODEL = "book"  # the chapter's own 784-50-100-10 weights, when shipped


def chosen_model_name() -> str:
    """The model asked for, else the chapter's own, else the one last picked, else the default."""
    asked = request.args.get("model")
    if not asked and CHAPTER_MODEL in all_models():
        return CHAPTER_MODEL
    return page_model_name(asked) or default_model_name()


# --- The lessons -------------------------------------------------------------------------------------

NEURON_FIELDS = {  # name: (default, low, high); the book's AND perceptron: w = (0.5, 0.5), b = -0.7
    "x1": (1.0, -2.0, 2.0),
    "x2": (0.5, -2.0, 2.0),
    "w1": (0.5, -2.0, 2.0),
    "w2": (0.5, -2.0, 2.0),
    "b": (-0.7, -3.0, 3.0),
}


@bp.get("/neuron")
def neuron():
    try:
        values = {name: field_number(name, *limits) for name, limits in NEURON_FIELDS.items()}
        activation = field_activation("sigmoid")
    except BadInput as exc:
        return lesson_error("neuron", "neuron-result", exc)
    x = np.array([values["x1"], values["x2"]], dtype=np.float32)
    w = np.array([values["w1"], values["w2"]], dtype=np.float32)
    a, y = lesson_math.neuron_output(x, w, np.float32(values["b"]), ACTIVATIONS[activation])
    context = dict(
        values=values,
        shown={name: lesson_math.slider(value) for name, value in values.items()},
        fields=NEURON_FIELDS,
        activation=activation,
        activations=ACTIVATIONS,
        a=lesson_math.number(a),
        y=lesson_math.number(y),
        y_exact=lesson_math.exact(y),
        plane=lesson_math.neuron_plane(w, values["b"], activation, x),
        code=[lesson_math.source(lesson_math.neuron_output), lesson_math.source(ACTIVATIONS[activation])],
    )
    return render_lesson("neuron", "learn/neuron.html", "learn/_neuron_result.html", replace_url=True, **context)


@bp.get("/activations")
def activations():
    try:
        x = field_number("x", 1.0, -6.0, 6.0)
        c = field_number("c", 2.0, -10.0, 10.0)
        x_collapse = field_number("cx", 3.0, -1000.0, 1000.0)
    except BadInput as exc:
        block = "collapse-result" if request.args.get("part") == "collapse" else "activation-values"
        return lesson_error("activations", block, exc)
    three, one = lesson_math.linear_layers(c, x_collapse)
    context = dict(
        x=x,
        x_shown=lesson_math.slider(x),
        markers=lesson_math.activation_markers(x),
        plot=lesson_math.activation_plot(),
        c=c,
        cx=x_collapse,
        three=lesson_math.collapsed(three),
        one=lesson_math.collapsed(one),
        code=[lesson_math.source(h) for h in ACTIVATIONS.values()],
        collapse_code=lesson_math.source(lesson_math.linear_layers),
    )
    fragment = "learn/_collapse.html" if request.args.get("part") == "collapse" else "learn/_activation_values.html"
    return render_lesson("activations", "learn/activations.html", fragment, **context)


DEFAULT_LOGITS = "0.3, 2.9, 4.0"  # the book's example


@bp.get("/softmax", endpoint="softmax")
def softmax_lesson():
    text = request.args.get("logits", DEFAULT_LOGITS)
    try:
        a = parse_logits(text)
    except BadInput as exc:
        if is_htmx():
            return render_template("learn/_error.html", block="softmax-result", message=str(exc)), 400
        context = dict(lesson=lesson_context("softmax"), logits=text, error=str(exc), oob=False)
        return render_template("learn/softmax.html", **context), 400
    context = dict(
        logits=text,
        table=lesson_math.softmax_table(a),
        code=[lesson_math.source(softmax_naive), lesson_math.source(softmax)],
    )
    return render_lesson("softmax", "learn/softmax.html", "learn/_softmax_result.html", replace_url=True, **context)


@bp.get("/network")
def network():
    try:
        model = get_model(chosen_model_name())
    except UnknownModel as exc:
        return lesson_error("network", "network-result", BadInput(str(exc)))
    images, labels = test_set()
    x = images[0].reshape(784).astype(np.float32) / 255.0
    trace = model.network.forward(x)
    context = dict(
        models=all_models(),
        model=model,
        layers=lesson_math.network_layers(model.network, trace),
        columns=lesson_math.network_diagram(model.network.sizes),
        digit=int(np.argmax(trace.y[0])),
        label=int(labels[0]),
        image=images[0] / 255.0,
        code=[lesson_math.source(Network.forward)],
    )
    return render_lesson("network", "learn/network.html", "learn/_network_result.html", replace_url=True, **context)


def lesson_error(slug: str, block: str, exc: Exception, **context):
    """400: the message in place of the block for htmx (htmx 4 swaps it), else the page with it."""
    if is_htmx():
        return render_template("learn/_error.html", block=block, message=str(exc)), 400
    return render_template("learn/error.html", lesson=lesson_context(slug), message=str(exc), **context), 400
