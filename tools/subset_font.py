"""Cuts the Korean web font down to the characters the app shows: `python -m tools.subset_font`.

The pages must show Hangul on a computer with no Korean font (a lab or projector PC), so the app
serves one: NanumGothic from Debian's fonts-nanum (SIL Open Font License 1.1), cut to the
characters of the gettext catalogs (every msgid and msgstr), the language names, ASCII and common
punctuation, as WOFF2 in static/fonts/. The OFL reserves the name "Nanum" for the original fonts,
so the cut-down font is renamed (FAMILY). Run it again after the catalogs change (tests fail when
a catalog character is missing from the font); the same inputs give the same bytes.

Needs fontTools and brotli (requirements-dev.txt) and the font file:
`apt-get install fonts-nanum`, or without installing it system-wide,
`apt-get download fonts-nanum && dpkg-deb -x fonts-nanum_*.deb build/nanum` from the project root,
then `--font-dir build/nanum/usr/share/fonts/truetype/nanum`.
"""

import argparse
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from fontTools import subset
from fontTools.ttLib import TTFont

from web.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent

FONT_DIR = Path("/usr/share/fonts/truetype/nanum")
FACES = {"Regular": "NanumGothic.ttf", "Bold": "NanumGothicBold.ttf"}  # style: source file
OUTPUT_DIR = ROOT / "static" / "fonts"
FAMILY = "Digit Reader Hangul"
CATALOGS = ROOT / "web" / "translations"
# ASCII, Latin-1 punctuation and signs, general punctuation, arrows and the few symbols the pages use.
EXTRA = "".join(chr(c) for c in [*range(0x20, 0x7F), *range(0xA0, 0xC0), 0xD7, 0xF7, *range(0x2010, 0x2040)])
EXTRA += "←↑→↓−·…‹›«»「」『』〈〉《》、。"


def catalog_text() -> str:
    """Every character of every msgid and msgstr of the catalogs, and the language names."""
    parts = list(LANGUAGES.values())
    for po in sorted(CATALOGS.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            for message in read_po(f):
                parts += [message.id, message.string] if message.id else []
    return "".join(parts)


def wanted() -> str:
    return "".join(sorted(set(catalog_text() + EXTRA) - set("\n\t")))


def output_path(output_dir: Path, style: str) -> Path:
    return output_dir / f"hangul-subset-{style.lower()}.woff2"


def rename(font: TTFont, family: str, style: str) -> None:
    """The family, full and PostScript names of a modified OFL font must not be its reserved name."""
    full = f"{family} {style}"
    postscript = f"{family.replace(' ', '')}-{style}"
    names = {1: family, 3: f"{full} (subset)", 4: full, 6: postscript, 16: family, 17: style}
    for record in font["name"].names:
        if record.nameID in names:
            record.string = names[record.nameID]


def build(source: Path, output: Path, style: str) -> tuple:
    font = TTFont(source, recalcTimestamp=False)
    text = wanted()
    options = subset.Options()
    options.flavor = "woff2"
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.name_languages = ["*"]
    options.layout_features = ["*"]
    options.hinting = False  # browsers at these sizes do without; a third of the size
    options.drop_tables += ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5", "DSIG"]  # the font maker's own tables
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    rename(font, FAMILY, style)
    font.flavor = "woff2"
    output.parent.mkdir(parents=True, exist_ok=True)
    font.save(output, reorderTables=True)
    missing = sorted(set(text) - set(chr(c) for c in font.getBestCmap()))
    return len(text), missing


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font-dir", type=Path, default=FONT_DIR, help=f"where {', '.join(FACES.values())} are")
    parser.add_argument("--output-dir", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args(argv)
    for style, name in FACES.items():
        source, output = args.font_dir / name, output_path(args.output_dir, style)
        if not source.is_file():
            print(f"error: {source} not found; apt-get install fonts-nanum (see the docstring)", file=sys.stderr)
            return 2
        count, missing = build(source, output, style)
        print(f"{output}: {count} characters, {output.stat().st_size:,} bytes")
        if missing:
            print("  not in the source font (the browser falls back to another font): " + "".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
