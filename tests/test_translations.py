"""Korean and English with gettext: the catalog is complete and up to date with the code, uses the
book's terms, is compiled at start, the language is chosen as documented, numbers follow one rule
per locale, errors reach Korean pages in Korean, and the served Korean font has every character."""

import ast
import html
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from preprocess import PreprocessError
from preprocess import decode_image
from tests.digits import digit_png
from tests.helpers import HTMX
from tests.helpers import data_url
from tools import subset_font
from tools import translations
from web.errors import MESSAGES
from web.filters import number
from web.filters import percent
from web.i18n import LANGUAGES
from web.i18n import compile_catalogs

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)\}")


@pytest.fixture(scope="module")
def korean():
    return [m for m in translations.read_catalog("ko") if m.id]


# --- The catalog ----------------------------------------------------------------------------------


def test_the_catalog_is_up_to_date_with_the_code(korean):
    """Extract the code's messages now into a temporary .pot and compare: run
    `python -m tools.translations` when this fails."""
    in_code = {m.id for m in translations.extract() if m.id}
    in_catalog = {m.id for m in korean}
    assert sorted(in_code - in_catalog) == [], "new messages: run python -m tools.translations"
    assert sorted(in_catalog - in_code) == [], "messages the code no longer has: run python -m tools.translations"


def test_no_json_dictionary_is_left_to_merge():
    left = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "web" / "translations").glob("*/*.json"))
    assert left == [], "merge them into the catalog: python -m tools.translations"


def test_every_message_has_a_korean_translation(korean):
    missing = [m.id for m in korean if not m.string or m.fuzzy]
    assert missing == [], "translate these in web/translations/ko/LC_MESSAGES/messages.po"


def test_translations_keep_every_placeholder(korean):
    def names(text):
        return sorted(a or b for a, b in PLACEHOLDER.findall(text))

    assert [m.id for m in korean if names(m.id) != names(m.string)] == []


def test_no_message_with_placeholders_has_a_bare_percent_sign(korean):
    """A message with values is formatted with %: a literal % in it must be written %%."""
    bare = re.compile(r"%(?!\(\w+\)s|%)")
    assert [m.id for m in korean if "%(" in m.id and (bare.search(m.id) or bare.search(m.string))] == []


def test_a_literal_percent_sign_in_a_message_without_values_is_fine(app):
    with app.test_request_context("/?lang=ko"):
        template = app.jinja_env.from_string('{{ _("Accuracy (%)") }} {{ _("Layer %(n)s: hidden layer", n=2) }}')
        assert template.render() == "Accuracy (%) 2층: 은닉층"


BOOK_TERMS = [
    ("activation function", "활성화 함수"),
    ("step function", "계단 함수"),
    ("sigmoid", "시그모이드 함수"),
    ("relu", "렐루 함수"),
    ("identity", "항등 함수"),
    ("softmax", "소프트맥스 함수"),
    ("hidden layer", "은닉층"),
    ("output layer", "출력층"),
    ("input layer", "입력층"),
    ("batch", "배치"),
    ("accuracy", "정확도"),
    ("weight", "가중치"),
    ("bias", "편향"),
    ("neuron", "뉴런"),
    ("network", "신경망"),
]


@pytest.mark.parametrize(("english", "term"), BOOK_TERMS, ids=[e for e, _ in BOOK_TERMS])
def test_the_book_s_korean_terms(korean, english, term):
    """Deep Learning from Scratch's Korean edition: a message that names the idea uses its term."""
    found = [m for m in korean if re.search(r"\b" + english, m.id, re.I)]
    assert [m.id for m in found if term not in m.string] == []


def test_the_update_command_changes_nothing_when_up_to_date(capsys):
    assert translations.main(["--check"]) == 0


