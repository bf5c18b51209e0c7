"""Numbers as the page's language writes them (Babel), one rule for each kind, as Jinja filters
(`{{ p|percent }}`, `{{ n|number }}`) and as functions for code that builds text.

A probability reads with one decimal everywhere: 99.7%, and never a misleading 0.0% or 100.0%
for a value that is not exactly 0 or 1 (<0.1%, >99.9%).
"""

from babel.numbers import format_decimal
from babel.numbers import format_percent
from flask import Flask
from flask import has_request_context
from flask_babel import get_locale


def locale() -> str:
    """The page's locale inside a request (Flask-Babel), English outside one (scripts, tests)."""
    return str(get_locale() or "en") if has_request_context() else "en"


def percent(p: float, decimals: int = 1) -> str:
    """A share from 0 to 1 as a percentage with `decimals` decimals; a value that would round to
    0 or 100 without being 0 or 1 shows as "<0.1%" or ">99.9%"."""
    p = float(p)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    text = format_percent(p, pattern, locale=locale())
    if 0 < p < 1 and text in (format_percent(0, pattern, locale=locale()), format_percent(1, pattern, locale=locale())):
        step = 10.0 ** -(decimals + 2)  # the smallest share the pattern shows: 0.001 for one decimal
        return (
            "<" + format_percent(step, pattern, locale=locale())
            if p < 0.5
            else ">" + format_percent(1 - step, pattern, locale=locale())
        )
    return text


def number(value: float, decimals: int | None = None) -> str:
    """A number with the locale's grouping (10,000); `decimals` fixes the decimals shown."""
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, pattern, locale=locale())


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(percent=percent, number=number)
