"""Lessons 2 to 5: one neuron, the activation functions, softmax, the three-layer network."""

import math

import numpy as np
from flask import request

from nn import Network
from nn import softmax
from nn import softmax_naive
from nn.functions import ACTIVATIONS
from nn.mnist import scale
from web import flow
from web.fields import BadInput
from web.fields import activation_choice
from web.fields import model_choice
from web.fields import real_number
from web.fields import sample_index
from web.filters import fixed
from web.filters import number
from web.i18n import gettext as _
from web.lessons import compute
from web.lessons.pages import chosen_model_name
from web.lessons.pages import lesson_error
from web.lessons.pages import render_lesson
from web.models import all_models
from web.render import shown
from web.samples import test_set

# --- Reading the forms -------------------------------------------------------------------------------

MAX_LOGITS = 20
LOGIT_LIMIT = 1e30  # float32 holds up to about 3.4e38; this leaves room for a - max(a)
LOGIT_LIMIT_TYPED = f"{LOGIT_LIMIT:g}"  # as the field takes it: 1e+30


def parse_logits(text: str) -> np.ndarray:
    """2 to MAX_LOGITS comma-separated finite numbers as float32; BadInput with a clear message else."""
    parts = [part.strip() for part in text.replace("，", ",").split(",")]
    if text.strip() == "":
        raise BadInput(_("Type at least two numbers, separated by commas."))
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise BadInput(_("“%(value)s” is not a number.", value=shown(part))) from None
        if not math.isfinite(value) or abs(value) > LOGIT_LIMIT:
            raise BadInput(
                _(
                    "Each number must be finite and at most %(limit)s in size, not “%(value)s”.",
                    limit=LOGIT_LIMIT_TYPED,
                    value=shown(part),
                )
            )
        values.append(value)
    if len(values) < 2:
        raise BadInput(_("Type at least two numbers, separated by commas."))
    if len(values) > MAX_LOGITS:
        raise BadInput(
            _(
                "At most %(limit)s numbers, please; you typed %(count)s.",
                limit=number(MAX_LOGITS),
                count=number(len(values)),
            )
        )
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
        values = {
            name: real_number(request.args, name, low, high, default)
            for name, (default, low, high) in NEURON_FIELDS.items()
        }
        activation = activation_choice(request.args.get("h", "sigmoid"))
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
        a=fixed(a),
        y=fixed(y),
        y_exact=compute.exact(y),
        plane=compute.neuron_plane(w, values["b"], activation, x),
        code=[compute.source(compute.neuron_output), compute.source(ACTIVATIONS[activation])],
    )
    return render_lesson("neuron", "learn/neuron.html", "learn/_neuron_result.html", replace_url=True, **context)


def activations():
    try:
        x = real_number(request.args, "x", -6.0, 6.0, 1.0)
        c = real_number(request.args, "c", -10.0, 10.0, 2.0)
        x_collapse = real_number(request.args, "cx", -1000.0, 1000.0, 3.0)
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
        functions=compute.CHAPTER_ORDER,
        code=[compute.source(ACTIVATIONS[name]) for name in compute.CHAPTER_ORDER],
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
        return lesson_error("softmax", "softmax-result", exc, "learn/softmax.html", logits=text)
    context = dict(
        logits=text,
        table=compute.softmax_table(a),
        code=[compute.source(softmax_naive), compute.source(softmax), compute.source(compute.softmax_steps)],
    )
    return render_lesson("softmax", "learn/softmax.html", "learn/_softmax_result.html", replace_url=True, **context)


def network():
    try:
        model = model_choice(chosen_model_name())
        sample = sample_index(request.args.get("sample")) or 0
    except BadInput as exc:
        return lesson_error("network", "network-result", exc)
    images, labels = test_set()
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
