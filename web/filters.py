"""How numbers read on the pages: one function each, registered as Jinja filters by init_app
(`{{ p|percent }}`, `{{ n|number }}`, `{{ w|short }}`); web/charts.py and web/errors.py call the
same functions for text they build. No template formats a number itself.

`percent` and `number` write the page's language (Babel). A probability reads with one decimal
everywhere: 99.7%, and never a misleading 0.0% or 100.0% for a value that is not exactly 0 or 1
(<0.1%, >99.9%). `fixed` writes a lesson's values to 4 decimals, yet never a small probability
as 0 (4.54 × 10⁻⁵) nor a large one as 1 (0.99995). `short` and `exact` are the charts' values,
for the thousands of cells prepared at once: plain digits and a dot, which English and Korean
write alike. Numbers that are markup rather than text (SVG coordinates and widths, data-value
attributes) do not go through a filter.
"""

import functools
import math

import numpy as np
from babel import Locale
from babel.numbers import format_decimal
from babel.numbers import format_percent
from babel.numbers import parse_pattern
from flask import Flask
from flask import has_request_context
from flask_babel import get_locale

from preprocess import to_png
from web.render import data_uri


def locale() -> str:
    """The page's locale inside a request (Flask-Babel), English outside one (scripts, tests)."""
    return str(get_locale() or "en") if has_request_context() else "en"


def percent(p: float, decimals: int = 1) -> str:
    """A share from 0 to 1 as a percentage with `decimals` decimals; a value that would round to
    0 or 100 without being 0 or 1 shows as "<0.1%" or ">99.9%"."""
    p = float(p)
    language = locale()
    text = format_percent(p, _percent_pattern(decimals), locale=_locale(language))
    if 0 < p < 1:
        zero, one, below, above = _percent_ends(decimals, language)
        if text in (zero, one):
            return below if p < 0.5 else above
    return text


@functools.cache
def _percent_pattern(decimals: int):
    """Babel's parsed pattern for a percentage with `decimals` decimals (parsed once, not per number)."""
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else "") + "%")


@functools.cache
def _locale(language: str) -> Locale:
    """Babel's Locale of a language code, parsed once (Babel parses a code on every call)."""
    return Locale.parse(language)


@functools.cache
def _percent_ends(decimals: int, language: str) -> tuple:
    """How 0 and 1 read with `decimals` decimals, and what a share that reads as one of them
    without being it shows instead ("<0.1%", ">99.9%"): the same four texts for every
    probability of a page, made once a language."""
    step = 10.0 ** -(decimals + 2)  # the smallest share the pattern shows: 0.001 for one decimal
    zero, one, below, above = (
        format_percent(value, _percent_pattern(decimals), locale=_locale(language)) for value in (0, 1, step, 1 - step)
    )
    return zero, one, "<" + below, ">" + above


def number(value: float, decimals: int | None = None) -> str:
    """A number with the locale's grouping (10,000); `decimals` fixes the decimals shown."""
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, pattern, locale=_locale(locale()))


def short(value: float) -> str:
    """A chart value for reading at a glance: 4 significant digits (nan and inf as NumPy prints them)."""
    value = float(value)
    if value == 0:
        return "0"
    return f"{value:.4g}"


SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def fixed(value: float, decimals: int = 4, whole: bool = False) -> str:
    """A value with `decimals` decimals, never misleading: a value that would read as 0 without
    being 0 is written in scientific notation (4.54 × 10⁻⁵), one that would read as a whole
    number it is not gets the decimals it needs (0.99995, not 1.0000) unless `whole` (a sum of
    probabilities, 1.0000 up to float rounding); nan and inf as NumPy names them; no -0."""
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return "nan" if math.isnan(value) else "inf" if value > 0 else "-inf"
    text = f"{value + 0.0:.{decimals}f}"
    if value != 0 and float(text) == 0:
        return scientific(value)
    nearest = round(value)
    more = decimals
    while not whole and value != nearest and float(text) == nearest and more < 9:
        more += 1
        text = f"{value:.{more}f}"
    return text


def scientific(value: float, digits: int = 3) -> str:
    """4.54 × 10⁻⁵: `digits` significant digits, the power as a superscript."""
    mantissa, power = f"{float(value):.{digits - 1}e}".split("e")
    return f"{mantissa} × 10{str(int(power)).translate(SUPERSCRIPT)}"


def is_rounded_away(value: float, decimals: int = 4) -> bool:
    """Whether `decimals` decimals alone would show the value as 0 or as a whole number it is not
    (the page then writes it as fixed() does and gives the exact value on focus)."""
    value = float(value)
    if not math.isfinite(value):
        return False
    shown = float(f"{value:.{decimals}f}")
    return (value != 0 and shown == 0) or (value != round(value) and shown == round(value))


def exact(values) -> list:
    """Each value as text that parses back to the same float32 (9 significant digits); for
    data-value attributes and the readout."""
    return [f"{v:.9g}" for v in (np.asarray(values, dtype=np.float64).ravel() + 0.0).tolist()]  # + 0.0: no "-0"


def png_uri(array, scale: int = 1) -> str:
    """A 2-D 0..1 array as a data: URI of a PNG (ink white on black, as MNIST is shown)."""
    return data_uri(to_png(array, scale))


FILTERS = {"percent": percent, "number": number, "short": short, "fixed": fixed, "png_uri": png_uri}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
