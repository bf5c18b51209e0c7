"""Lessons 1 to 4: one neuron, the activation functions, softmax, the three-layer network."""

import math

import numpy as np
from flask import render_template
from flask import request

from nn import Network
from nn import softmax
from nn import softmax_naive
from nn.functions import ACTIVATIONS
from nn.mnist import scale
from web import flow
from web.i18n import gettext as _
from web.lessons import compute
from web.lessons.pages import chosen_model_name
from web.lessons.pages import lesson_context
from web.lessons.pages import lesson_error
from web.lessons.pages import render_lesson
from web.models import UnknownModel
from web.models import all_models
from web.models import get_model
from web.render import is_htmx
from web.samples import test_set

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


# --- The lessons -------------------------------------------------------------------------------------

NEURON_FIELDS = {  # name: (default, low, high); the book's AND perceptron: w = (0.5, 0.5), b = -0.7
    "x1": (1.0, -2.0, 2.0),
    "x2": (0.5, -2.0, 2.0),
    "w1": (0.5, -2.0, 2.0),
    "w2": (0.5, -2.0, 2.0),
    "b": (-0.7, -3.0, 3.0),
}


def neuron():
    try:
        values = {name: field_number(name, *limits) for name, limits in NEURON_FIELDS.items()}
        activation = field_activation("sigmoid")
    except BadInput as exc:
        return lesson_error("neuron", "neuron-result", exc)
    x = np.array([values["x1"], values["x2"]], dtype=np.float32)
    w = np.array([values["w1"], values["w2"]], dtype=np.float32)
    a, y = compute.neuron_output(x, w, np.float32(values["b"]), ACTIVATIONS[activation])
    context = dict(
        values=values,
        shown={name: compute.slider(value) for name, value in values.items()},
        fields=NEURON_FIELDS,
        activation=activation,
        activations=ACTIVATIONS,
        a=compute.number(a),
        y=compute.number(y),
        y_exact=compute.exact(y),
        plane=compute.neuron_plane(w, values["b"], activation, x),
        code=[compute.source(compute.neuron_output), compute.source(ACTIVATIONS[activation])],
    )
    return render_lesson("neuron", "learn/neuron.html", "learn/_neuron_result.html", replace_url=True, **context)


def activations():
    try:
        x = field_number("x", 1.0, -6.0, 6.0)
        c = field_number("c", 2.0, -10.0, 10.0)
        x_collapse = field_number("cx", 3.0, -1000.0, 1000.0)
    except BadInput as exc:
        block = "collapse-result" if request.args.get("part") == "collapse" else "activation-values"
        return lesson_error("activations", block, exc)
    three, one = compute.linear_layers(c, x_collapse)
    context = dict(
        x=x,
        x_shown=compute.slider(x),
        markers=compute.activation_markers(x),
        plot=compute.activation_plot(),
        c=c,
        cx=x_collapse,
        three=compute.collapsed(three),
        one=compute.collapsed(one),
        code=[compute.source(h) for h in ACTIVATIONS.values()],
        collapse_code=compute.source(compute.linear_layers),
    )
    fragment = "learn/_collapse.html" if request.args.get("part") == "collapse" else "learn/_activation_values.html"
    return render_lesson("activations", "learn/activations.html", fragment, **context)


DEFAULT_LOGITS = "0.3, 2.9, 4.0"  # the book's example


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
        table=compute.softmax_table(a),
        code=[compute.source(softmax_naive), compute.source(softmax)],
    )
    return render_lesson("softmax", "learn/softmax.html", "learn/_softmax_result.html", replace_url=True, **context)


def field_sample(count: int) -> int:
    """The MNIST test image asked for (0 when none); BadInput unless a whole number in range."""
    value = field_number("sample", 0.0, 0, count - 1)
    if not value.is_integer():
        raise BadInput("sample: " + _("not a whole number") + f" ({value:g})")
    return int(value)


def network():
    images, labels = test_set()
    try:
        model = get_model(chosen_model_name())
        sample = field_sample(len(labels))
    except (UnknownModel, BadInput) as exc:
        return lesson_error("network", "network-result", BadInput(str(exc)))
    x = scale(images[sample]).reshape(1, 784)
    trace = model.network.forward(x)
    context = dict(
        models=all_models(),
        model=model,
        sample=sample,
        sample_count=len(labels),
        layers=compute.network_layers(model.network, trace),
        flow=flow.flow(trace, model.network, model.network.activation),
        digit=int(np.argmax(trace.y[0])),
        label=int(labels[sample]),
        code=[compute.source(Network.forward)],
    )
    return render_lesson("network", "learn/network.html", "learn/_network_result.html", replace_url=True, **context)
