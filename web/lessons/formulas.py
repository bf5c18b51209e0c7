"""The chapter's formulas as mathematics: MathML, which browsers draw themselves (no script, no
font or file from another host), written from LaTeX by latex2mathml once per formula and process.

Each formula has a text alternative, a sentence in the page's language that a screen reader reads
instead of the symbols (`aria-label`, and MathML's own `alttext`). Templates write
`{{ formula("sigmoid") }}`; a formula built from a model's numbers (the layers of a network) is
`{{ math(latex, text) }}` with its text already translated.
"""

import functools
import re

from latex2mathml.converter import convert
from markupsafe import Markup
from markupsafe import escape

from web.i18n import N_
from web.i18n import gettext as _

FORMULAS = {  # name: (LaTeX, text alternative in English, translated when shown)
    "perceptron": (
        r"y = \begin{cases} 0 & (b + w_1 x_1 + w_2 x_2 \le 0) \\ 1 & (b + w_1 x_1 + w_2 x_2 > 0) \end{cases}",
        N_("y is 0 when b plus w1 times x1 plus w2 times x2 is at most 0, and 1 when it is above 0."),
    ),
    "neuron": (
        r"a = b + w_1 x_1 + w_2 x_2, \quad y = h(a)",
        N_("a equals b plus w1 times x1 plus w2 times x2, and y equals h of a."),
    ),
    "step": (
        r"h(x) = \begin{cases} 0 & (x \le 0) \\ 1 & (x > 0) \end{cases}",
        N_("The step function: h of x is 0 when x is at most 0, and 1 when x is above 0."),
    ),
    "sigmoid": (
        r"h(x) = \frac{1}{1 + \exp({-x})}",
        N_("The sigmoid function: h of x equals 1 over 1 plus exp of minus x."),
    ),
    "relu": (
        r"h(x) = \begin{cases} x & (x > 0) \\ 0 & (x \le 0) \end{cases}",
        N_("The ReLU function: h of x is x when x is above 0, and 0 when x is at most 0."),
    ),
    "identity": (
        r"h(x) = x",
        N_("The identity function: h of x equals x."),
    ),
    "softmax": (
        r"y_k = \frac{\exp(a_k)}{\sum_{i=1}^{n} \exp(a_i)}",
        N_("y k equals exp of a k over the sum, for i from 1 to n, of exp of a i."),
    ),
    "softmax_c": (
        r"\begin{array}{rl} y_k & = \frac{\exp(a_k)}{\sum_{i=1}^{n} \exp(a_i)}"
        r" \\ & = \frac{C \exp(a_k)}{C \sum_{i=1}^{n} \exp(a_i)}"
        r" \\ & = \frac{\exp(a_k + \log\,C)}{\sum_{i=1}^{n} \exp(a_i + \log\,C)}"
        r" \\ & = \frac{\exp(a_k + C')}{\sum_{i=1}^{n} \exp(a_i + C')} \end{array}",
        N_(
            "Multiply the top and the bottom of the fraction by the same constant C: y k does not change. C times "
            "exp of a k is exp of a k plus log C, so y k equals exp of a k plus C prime over the sum of exp of a i "
            "plus C prime, for any constant C prime."
        ),
    ),
    "softmax_max": (
        r"\begin{array}{l} C' = {-\mathrm{max}(a)} \\ \Rightarrow \quad a_i + C' = a_i - \mathrm{max}(a) \le 0"
        r" \\ \Rightarrow \quad 0 < \exp(a_i + C') \le 1 \end{array}",
        N_(
            "With C prime equal to minus the largest score, every a i plus C prime is at most 0, so every exp lies "
            "between 0 and 1 and cannot overflow."
        ),
    ),
    "affine": (
        r"A = XW + B",
        N_("A equals X times W plus B."),
    ),
}

OPENING = re.compile(r"^<math [^>]*>")


@functools.cache
def mathml(latex: str, display: str) -> str:
    """latex2mathml's MathML for `latex` without its opening tag, converted once per process."""
    return OPENING.sub("", convert(latex, display=display))


def math(latex: str, text: str, display: str = "block") -> Markup:
    """A formula as MathML, named by `text` (already in the page's language) for screen readers."""
    label = escape(text)
    opening = f'<math display="{display}" class="math-formula" alttext="{label}" aria-label="{label}">'
    return Markup(opening + mathml(latex, display))


def formula(name: str, display: str = "block") -> Markup:
    """One of FORMULAS as MathML with its text alternative in the page's language."""
    latex, text = FORMULAS[name]
    return math(latex, _(text), display)


def layer_formula(index: int, last: bool) -> Markup:
    """Layer `index` of a network as the book writes it: A⁽ⁱ⁾ = Z⁽ⁱ⁻¹⁾W⁽ⁱ⁾ + B⁽ⁱ⁾ (X for the first
    layer), then Z⁽ⁱ⁾ = h(A⁽ⁱ⁾), or at the output Y = σ(A⁽ⁱ⁾) (σ: the output layer's function)."""
    before, before_text = ("X", "X") if index == 1 else (f"Z^{{({index - 1})}}", f"Z{index - 1}")
    out = "Y = \\sigma" if last else f"Z^{{({index})}} = h"
    weighted_sum = f"A^{{({index})}} = {before} W^{{({index})}} + B^{{({index})}}"
    latex = f"\\begin{{array}}{{l}} {weighted_sum} \\\\ {out}(A^{{({index})}}) \\end{{array}}"  # two lines
    sum_text = _("A%(n)s equals %(input)s times W%(n)s plus B%(n)s.", n=index, input=before_text)
    out_text = _("Y equals sigma of A%(n)s.", n=index) if last else _("Z%(n)s equals h of A%(n)s.", n=index)
    return math(latex, f"{sum_text} {out_text}", display="inline")
