"""web/terms.py: the Korean particles chosen for the word before them (every digit, every
activation's Korean name, numbers, the models' names), applied by gettext to every translated
message; and the models' and activations' names in the page's language."""

import pytest
from markupsafe import Markup

from nn.functions import ACTIVATIONS
from web import terms
from web.i18n import gettext
from web.terms import particle
from web.terms import resolve_particles

# Each digit read in Sino-Korean and the particles that follow it.
DIGITS = {
    0: ("영", "으로", "이", "을", "은"),
    1: ("일", "로", "이", "을", "은"),
    2: ("이", "로", "가", "를", "는"),
    3: ("삼", "으로", "이", "을", "은"),
    4: ("사", "로", "가", "를", "는"),
    5: ("오", "로", "가", "를", "는"),
    6: ("육", "으로", "이", "을", "은"),
    7: ("칠", "로", "이", "을", "은"),
    8: ("팔", "로", "이", "을", "은"),
    9: ("구", "로", "가", "를", "는"),
}
WRITTEN = ("(으)로", "(이)가", "(을)를", "(은)는")


@pytest.mark.parametrize("digit", range(10))
def test_every_digit_takes_the_particles_of_its_korean_reading(digit):
    _reading, *expected = DIGITS[digit]
    assert [particle(digit, written) for written in WRITTEN] == expected
    assert [particle(str(digit), written) for written in WRITTEN] == expected


@pytest.mark.parametrize("digit", range(10))
def test_a_message_about_a_digit_reads_as_korean_writes_it(digit):
    _reading, ro, ga, reul, eun = DIGITS[digit]
    text = resolve_particles(f"{digit}(으)로 읽었습니다. {digit}(이)가 아니라 {digit}(을)를, {digit}(은)는")
    assert text == f"{digit}{ro} 읽었습니다. {digit}{ga} 아니라 {digit}{reul}, {digit}{eun}"


@pytest.mark.parametrize(
    "word, ro, reul",
    [
        ("10", "으로", "을"),  # 십
        ("100", "으로", "을"),  # 백
        ("1,000", "으로", "을"),  # 천
        ("10,000", "으로", "을"),  # 만
        ("9,352", "로", "를"),  # 이
        ("0.25", "로", "를"),  # 영점이오
        ("98.7%", "로", "를"),  # 퍼센트
        ("책", "으로", "을"),
        ("신경망", "으로", "을"),
        ("배치", "로", "를"),
        ("모델", "로", "을"),  # ㄹ takes 로
        ("렐루 함수 (ReLU)", "로", "를"),  # the word before the parenthesis
        ("“시험 데이터”", "로", "를"),  # inside quotes
        ("<strong>3</strong>", "으로", "을"),  # inside a tag
    ],
)
def test_numbers_words_quotes_and_tags(word, ro, reul):
    assert particle(word, "(으)로") == ro
    assert particle(word, "(을)를") == reul


def test_both_ways_of_writing_a_choice_are_resolved():
    assert resolve_particles("3이(가) 4은(는) 5을(를) 6과(와) 7(과)와") == "3이 4는 5를 6과 7과"


def test_a_word_without_a_clue_keeps_both_forms():
    assert particle("", "(으)로") == "(으)로"
    assert particle("😀", "(을)를") == "(을)를"
    assert resolve_particles("no particle (here)") == "no particle (here)"


def test_markup_stays_markup():
    text = resolve_particles(Markup("<b>%s</b>(으)로") % "3")
    assert str(text) == "<b>3</b>으로"


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_every_activation_name_in_korean_takes_its_particles(app, name):
    with app.test_request_context("/?lang=ko"):
        korean = terms.activation_name(name)
        assert korean.endswith("함수") or korean.endswith("함수 (ReLU)"), korean  # 수: a vowel
        assert [particle(korean, written) for written in WRITTEN] == ["로", "가", "를", "는"]
        assert gettext("%(name)s(으)로", name=korean) == korean + "로"


def test_gettext_resolves_the_particles_of_a_korean_message(app):
    """The catalog writes "%(digit)s(으)로 읽었습니다."; the page never shows (으)로."""
    template = app.jinja_env.from_string('{{ _("It reads %(digit)s.", digit=d) }}')
    with app.test_request_context("/?lang=ko"):
        assert [template.render(d=d) for d in (3, 7)] == ["3으로 읽었습니다.", "7로 읽었습니다."]
        assert gettext("It reads %(digit)s.", digit=6) == "6으로 읽었습니다."
    with app.test_request_context("/?lang=en"):
        assert template.render(d=7) == "It reads 7."


def test_models_are_named_in_the_pages_language(app):
    class Model:
        def __init__(self, name, card):
            self.name, self.card = name, card

    with app.test_request_context("/?lang=ko"):
        assert terms.model_name(Model("book", {"name": "The book's sample weights"})) == "책의 가중치"
        assert terms.model_name(Model("mine", {"name": "My weights"})) == "My weights"
        assert terms.model_name(Model("mine", {})) == "mine"
    with app.test_request_context("/?lang=en"):
        assert terms.model_name(Model("book", {})) == "The book's weights"
