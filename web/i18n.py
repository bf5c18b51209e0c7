"""English and Korean: every user-facing string goes through gettext (`_` in templates).

The language comes from ?lang=, then the `lang` cookie, then Accept-Language; English texts are
the keys; every translations/ko/*.json maps them to Korean (one file per page, merged). A missing
translation falls back to English.
"""

import json
from functools import cache
from pathlib import Path

from flask import Response
from flask import g
from flask import request

LANGUAGES = {"en": "English", "ko": "한국어"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@cache
def catalog(language: str) -> dict:
    merged = {}
    for path in sorted((TRANSLATIONS / language).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def current_language() -> str:
    if "language" not in g:
        asked = request.args.get("lang") or request.cookies.get("lang")
        g.language = asked if asked in LANGUAGES else (request.accept_languages.best_match(LANGUAGES) or "en")
    return g.language


def gettext(text: str, **values) -> str:
    """The text in the page's language, with {name} placeholders filled from values."""
    translated = catalog(current_language()).get(text, text)
    return translated.format(**values) if values else translated


def remember_language(response: Response) -> Response:
    """?lang=ko sticks: store it in a cookie for the next pages."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        response.set_cookie("lang", asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)  # no script reads it
    return response