def test_json_dictionaries_fill_untranslated_messages(tmp_path, monkeypatch, korean):
    """What other branches bring: {"English": "Korean"} with {name} placeholders, merged at update."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="ko")
    catalog.add("Layer %(n)s: hidden layer", "")
    catalog.add("Undo", "되돌리기")
    (tmp_path / "ko").mkdir()
    (tmp_path / "ko" / "lesson.json").write_text(
        '{"Layer {n}: hidden layer": "{n}층: 은닉층", "Undo": "다른 번역"}', encoding="utf-8"
    )
    monkeypatch.setattr(translations, "CATALOGS", tmp_path)
    used_up, unknown = translations.from_json("ko", catalog)
    assert catalog.get("Layer %(n)s: hidden layer").string == "%(n)s층: 은닉층"
    assert catalog.get("Undo").string == "되돌리기"  # a translation already there wins
    assert used_up == [tmp_path / "ko" / "lesson.json"] and unknown == []


# --- Compiled at start ------------------------------------------------------------------------------


def test_catalogs_compile_when_missing_or_older_than_their_po(tmp_path):
    source = tmp_path / "src"
    po = source / "ko" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\nmsgid "Undo"\nmsgstr "되돌리기"\n'
    )
    mo = compile_catalogs(source, tmp_path / "build") / "ko" / "LC_MESSAGES" / "messages.mo"
    assert "되돌리기".encode() in mo.read_bytes()
    po.write_text(po.read_text().replace("되돌리기", "실행 취소"))
    import os

    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
    compile_catalogs(source, tmp_path / "build")
    assert "실행 취소".encode() in mo.read_bytes()


def test_the_app_compiles_its_catalog_into_the_build_folder(tmp_path):
    from app import create_app

    app = create_app({"TESTING": True, "TRANSLATIONS_BUILD_DIR": str(tmp_path)})
    assert (tmp_path / "ko" / "LC_MESSAGES" / "messages.mo").is_file()
    assert "숫자를 그려 보세요" in app.test_client().get("/?lang=ko").get_data(as_text=True)


# --- The language of a page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "language"),
    [
        ("?lang=ko", None, None, "ko"),
        ("", "ko", None, "ko"),
        ("", None, "ko-KR,ko;q=0.9,en;q=0.5", "ko"),
        ("?lang=en", "ko", "ko", "en"),  # ?lang= beats the cookie
        ("", "en", "ko", "en"),  # the cookie beats Accept-Language
        ("?lang=xx", None, "ko", "ko"),  # an unknown language is ignored
        ("", None, "fr", "en"),
        ("", None, None, "en"),
    ],
)
def test_the_language_follows_query_then_cookie_then_accept_language(client, query, cookie, accept, language):
    if cookie:
        client.set_cookie("lang", cookie)
    headers = {"Accept-Language": accept} if accept else {}
    html = client.get("/" + query, headers=headers).get_data(as_text=True)
    assert f'<html lang="{language}">' in html


def test_lang_in_the_query_sticks_as_a_cookie(client):
    client.get("/inside?lang=ko")
    assert client.get_cookie("lang").value == "ko"
    assert "신경망 속으로" in client.get("/inside").get_data(as_text=True)


def test_the_language_links_keep_the_rest_of_the_address(client):
    html = client.get("/inside?sample=3&model=tiny").get_data(as_text=True)
    assert 'href="?sample=3&amp;model=tiny&amp;lang=ko"' in html


# --- Numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.997, "99.7%"),
        (0.5, "50.0%"),
        (0.0, "0.0%"),
        (1.0, "100.0%"),
        (0.00004, "<0.1%"),  # never a misleading 0.0% for a value above 0
        (0.0005, "<0.1%"),
        (0.00051, "0.1%"),
        (0.99951, ">99.9%"),  # nor 100.0% below 1
        (0.9994, "99.9%"),
    ],
)
def test_one_rule_for_a_probability(app, p, text):
    for language in LANGUAGES:  # English and Korean write percentages alike
        with app.test_request_context(f"/?lang={language}"):
            assert percent(p) == text


def test_numbers_follow_the_page_s_locale(app):
    with app.test_request_context("/?lang=ko"):
        assert number(10000) == "10,000" and number(2.25, 1) == "2.2" and percent(0.9925, 2) == "99.25%"
    assert number(9999) == "9,999"  # outside a request: English


def test_no_template_formats_a_number_itself():
    """Every number on a page goes through the filters (web/filters.py), so one rule holds."""
    formatting = re.compile(r"""["']%[.\d]*[dfg%]["']\s*\|\s*format|\|\s*round\b""")
    offenders = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in (ROOT / "templates").rglob("*.html")
        for line in path.read_text(encoding="utf-8").splitlines()
        if formatting.search(line) and "style=" not in line and "cx=" not in line and "width=" not in line
    ]
    assert offenders == []


