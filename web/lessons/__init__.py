"""The lessons: the chapter's ideas, one page each, under /learn. Every route is listed here, in
chapter order; the views live in perceptron.py (lesson 1), basics.py (2-5) and data.py (6-7, the
whole test set), what they share in pages.py, the numbers they show in compute.py and gates.py,
their formulas in formulas.py."""

from flask import Blueprint

from web.lessons import basics
from web.lessons import data
from web.lessons import formulas
from web.lessons import pages
from web.lessons import perceptron

bp = Blueprint("learn", __name__, url_prefix="/learn")
bp.add_url_rule("", view_func=pages.index)
bp.add_url_rule("/perceptron", view_func=perceptron.perceptron)
bp.add_url_rule("/neuron", view_func=basics.neuron)
bp.add_url_rule("/activations", view_func=basics.activations)
bp.add_url_rule("/softmax", "softmax", view_func=basics.softmax_lesson)
bp.add_url_rule("/network", view_func=basics.network)
bp.add_url_rule("/batches", view_func=data.batches)
bp.add_url_rule("/batches/run", view_func=data.batches_run, methods=["POST"])
bp.add_url_rule("/test-set", view_func=data.test_set)
for template_global in (
    pages.lesson_url,
    pages.activation_label,
    pages.code_name,
    formulas.formula,
    formulas.math,
    formulas.layer_formula,
):
    bp.add_app_template_global(template_global)
