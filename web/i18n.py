"""English and Korean with gettext (Flask-Babel): `_("English text")` in templates and code,
extracted by pybabel into web/translations/ko/LC_MESSAGES/messages.po (`python -m tools.translations`).

The language comes from ?lang=, then the `lang` cookie, then Accept-Language. The .po catalogs are
the source; their .mo files are compiled at start into build/translations (not committed, so a
compiled catalog can never be older than its text), see compile_catalogs.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask import Response
from flask import request
from flask_babel import Babel
from flask_babel import get_locale
from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup

from web import terms
from web.render import remember

__all__ = ["LANGUAGES", "N_", "current_language", "gettext", "init_app"]

LANGUAGES = {"en": "English", "ko": "한국어"}
CATALOGS = Path(__file__).resolve().parent / "translations"  # ko/LC_MESSAGES/messages.po


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; gettext translates it where it is shown."""
    return message


def select_language() -> str:
    asked = request.args.get("lang") or request.cookies.get("lang")
    return asked if asked in LANGUAGES else (request.accept_languages.best_match(LANGUAGES) or "en")


def current_language() -> str:
    return str(get_locale() or "en")


def language_url(code: str) -> str:
    """This page's address in another language: the same query with lang= set."""
    query = [(k, v) for k, values in request.args.lists() if k != "lang" for v in values]
    return "?" + urlencode([*query, ("lang", code)])


def remember_language(response: Response) -> Response:
    """?lang=ko sticks: store it in a cookie for the next pages."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        remember(response, "lang", asked)
    return response


def compile_catalogs(source: Path, target: Path) -> Path:
    """Every <lang>/LC_MESSAGES/messages.po under source compiled to the same path under target,
    when missing or older than its .po. Written to a temporary file then renamed, so server
    processes starting together never read half a file."""
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parts[-3])
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(tmp, mo)
    return target


def gettext(message: str, **values) -> str:
    """The message in the page's language with its values, formatted only when values are given
    (a literal % needs no doubling then), and Korean particles chosen for the values put in:
    "%(digit)s(으)로" reads 7로 or 3으로 (web.terms.resolve_particles)."""
    text = get_translations().ugettext(message)
    return terms.resolve_particles(text % values if values else text)


@pass_context
def template_gettext(context, message: str, **values) -> str:
    """`_` in templates: gettext above, with the values escaped where the template escapes."""
    text = get_translations().ugettext(message)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    text = terms.resolve_particles(text % values if values else text)
    return Markup(text) if context.eval_ctx.autoescape else text


def init_app(app: Flask) -> None:
    """Flask-Babel with our language choice, the compiled catalogs and the template globals."""
    compiled = compile_catalogs(CATALOGS, Path(app.config["TRANSLATIONS_BUILD_DIR"]))
    Babel(app, locale_selector=select_language, default_translation_directories=str(compiled))
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    app.jinja_env.globals.update(current_language=current_language, language_url=language_url, LANGUAGES=LANGUAGES)
    terms.init_app(app)
    app.after_request(remember_language)
