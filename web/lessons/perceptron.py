"""The first lesson, from perceptron to network: the book's AND, OR and NAND gates as one neuron
with hand-set weights, their truth tables computed with the step function and with the sigmoid,
why a network must learn its weights from data, and the layers as the book numbers them."""

import numpy as np
from flask import request

from nn.functions import sigmoid
from nn.functions import step_function
from web.fields import BadInput
from web.fields import model_choice
from web.fields import real_number
from web.i18n import gettext as _
from web.lessons import compute
from web.lessons import gates
from web.lessons.pages import chapter_model_name
from web.lessons.pages import lesson_error
from web.lessons.pages import render_lesson

WEIGHT_RANGE = (-1.0, 1.0)
FIELDS = ("w1", "w2", "b")


def chosen_gate() -> str:
    gate = request.args.get("gate", "and")
    if gate not in gates.GATES:
        raise BadInput(_("Choose one of the gates AND, OR and NAND."))
    return gate


def perceptron():
    """?gate= alone: the book's weights of that gate; with w1, w2, b: the neuron the sliders set."""
    try:
        gate = chosen_gate()
        (w1, w2), b = gates.gate_weights(gate)
        book = dict(w1=w1, w2=w2, b=b)
        values = {name: real_number(request.args, name, *WEIGHT_RANGE, book[name]) for name in FIELDS}
    except BadInput as exc:
        return lesson_error("perceptron", "perceptron-result", exc)
    w = np.array([values["w1"], values["w2"]], dtype=np.float32)
    model = model_choice(chapter_model_name())
    context = dict(
        gate=gate,
        gate_names=list(gates.GATES),
        values=values,
        book=book,
        shown={name: compute.slider(value) for name, value in values.items()},
        weight_range=WEIGHT_RANGE,
        table=gates.gate_table(gate, w, np.float32(values["b"])),
        model=model,
        parameters=gates.parameter_count(model.network.params),
        columns=gates.layer_columns(model.network.sizes),
        code=[
            compute.source(gates.gate_weights),
            compute.source(gates.truth_table),
            compute.source(compute.neuron_output),
            compute.source(step_function),
            compute.source(sigmoid),
        ],
    )
    sliders = "w1" in request.args  # the sliders' form; a gate's link sends the gate alone
    fragment = "learn/_perceptron_result.html" if sliders else "learn/_perceptron_body.html"
    return render_lesson("perceptron", "learn/perceptron.html", fragment, replace_url=True, **context)