def test_the_same_probability_reads_the_same_on_both_pages(client):
    """The drawing page's bars and the inside page's softmax chart show the same text."""
    reading = client.post("/read", data={"image": data_url(digit_png("7"))}, headers=HTMX)
    bars = re.findall(r'<data class="bar-value" value="([^"]+)"[^>]*>([^<]+)</data>', reading.get_data(as_text=True))
    assert len(bars) == 10
    for value, text in bars:
        with client.application.test_request_context("/"):
            assert html.unescape(text) == percent(float(value))
    inside = client.post("/inside/read", data={"image": data_url(digit_png("7"))}, headers=HTMX)
    shown = re.findall(r'<text class="number"[^>]*>(?:◀ )?([^<]+)</text>', inside.get_data(as_text=True))
    assert sorted(t for _, t in bars) == sorted(shown[-10:])


# --- Errors in the page's language ----------------------------------------------------------------------


def raised_codes() -> set:
    """Every code literal raised in the preprocessing and the web layer: Error("English", "code", ...)."""
    codes = set()
    for path in [*(ROOT / "preprocess").glob("*.py"), *(ROOT / "web").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and len(node.exc.args) >= 2:
                code = node.exc.args[1]
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    codes.add(code.value)
    return codes


def test_every_error_code_has_a_message():
    codes = raised_codes()
    assert len(codes) >= 15
    assert sorted(codes - set(MESSAGES)) == []


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_upload"),
        (b"data:image/png;base64,AAAA", "data_url"),
        (b"not an image at all", "unknown_format"),
        ("a string", "not_bytes"),
    ],
)
def test_preprocessing_errors_carry_a_code(data, code):
    with pytest.raises(PreprocessError) as caught:
        decode_image(data)
    assert caught.value.code == code


KOREAN = re.compile(r"[\uac00-\ud7a3]")


@pytest.mark.parametrize(
    ("form", "korean"),
    [
        (
            {"image": "data:image/png;base64,AAAA"},
            "읽을 수 있는 이미지가 아닙니다 (PNG, JPEG, GIF, BMP, WebP, TIFF만 읽습니다).",
        ),
        ({"image": "data:image/png;base64,@@@"}, "그림이 올바른 base64가 아닙니다 (Only base64 data is allowed)."),
        ({"image": "not a data url"}, "그림은 “data:image/png;base64,...” 같은 데이터 URL이어야 합니다."),
        (
            {"image": "data:image/png;base64," + "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"},
            "이미지 데이터가 잘렸거나 손상되었습니다 (Truncated File Read).",
        ),
        ({"model": "nope", "image": ""}, "그런 모델은 없습니다. 있는 모델: tiny-relu, tiny."),
    ],
    ids=["not an image", "bad base64", "not a data URL", "truncated", "unknown model"],
)
def test_errors_on_the_drawing_page_are_korean(client, form, korean):
    response = client.post("/read?lang=ko", data={"model": "tiny", **form}, headers=HTMX)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "이 그림을 읽을 수 없습니다." in html and f'<p class="verdict-detail">{korean}</p>' in html


