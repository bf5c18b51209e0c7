"""web/filters.py: how numbers read on the pages (the one rule for a probability and the locale are
in tests/test_translations.py)."""

import numpy as np
import pytest

from web import filters


def test_exact_text_parses_back_to_the_same_float32():
    rng = np.random.default_rng(2)
    values = (rng.standard_normal(1000) * 10.0 ** np.arange(-5, 5).repeat(100)).astype(np.float32)
    parsed = np.array([float(t) for t in filters.exact(values)], dtype=np.float32)
    assert np.array_equal(parsed, values)


@pytest.mark.parametrize(("value", "text"), [(0.0, "0"), (-2.314159, "-2.314"), (1234567.0, "1.235e+06"), (0.5, "0.5")])
def test_short(value, text):
    assert filters.short(value) == text


@pytest.mark.parametrize(
    ("p", "text"), [(0.997, "99.7%"), (0.00004, "<0.1%"), (0.99996, ">99.9%"), (0.0, "0.0%"), (1.0, "100.0%")]
)
def test_percent(p, text):
    assert filters.percent(p) == text


@pytest.mark.parametrize(("p", "decimals", "text"), [(0.9352, 2, "93.52%"), (0.00004, 2, "<0.01%"), (0.5, 0, "50%")])
def test_percent_with_other_decimals(p, decimals, text):
    assert filters.percent(p, decimals) == text


@pytest.mark.parametrize(("value", "decimals", "text"), [(10000, None, "10,000"), (2.54, 1, "2.5"), (-0.25, 1, "-0.2")])
def test_number(value, decimals, text):
    assert filters.number(value, decimals) == text


def test_short_names_nan_and_inf_as_numpy_prints_them():
    assert [filters.short(v) for v in (float("nan"), float("inf"), float("-inf"))] == ["nan", "inf", "-inf"]


def test_the_templates_have_the_filters(app):
    assert {"short", "percent", "number"} <= set(app.jinja_env.filters)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_percent_in_each_language_of_a_page(app, lang):
    with app.test_request_context(f"/?lang={lang}"):
        assert filters.locale() == lang
        assert [filters.percent(p) for p in (0.997, 0.00004, 0.99996, 0.0, 1.0, 0.0006)] == [
            "99.7%",
            "<0.1%",
            ">99.9%",
            "0.0%",
            "100.0%",
            "0.1%",  # fmt: skip
        ]
        assert filters.number(12345.678, 1) == "12,345.7"
