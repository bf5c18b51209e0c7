"""The whole chapter from the app (issue 19) through Flask's test client, with the shipped models:
the perceptron lesson, formulas as MathML with text alternatives, the book's sigmoid in the code
panel, small numbers shown truthfully, one shape convention, lessons on the book's network, the
models' names in the page's language, the batch lesson's reasons and shapes, whole messages."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from app import create_app
from nn.functions import sigmoid
from nn.functions import step_function
from tests.helpers import HTMX
from tests.test_learn import marked
from tests.test_learn import text
from tests.test_learn import values
from tests.test_learn_data import elements
from web.filters import fixed
from web.filters import is_rounded_away
from web.lessons import gates
from web.lessons.formulas import FORMULAS
from web.lessons.pages import LESSONS

BOOK_GATES = {"and": ((0.5, 0.5), -0.7), "or": ((0.5, 0.5), -0.2), "nand": ((-0.5, -0.5), 0.7)}
TRUTH = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0]}  # rows (0,0), (1,0), (0,1), (1,1)


@pytest.fixture(scope="module")
def client(real_models):
    """One app for the module, with the shipped models: the test set is read once."""
    return create_app({"TESTING": True, "MODELS": real_models}).test_client()


@pytest.fixture(autouse=True)
def forget_cookies(client):
    """Each test starts as a new visitor: no language nor model remembered from the one before."""
    yield
    for name in ("lang", "model"):
        client.delete_cookie(name)


def page(client, path: str, **kwargs) -> str:
    response = client.open(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


# --- The perceptron lesson ------------------------------------------------------------------------


def test_the_perceptron_lesson_comes_first():
    assert LESSONS[0].slug == "perceptron" and LESSONS[1].slug == "neuron"


def test_the_index_and_the_keys_start_from_the_perceptron(client):
    html = page(client, "/learn")
    assert re.findall(r'<li data-slug="([^"]+)"', html)[0] == "perceptron"
    lesson = page(client, "/learn/perceptron")
    assert 'data-next="/learn/neuron"' in lesson and "data-previous" not in lesson
    assert 'data-previous="/learn/perceptron"' in page(client, "/learn/neuron")
    assert "1 / 7" in lesson


@pytest.mark.parametrize("gate", ["and", "or", "nand"])
def test_each_gate_with_the_books_weights_gives_its_truth_table_through_the_step_function(client, gate):
    assert gates.gate_weights(gate) == BOOK_GATES[gate]
    found = marked(page(client, f"/learn/perceptron?gate={gate}"))
    (w1, w2), b = BOOK_GATES[gate]
    x = np.float32([[0, 0], [1, 0], [0, 1], [1, 1]])
    a = x @ np.float32([w1, w2]) + np.float32(b)
    assert [int(t) for _, t in found["truth-step"]] == TRUTH[gate] == step_function(a).astype(int).tolist()
    assert [t for _, t in found["truth-wanted"]] == [str(v) for v in TRUTH[gate]]
    assert [float(v) for v in values(found, "truth-sigmoid")] == pytest.approx(sigmoid(a).tolist(), abs=1e-7)
    assert [t for _, t in found["truth-a"]] == [fixed(v) for v in a]
    assert "compute " + gate.upper() in text(found, "gate-verdict")


def test_the_and_neuron_with_the_sigmoid_gives_the_books_numbers(client):
    found = marked(page(client, "/learn/perceptron"))  # AND by default
    assert [t for _, t in found["truth-sigmoid"]] == ["0.3318", "0.4502", "0.4502", "0.5744"]


def test_weights_set_by_hand_say_which_gate_they_compute(client):
    found = marked(page(client, "/learn/perceptron?gate=and&w1=0.5&w2=0.5&b=-0.2", headers=HTMX))
    assert "compute OR, not AND" in text(found, "gate-verdict")
    found = marked(page(client, "/learn/perceptron?gate=and&w1=-0.5&w2=0.5&b=0"))
    assert "none of AND, OR and NAND" in text(found, "gate-verdict")


def test_a_gates_link_swaps_the_body_and_the_sliders_swap_the_table(client):
    body = page(client, "/learn/perceptron?gate=or", headers=HTMX)
    assert body.lstrip().startswith('<div id="perceptron-body"') and 'value="-0.2"' in body
    table = page(client, "/learn/perceptron?gate=or&w1=0.5&w2=0.5&b=-0.2", headers=HTMX)
    assert table.lstrip().startswith('<div id="perceptron-result"')
    assert 'id="perceptron-b-value" for="perceptron-b" hx-swap-oob="true">-0.2<' in table


@pytest.mark.parametrize("query", ["gate=xor", "w1=2", "b=abc"])
def test_the_perceptron_refuses_bad_input_in_place(client, query):
    response = client.get("/learn/perceptron?" + query, headers=HTMX)
    assert response.status_code == 400 and 'role="alert"' in response.get_data(as_text=True)
    assert client.get("/learn/perceptron?" + query).status_code == 400


def test_the_point_of_the_chapter_and_the_books_layer_numbers(client, real_models):
    html = page(client, "/learn/perceptron")
    params = real_models["book"].network.params
    assert sum(p.size for p in params.values()) == 45_360
    assert "784-50-100-10) has 45,360 weights and biases" in html and "learns them from data" in html
    for n, kind, size in [
        (0, "input layer", 784),
        (1, "hidden layer", 50),
        (2, "hidden layer", 100),
        (3, "output layer", 10),
    ]:
        group = re.search(rf'data-testid="layer-{n}">(.*?)</g>', html, re.S).group(1)
        assert f">Layer {n}<" in group and f">{kind}<" in group and f">{size}<" in group
    assert 'data-testid="layer-4"' not in html


def test_the_perceptron_shows_the_code_that_ran(client):
    html = page(client, "/learn/perceptron")
    for name in ("gate_weights", "truth_table", "neuron_output", "step_function", "sigmoid"):
        assert f'data-name="{name}"' in html
    assert "&#34;and&#34;: ((0.5, 0.5), -0.7)" in html


# --- Formulas -------------------------------------------------------------------------------------

FORMULA_PAGES = {
    "/learn/perceptron": ["perceptron", "sigmoid"],
    "/learn/neuron": ["neuron"],
    "/learn/activations": ["step", "sigmoid", "relu", "identity"],
    "/learn/softmax": ["softmax", "softmax_c", "softmax_max"],
    "/learn/network": ["affine"],
    "/learn/batches": ["affine"],
}
MATH = re.compile(r"<math [^>]*>.*?</math>", re.S)


def maths(html: str) -> list:
    return MATH.findall(html)


def test_every_formula_is_on_a_lesson():
    assert sorted({name for names in FORMULA_PAGES.values() for name in names}) == sorted(FORMULAS)


@pytest.mark.parametrize("path", list(FORMULA_PAGES))
def test_formulas_are_mathml_with_a_text_alternative(client, path):
    found = maths(page(client, path))
    assert len(found) >= len(FORMULA_PAGES[path])
    for math in found:
        element = ET.fromstring(math)  # well-formed: the browser draws what latex2mathml wrote
        assert element.get("aria-label") and element.get("alttext") == element.get("aria-label")
        assert element.get("display") in ("block", "inline")
        assert not re.search(r"\\[a-z]+", math), "a LaTeX command left unconverted"


def test_the_formulas_say_what_the_chapter_says(client):
    softmax_page = page(client, "/learn/softmax")
    assert "<mfrac>" in softmax_page and "&#x02211;" in softmax_page  # a fraction with Σ
    assert "C′" in softmax_page or "&#x02032;" in softmax_page  # C prime
    activations = page(client, "/learn/activations")
    assert activations.count('aria-label="The ') >= 4
    assert "1 over 1 plus exp of minus x" in activations


def test_the_network_writes_each_layer_as_the_book_does(client):
    html = page(client, "/learn/network")
    assert 'aria-label="A1 equals X times W1 plus B1. Z1 equals h of A1."' in html
    assert 'aria-label="A3 equals Z2 times W3 plus B3. Y equals sigma of A3."' in html
    assert text(marked(html), "affine-shapes") == "X (784,) · W1 (784, 50) + B1 (50,) → A1 (50,)"


def test_korean_formulas_have_korean_text_alternatives(client):
    for path in FORMULA_PAGES:
        for math in maths(page(client, path + "?lang=ko")):
            label = ET.fromstring(math).get("aria-label")
            assert re.search("[가-힣]", label), (path, label)


# --- The book's sigmoid -----------------------------------------------------------------------------


def test_the_code_panel_shows_the_books_sigmoid_and_says_why_it_is_written_so(client):
    html = page(client, "/learn/activations")
    assert "return 1 / (1 + np.exp(-x))" in html
    assert "tanh" not in html.split('data-name="sigmoid"')[1].split("</figure>")[0]
    assert "overflows to inf" in html


def test_the_books_sigmoid_does_not_warn_and_gives_the_limits():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = sigmoid(np.float32([-1000, -1, 0, 1, 1000]))
    assert y.tolist() == pytest.approx([0.0, 0.26894142, 0.5, 0.73105858, 1.0])


# --- Numbers that do not mislead ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, shown",
    [
        (0.99995458, "0.99995"),
        (4.5397868e-05, "4.54 × 10⁻⁵"),
        (2.0610600e-09, "2.06 × 10⁻⁹"),
        (0.5, "0.5000"),
        (1.0, "1.0000"),
        (0.0, "0.0000"),
        (-0.0, "0.0000"),
        (0.00012, "0.0001"),
        (float("nan"), "nan"),
        (float("-inf"), "-inf"),
    ],
)
def test_fixed_never_shows_a_small_probability_as_0_or_a_large_one_as_1(value, shown):
    assert fixed(value) == shown
    assert is_rounded_away(value) == (shown not in ("0.5000", "1.0000", "0.0000", "0.0001", "nan", "-inf"))


def test_softmax_of_1010_1000_990_reads_truthfully_with_the_books_steps(client):
    found = marked(page(client, "/learn/softmax", query_string={"logits": "1010, 1000, 990"}))
    assert [t for _, t in found["softmax-safe"]] == ["0.99995 ★(largest)", "4.54 × 10⁻⁵", "2.06 × 10⁻⁹"]
    assert [t for _, t in found["softmax-shifted"]] == ["0.0000", "-10.0000", "-20.0000"]
    assert [t for _, t in found["softmax-exp"]] == ["1.0000", "4.54 × 10⁻⁵", "2.06 × 10⁻⁹"]
    assert float(values(found, "softmax-exp")[1]) == pytest.approx(np.exp(-10), rel=1e-6)
    assert text(found, "softmax-safe-sum") == "1.0000"
    html = page(client, "/learn/softmax", query_string={"logits": "1010, 1000, 990"})
    assert html.count('class="exact-on-focus"') == 5  # 0.99995 and the four powers of ten
    assert re.search(r'<data class="exact-on-focus" value="4\.5397\d*e-05" tabindex="0"', html)


def test_the_softmax_steps_are_the_engines_softmax():
    from nn.functions import softmax
    from web.lessons.compute import softmax_steps

    a = np.float32([0.3, 2.9, 4.0, 1010])
    shifted, exp_a, total, y = softmax_steps(a)
    np.testing.assert_array_equal(y, softmax(a))
    assert shifted.max() == 0 and total == exp_a.sum()


def test_the_star_marks_the_largest_without_counting_columns(client):
    html = page(client, "/learn/softmax")
    assert "both columns" not in html and "(marked ★)" in html


# --- One shape convention, the book's network, the batch lesson ----------------------------------------


def test_one_image_gives_y_of_shape_10_in_every_lesson(client):
    loop = page(client, "/learn/batches/run", method="POST", data={"model": "book", "batch_size": "1"}, headers=HTMX)
    assert "x (784,) → y (10,)" in loop and "(1, 10)" not in loop
    assert "→ <code>y (10,)</code>" in page(client, "/learn/network")


@pytest.mark.parametrize("path", ["/learn/network", "/learn/batches", "/learn/test-set", "/learn/perceptron"])
def test_lessons_open_on_the_books_network_whatever_the_other_pages_remember(client, path):
    client.set_cookie("model", "default")
    html = page(client, path)
    selected = elements(html, selected=None)
    assert not selected or selected[0]["value"] == "book", path
    assert "784-50-100-10" in html
    if path != "/learn/perceptron":
        asked = page(client, path + "?model=book-retrained")
        assert elements(asked, selected=None)[0]["value"] == "book-retrained"


def test_the_drawing_and_inside_pages_keep_the_app_wide_choice(client):
    client.set_cookie("model", "default")
    for path in ("/", "/inside"):
        assert elements(page(client, path), selected=None, value="default"), path
    client.post("/learn/batches/run", data={"model": "book-retrained", "batch_size": "1000"}, headers=HTMX)
    assert elements(page(client, "/"), selected=None, value="default")  # a lesson did not change it


def test_the_batch_lesson_gives_the_two_reasons_and_the_shape_chain(client):
    html = page(client, "/learn/batches")
    assert "optimised for large arrays" in html and "between memory and the CPU" in html
    chain = text(marked(html), "batch-shape-chain")
    assert chain == "X (100, 784) · W1 (784, 50) → (100, 50) · W2 (50, 100) → (100, 100) · W3 (100, 10) → (100, 10)"


def test_the_fastest_way_is_one_sentence(client):
    rows = [("1", "20.0", "9352"), ("10", "4.0", "9352"), ("100", "1.5", "9352")]
    data = {"model": "book", "batch_size": "1000", "measured": [",".join(r) for r in rows]}
    html = page(client, "/learn/batches/run", method="POST", data=data, headers=HTMX)
    summary = text(marked(html), "batch-summary")
    assert re.fullmatch(r"Fastest: batches of (100|1,000) images, [\d.]+ times as fast as the book's loop\.", summary)


# --- Names in the page's language, whole messages ---------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/inside", "/learn/network", "/learn/batches", "/learn/test-set"])
def test_model_pickers_show_the_models_names_in_the_pages_language(client, path):
    html = page(client, path + ("&" if "?" in path else "?") + "lang=ko")
    options = re.findall(r"<option value=\"(book|book-retrained|default)\"[^>]*>([^<]*)</option>", html)
    assert {name for name, _ in options} == {"book", "book-retrained", "default"}
    labels = dict(options)
    assert labels["book"].startswith("책의 가중치") and labels["default"].startswith("앱의 큰 신경망")
    for label in labels.values():
        # no id shows; "렐루 함수 (ReLU)" names the function as the book does
        assert not re.search(r"\b(book|default|retrained|sigmoid|relu)\b", label), label


def test_the_test_set_lesson_says_a_cell_in_one_sentence(client):
    html = page(client, "/learn/test-set?model=book&true=4&predicted=9")
    assert "Images of 4 read as 9: 35" in html and 'aria-label="Images of 4 read as 9: 35"' in html
    assert 'reads <strong data-testid="correct-count">9,352</strong> of the 10,000 test images right' in html
    korean = page(client, "/learn/test-set?model=book&true=4&predicted=9&lang=ko")
    assert "4를 9로 읽은 이미지: 35장" in korean


def test_the_keys_help_gives_the_arrow_rule(client):
    html = page(client, "/learn/neuron")
    assert 'data-testid="arrows-rule"' in html and "with the mouse, they change the lesson again" in html


def test_the_drawing_pages_sample_note_is_marked_to_go_with_a_change(client):
    assert re.search(r'<p id="sample-note"[^>]*data-drawing-note', page(client, "/"))