@pytest.mark.parametrize(
    ("method", "url", "data", "korean"),
    [
        (
            "get",
            "/inside?lang=ko&sample=abc",
            None,
            "MNIST 시험 이미지 “abc”번은 없습니다. 번호는 0부터 9,999까지입니다.",
        ),
        (
            "get",
            "/inside?lang=ko&activation=tanh",
            None,
            "알 수 없는 활성화 함수 “tanh”입니다. 다음 중에서 고르세요: sigmoid, relu, step, identity.",
        ),
        ("get", "/inside?lang=ko&model=nope", None, "그런 모델은 없습니다. 있는 모델: tiny-relu, tiny."),
        (
            "post",
            "/inside/read?lang=ko",
            {"image": "data:image/png;base64,AAAA"},
            "읽을 수 있는 이미지가 아닙니다 (PNG, JPEG, GIF, BMP, WebP, TIFF만 읽습니다).",
        ),
        (
            "post",
            "/inside/neuron?lang=ko",
            {"sample": "0", "layer": "9", "neuron": "0"},
            "9층은 없습니다. 이 신경망의 층은 1부터 2까지입니다.",
        ),
        (
            "post",
            "/sample?lang=ko",
            {"index": "99999"},
            "시험 이미지를 불러오지 못했습니다. MNIST 시험 이미지 “99999”번은 없습니다. 번호는 0부터 9,999까지입니다.",
        ),
        (
            "post",
            "/sample?lang=ko",
            {"digit": "x"},
            "시험 이미지를 불러오지 못했습니다. 0부터 9까지의 숫자가 아닙니다: “x”.",
        ),
    ],
)
def test_errors_on_other_pages_are_korean(client, method, url, data, korean):
    response = getattr(client, method)(url, data=data, headers=HTMX)
    assert response.status_code == 400
    assert korean in response.get_data(as_text=True)


def test_too_large_a_drawing_is_said_in_korean(app):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = app.test_client().post("/read?lang=ko", data={"image": "x" * 4096}, headers=HTMX)
    assert response.status_code == 413
    assert "그림이 너무 커서 읽을 수 없습니다 (2 KB 초과)." in response.get_data(as_text=True)


def test_the_api_keeps_english_errors_for_programs(client):
    response = client.post("/api/predict?lang=ko", data=b"xx", headers={"Content-Type": "image/png"})
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("This is not an image we can read")
    assert not KOREAN.search(response.get_data(as_text=True))


# --- The Korean font --------------------------------------------------------------------------------


HANGUL_AND_CJK = re.compile(r"[\u1100-\u11ff\u3000-\u303f\u3130-\u318f\uac00-\ud7af\uff00-\uffef]")


@pytest.mark.parametrize("style", list(subset_font.FACES))
def test_the_font_has_every_character_of_the_catalogs(style):
    """Every Hangul (and CJK punctuation) character of the catalogs and the language names, and
    ASCII: else run python -m tools.subset_font. Other symbols come from any font of the computer."""
    font = TTFont(subset_font.output_path(subset_font.OUTPUT_DIR, style))
    has = {chr(c) for c in font.getBestCmap()}
    needed = set(HANGUL_AND_CJK.findall(subset_font.catalog_text())) | {chr(c) for c in range(0x20, 0x7F)}
    assert len(needed) > 300
    assert "".join(sorted(needed - has)) == ""
    assert font["name"].getDebugName(1) == subset_font.FAMILY  # not the OFL's reserved name "Nanum..."


def test_the_font_is_served_with_its_licence(client):
    response = client.get("/static/style.css")
    css = response.get_data(as_text=True)
    response.close()
    for style in subset_font.FACES:
        name = subset_font.output_path(Path("fonts"), style).as_posix()
        assert f'url("{name}")' in css
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and response.mimetype == "font/woff2"
        response.close()
    licence = (ROOT / "static" / "fonts" / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in licence and "Digit Reader Hangul" in licence
    assert "static/fonts/OFL.txt" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_values_in_translated_messages_are_escaped(client):
    html = client.get("/inside?lang=ko&sample=<b>x</b>").get_data(as_text=True)
    assert "“&lt;b&gt;x&lt;/b&gt;”" in html and "<b>x</b>" not in html
    with client.application.test_request_context("/?lang=ko"):
        template = client.application.jinja_env.from_string('{{ _("Model: %(name)s", name="<i>") }}')
        assert template.render() == "모델: &lt;i&gt;"
