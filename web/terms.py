"""The app's own terms in the page's language, and the Korean particles that follow them.

Names: one translated name each for every page that shows it (the activation functions, the
models). The ids (`sigmoid`, `book`) stay in URLs, forms and the API; a person reads the name.

Particles: Korean picks 으로/로, 이/가, 을/를, 은/는 and 과/와 by the last sound of the word before
it, and a message's value (a digit, a model's name) is only known when the page is made. The
catalog writes both forms, `%(digit)s(으)로`, and `resolve_particles` (which web.i18n's gettext
applies to every translated message once its values are in) keeps the one that fits: 7로, 3으로.

The names are plain nouns, so they are translated with Flask-Babel's gettext itself (web.i18n's
gettext imports this module for the particles).
"""

import re

from flask import Flask
from flask_babel import gettext as _

# --- Particles ------------------------------------------------------------------------------------

# How each choice is written in the catalog: (form after a final consonant, form after a vowel).
PARTICLES = {
    "(으)로": ("으로", "로"),
    "(이)가": ("이", "가"),
    "이(가)": ("이", "가"),
    "(을)를": ("을", "를"),
    "을(를)": ("을", "를"),
    "(은)는": ("은", "는"),
    "은(는)": ("은", "는"),
    "(과)와": ("과", "와"),
    "과(와)": ("과", "와"),
    "(이)에요": ("이에요", "예요"),
    "(이)라는": ("이라는", "라는"),
}
WRITTEN = re.compile("|".join(re.escape(written) for written in PARTICLES))

# The final consonant of each digit read in Sino-Korean (영, 일, 이, 삼, 사, 오, 육, 칠, 팔, 구):
# "" none, "ㄹ" rieul (which takes 로, not 으로), else another consonant.
DIGIT_ENDINGS = ["ㅇ", "ㄹ", "", "ㅁ", "", "", "ㄱ", "ㄹ", "ㄹ", ""]
# A number ending in zeros is read by its last unit: 십 (10), 백 (100), 천 (1000), 만 (10⁴ ... 10⁷), 억 (10⁸ ...).
ZERO_ENDINGS = {1: "ㅂ", 2: "ㄱ", 3: "ㄴ", 4: "ㄴ", 5: "ㄴ", 6: "ㄴ", 7: "ㄴ"}
# Latin letters as Korean says them alone (an abbreviation such as ReLU ends with the letter U, 유).
LETTER_ENDINGS = {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ"}
# What is skipped before the word a particle follows: closing quotes and brackets, a tag's end,
# spaces, and a whole parenthesis ("렐루 함수 (ReLU)" ends with 함수).
SKIPPED = re.compile(r"(?:\s+|[”’\"'»」』\]]|<[^<>]*>|\([^()]*\))$")
DIGITS = re.compile(r"(\d[\d,]*)(?:\.(\d+))?$")
# A syllable's final consonant by its index (0: none).
FINALS = "_ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"


def final_consonant(word: str) -> str | None:
    """The final consonant of the last sound of `word` as Korean reads it: "" for a vowel,
    "ㄹ" for rieul, another jamo for another consonant, None when the word gives no clue."""
    word = str(word)
    while True:
        shorter = SKIPPED.sub("", word)
        if shorter == word:
            break
        word = shorter
    if not word:
        return None
    last = word[-1]
    if "가" <= last <= "힣":
        index = (ord(last) - ord("가")) % 28
        return FINALS[index] if index else ""
    digits = DIGITS.search(word)
    if digits:
        return number_ending(digits.group(2) or digits.group(1).replace(",", ""), decimal=digits.group(2) is not None)
    if last.isascii() and last.isalpha():
        return LETTER_ENDINGS.get(last.lower(), "")
    if last == "%":
        return ""  # 퍼센트
    return None


def number_ending(digits: str, decimal: bool = False) -> str:
    """The final consonant of a number read aloud: 7 칠 (ㄹ), 10 십 (ㅂ), 1,000 천 (ㄴ), 0 영 (ㅇ);
    the decimals of 0.25 are read digit by digit (이오)."""
    if decimal or set(digits) == {"0"}:
        return DIGIT_ENDINGS[int(digits[-1])]
    zeros = len(digits) - len(digits.rstrip("0"))
    if zeros == 0:
        return DIGIT_ENDINGS[int(digits[-1])]
    return ZERO_ENDINGS.get(zeros, "ㄱ")  # 억 from 10⁸ on (조 at 10¹², far beyond any count here)


def particle(word, written: str) -> str:
    """The particle `written` ("(으)로", "(이)가", ...) as it follows `word`: particle(7, "(으)로")
    is "로", particle(3, "(으)로") "으로". A word that gives no clue keeps the written form."""
    with_consonant, with_vowel = PARTICLES[written]
    ending = final_consonant(word)
    if ending is None:
        return written
    if written == "(으)로" and ending == "ㄹ":
        return with_vowel
    return with_consonant if ending else with_vowel


def resolve_particles(text: str) -> str:
    """Every particle written with both forms in `text` replaced by the one that follows the
    text before it: "7(으)로 읽었습니다" becomes "7로 읽었습니다"."""
    if "(" not in text:
        return text
    return WRITTEN.sub(lambda m: particle(m.string[: m.start()], m.group(0)), text)


# --- Names ----------------------------------------------------------------------------------------


def activation_names() -> dict:
    """{code name: the activation's name in the page's language} (the book's terms)."""
    return {"step": _("step function"), "sigmoid": _("sigmoid"), "relu": _("ReLU"), "identity": _("identity function")}


def activation_name(name: str) -> str:
    """One activation's name in the page's language; an unknown id as it is."""
    return activation_names().get(name, name)


def model_names() -> dict:
    """{id: name in the page's language} of the shipped models."""
    return {
        "book": _("The book's weights"),
        "book-retrained": _("The book's network, retrained"),
        "default": _("The app's large network"),
    }


def model_name(model) -> str:
    """The model's name in the page's language; a model added to the folder shows its card's
    name, else its id (the id stays in URLs, forms and the API)."""
    return model_names().get(model.name) or str(model.card.get("name") or model.name)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(model_name=model_name, activation_name=activation_name)
