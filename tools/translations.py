"""Brings the gettext catalogs up to date with the code: `python -m tools.translations`.

1. pybabel extract: every `_()`, `gettext()`, `N_()` and `lazy_gettext()` of app.py, web/ and
   templates/ (babel.cfg) into a template catalog;
2. pybabel update: each web/translations/<lang>/LC_MESSAGES/messages.po gains the new messages
   and drops the ones the code no longer has (a changed English text keeps its old translation,
   marked fuzzy: check it, then remove the fuzzy flag);
3. Korean written as JSON dictionaries (web/translations/<lang>/*.json, {"English": "Korean"},
   with {name} or %(name)s placeholders) fills the messages that have no translation yet; a JSON
   file whose every entry is now in the catalog is deleted;
4. prints what still has no translation (tests/test_translations.py fails on it).

Running it again changes nothing. `--check` changes nothing and exits 1 when the catalogs are out
of date or incomplete.
"""

import argparse
import contextlib
import io
import json
import re
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "web" / "translations"
KEYWORDS = ["lazy_gettext", "_l"]  # besides pybabel's defaults (_, gettext, ngettext, N_, ...)
BRACES = re.compile(r"\{(\w+)\}")


def extract() -> Catalog:
    """The messages of the code now, as pybabel extract finds them (nothing is written in the tree)."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        args = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(pot), "--add-location=file"]
        args += [f"--keyword={k}" for k in KEYWORDS] + ["--sort-output", "--project=digit-reader", "."]
        with contextlib.chdir(ROOT):  # locations relative to the project
            CommandLineInterface().run(args)
        with pot.open("rb") as f:
            return read_po(f)


def languages() -> list:
    return sorted(p.parent.parent.name for p in CATALOGS.glob("*/LC_MESSAGES/messages.po"))


def po_path(language: str) -> Path:
    return CATALOGS / language / "LC_MESSAGES" / "messages.po"


def read_catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as f:
        return read_po(f, locale=language)


def as_text(catalog: Catalog) -> bytes:
    catalog.fuzzy = False  # the header: its fields are right
    catalog.copyright_holder = "the digit-reader authors"
    out = io.BytesIO()
    write_po(out, catalog, width=120, sort_output=True, ignore_obsolete=True, include_previous=False)
    return out.getvalue()


def messages_of(catalog: Catalog) -> dict:
    """{msgid: (msgstr, fuzzy, files)} without the header (its dates): what tells two catalogs apart."""
    return {m.id: (m.string, m.fuzzy, sorted({file for file, _line in m.locations})) for m in catalog if m.id}


def from_json(language: str, catalog: Catalog) -> tuple:
    """Fill untranslated messages from the language's JSON dictionaries; ([files used up], [unknown keys])."""
    used_up, unknown = [], []
    for path in sorted((CATALOGS / language).glob("*.json")):
        left = []
        for english, translated in json.loads(path.read_text(encoding="utf-8")).items():
            msgid, msgstr = BRACES.sub(r"%(\1)s", english), BRACES.sub(r"%(\1)s", translated)
            message = catalog.get(msgid) or catalog.get(english)
            if message is None:
                left.append(english)
                continue
            if not message.string or message.fuzzy:
                message.string = msgstr if message.id == msgid else translated
                message.flags.discard("fuzzy")
        if left:
            unknown += [f"{path.name}: {key}" for key in left]
        else:
            used_up.append(path)
    return used_up, unknown


def untranslated(catalog: Catalog) -> list:
    return [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]


def update(check: bool = False) -> int:
    template = extract()
    problems = 0
    for language in languages():
        catalog = read_catalog(language)
        before = messages_of(catalog)
        catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
        used_up, unknown = from_json(language, catalog)
        missing = untranslated(catalog)
        changed = messages_of(catalog) != before or used_up
        if check:
            if changed:
                print(f"{language}: the catalog is out of date with the code; run python -m tools.translations")
                problems += 1
        elif changed:
            po_path(language).write_bytes(as_text(catalog))
            for path in used_up:
                path.unlink()
                print(f"{language}: {path.relative_to(ROOT)} merged into the catalog and deleted")
            print(f"{language}: {po_path(language).relative_to(ROOT)} updated")
        for key in unknown:
            print(f"{language}: JSON entry not in the code, kept: {key}")
        for msgid in missing:
            print(f"{language}: no translation yet: {msgid!r}")
        problems += len(missing)
    return 1 if problems else 0


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when out of date or incomplete")
    return update(parser.parse_args(argv).check)


if __name__ == "__main__":
    sys.exit(main())
