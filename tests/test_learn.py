"""The lessons (/learn) through Flask's test client: every route renders, the numbers on the pages
are the nn functions' numbers, the code shown is the code that ran, and bad input answers 400 with
a message in place (never 500)."""

import inspect
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from app import create_app
from nn import Network
from nn import load_model
from nn.functions import ACTIVATIONS
from nn.functions import softmax
from nn.functions import softmax_naive
from tests.helpers import HTMX
from tests.test_inside import MODELS
from tests.test_inside import ROOT
from web.filters import fixed
from web.lessons import compute
from web.lessons.pages import LESSONS


@pytest.fixture
def app():
    return create_app({"TESTING": True, "MODELS": MODELS, "DEFAULT_MODEL": "wide"})


VOID = ("input", "img", "br", "meta", "link", "circle", "line", "rect", "path", "stop", "polyline")


class Marked(HTMLParser):
    """{data-testid: [(attributes, text)]} of a page."""

    def __init__(self):
        super().__init__()
        self.found, self.open = {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in VOID:
            if "data-testid" in attrs:
                self.found.setdefault(attrs["data-testid"], []).append((attrs, ""))
            return
        self.open.append((tag, attrs, []))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in (name for name, _, _ in self.open):
            return
        while self.open:
            name, attrs, text = self.open.pop()
            if self.open:
                self.open[-1][2].append("".join(text))
            if "data-testid" in attrs:
                self.found.setdefault(attrs["data-testid"], []).append((attrs, " ".join("".join(text).split())))
            if name == tag:
                break

    def handle_data(self, data):
        if self.open:
            self.open[-1][2].append(data)


def marked(html: str) -> dict:
    parser = Marked()
    parser.feed(html)
    return parser.found


def values(found: dict, testid: str) -> list:
    return [attrs["data-value"] for attrs, _ in found[testid]]


def text(found: dict, testid: str) -> str:
    return found[testid][0][1]


# --- The index and the lesson frame --------------------------------------------------------------------


def test_index_lists_seven_lessons_in_chapter_order(client):
    html = client.get("/learn").get_data(as_text=True)
    slugs = re.findall(r'<li data-slug="([^"]+)"', html)
    assert slugs == ["perceptron", "neuron", "activations", "softmax", "network", "batches", "test-set"]
    for slug in ("perceptron", "neuron", "activations", "softmax", "network"):
        assert f'href="/learn/{slug}"' in html


def test_every_page_links_to_the_lessons(client):
    for path in ("/", "/inside", "/learn", "/learn/neuron"):
        assert 'href="/learn"' in client.get(path).get_data(as_text=True), path


@pytest.mark.parametrize("index", range(5))
def test_lessons_link_previous_and_next(client, index):
    lesson = LESSONS[index]
    html = client.get(f"/learn/{lesson.slug}").get_data(as_text=True)
    if index > 0:
        assert f'rel="prev" href="/learn/{LESSONS[index - 1].slug}"' in html
        assert f'data-previous="/learn/{LESSONS[index - 1].slug}"' in html
    else:
        assert 'rel="prev"' not in html
    assert f"{index + 1} / 7" in html


def test_lesson_urls_skip_lessons_not_registered_yet(app):
    """batches and test-set come from another module; until then they are listed, not linked."""
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    html = app.test_client().get("/learn").get_data(as_text=True)
    for lesson in LESSONS:
        assert (f'href="/learn/{lesson.slug}"' in html) == (lesson.endpoint in registered)


# --- Lesson 1: one neuron ------------------------------------------------------------------------------


@pytest.mark.parametrize("h", list(ACTIVATIONS))
@pytest.mark.parametrize(
    "x1, x2, w1, w2, b", [(1.0, 0.5, 0.5, 0.5, -0.7), (-2.0, 2.0, 1.3, -0.4, 0.2), (0.0, 0.0, 0.0, 0.0, -3.0)]
)
def test_neuron_output_is_nn_functions(client, h, x1, x2, w1, w2, b):
    query = dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, h=h)
    found = marked(client.get("/learn/neuron", query_string=query).get_data(as_text=True))
    a = np.dot(np.float32([x1, x2]), np.float32([w1, w2])) + np.float32(b)
    y = ACTIVATIONS[h](a)
    assert float(values(found, "neuron-output")[0]) == pytest.approx(float(y), abs=1e-7)
    assert text(found, "neuron-output") == f"{float(y):.4f}".replace("-0.0000", "0.0000")
    assert text(found, "neuron-a") == fixed(a)


def test_neuron_bias_sets_how_easily_it_fires(client):
    """Moving b up widens the part of the plane where the neuron fires (a > 0)."""
    shares = []
    for b in (-2.0, 0.0, 2.0):
        found = marked(client.get("/learn/neuron", query_string={"b": b}).get_data(as_text=True))
        shares.append(int(text(found, "firing").rstrip("%")))
    assert shares[0] < shares[1] < shares[2]
    assert 45 <= shares[1] <= 50  # b = 0: the line a = 0 halves the plane (cells on it give a = 0, not > 0)


@pytest.mark.parametrize("h", ["sigmoid", "identity"])
def test_neuron_heat_map_legend_names_its_ends(client, h):
    html = client.get("/learn/neuron", query_string={"h": h}).get_data(as_text=True)
    ends = re.findall(r'<text class="tick" x="[\d.]+" y="288"[^>]*>([^<]*)</text>', html)
    assert len(ends) >= 2 and all(re.fullmatch(r"y [≤≥]?-?[\d.]+", end) for end in ends), ends


def test_neuron_shows_the_code_that_ran(client):
    html = client.get("/learn/neuron?h=relu").get_data(as_text=True)
    assert html_text(inspect.getsource(ACTIVATIONS["relu"])) in html
    assert html_text(inspect.getsource(compute.neuron_output).strip()) in html
    assert "nn/functions.py" in html and str(ROOT) not in html  # the project's path, not the server's


def html_text(code: str) -> str:
    return (
        code.strip()
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def test_neuron_fragment_for_htmx_carries_the_slider_labels(client):
    response = client.get("/learn/neuron?x1=-1.5", headers=HTMX)
    html = response.get_data(as_text=True)
    assert '<div id="neuron-result"' in html
    assert "<html" not in html
    assert 'id="neuron-x1-value" for="neuron-x1" hx-swap-oob="true">-1.5<' in html
    assert response.headers["HX-Replace-Url"] == "/learn/neuron?x1=-1.5"
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("x1=abc", "“x1” must be a number from -2 to 2, not “abc”."),
        ("b=9", "“b” must be a number from -3 to 3, not “9”."),
        ("w1=nan", "“w1” must be a number from -2 to 2, not “nan”."),
        ("h=tanh", "Unknown activation function “tanh”; choose one of: sigmoid, relu, step, identity."),
        ("x1=abc&lang=ko", "“x1”에는 -2부터 2까지의 수를 넣어야 합니다. 받은 값: “abc”."),
        ("h=tanh&lang=ko", "알 수 없는 활성화 함수 “tanh”입니다. 다음 중에서 고르세요: sigmoid, relu, step, identity."),
    ],
)
def test_neuron_bad_input_is_400_in_place(client, query, message):
    response = client.get("/learn/neuron?" + query, headers=HTMX)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="neuron-result"') and f"</strong> {message}</p>" in html
    page = client.get("/learn/neuron?" + query)
    assert page.status_code == 400 and f"</strong> {message}</p>" in page.get_data(as_text=True)


def test_neuron_heat_map_has_a_text_alternative(client):
    html = client.get("/learn/neuron").get_data(as_text=True)
    assert 'role="img" aria-labelledby="heat-title"' in html
    assert 'data-testid="plane-facts"' in html


def test_heat_map_cells_cover_the_plane_once():
    w, b = np.float32([0.5, -1.0]), -0.3
    plane = compute.neuron_plane(w, b, "sigmoid", np.float32([0, 0]))
    area = 0.0
    for _, d in plane.runs:
        area += sum(float(width) * 0.1 for width in re.findall(r"h([\d.]+)v", d))
    assert area == pytest.approx(16.0)  # 4 x 4
    assert plane.boundary is not None
    x1, y1, x2, y2 = plane.boundary  # the line b + w1 x1 + w2 x2 = 0, in (x1, -x2)
    for x, minus_x2 in ((x1, y1), (x2, y2)):
        assert b + 0.5 * x - 1.0 * -minus_x2 == pytest.approx(0.0, abs=1e-9)


# --- Lesson 2: activation functions ---------------------------------------------------------------------


@pytest.mark.parametrize("x", [-6.0, -1.3, 0.0, 0.1, 2.5, 6.0])
def test_activation_values_are_nn_functions(client, x):
    found = marked(client.get(f"/learn/activations?x={x}").get_data(as_text=True))
    for name, h in ACTIVATIONS.items():
        shown = text(found, f"value-{name}")
        assert re.fullmatch(r"-?\d+\.\d{4}", shown)  # at least 3 decimals
        assert float(shown) == pytest.approx(float(h(np.float32(x))), abs=5e-5)


def test_x_slider_is_a_range_from_minus_6_to_6(client):
    html = client.get("/learn/activations").get_data(as_text=True)
    slider = re.search(r"<input[^>]*data-testid=\"x-slider\"[^>]*>", html).group(0)
    assert 'type="range"' in slider and 'min="-6"' in slider and 'max="6"' in slider


@pytest.mark.parametrize("c, x", [(2.0, 3.0), (-0.5, 7.0), (1.1, -1000.0), (0.0, 5.0)])
def test_three_linear_layers_equal_one(client, c, x):
    found = marked(client.get("/learn/activations", query_string={"c": c, "cx": x}).get_data(as_text=True))
    three, one = values(found, "collapse-three")[0], values(found, "collapse-one")[0]
    assert three == one
    assert float(three) == pytest.approx(c**3 * x, rel=1e-5)


def test_activations_link_to_the_identity_what_if(client):
    html = client.get("/learn/activations").get_data(as_text=True)
    assert 'href="/inside?activation=identity&amp;sample=0"' in html
    assert client.get("/inside?activation=identity&sample=0").status_code == 200


def test_activation_fragments(client):
    values_part = client.get("/learn/activations?x=2", headers=HTMX).get_data(as_text=True)
    assert 'id="activation-values"' in values_part and "<html" not in values_part
    collapse = client.get("/learn/activations?part=collapse&c=3&cx=1", headers=HTMX).get_data(as_text=True)
    assert 'id="collapse-result"' in collapse and ">27<" in collapse


@pytest.mark.parametrize(
    "query, block, message",
    [
        ("x=7", "activation-values", "“x” must be a number from -6 to 6, not “7”."),
        ("part=collapse&c=x", "collapse-result", "“c” must be a number from -10 to 10, not “x”."),
        ("part=collapse&cx=-2000", "collapse-result", "“cx” must be a number from -1,000 to 1,000, not “-2000”."),
    ],
)
def test_activation_bad_input(client, query, block, message):
    response = client.get("/learn/activations?" + query, headers=HTMX)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<div id="{block}"') and f"</strong> {message}</p>" in html


# --- Lesson 3: softmax ------------------------------------------------------------------------------------


def test_softmax_overflow_is_nan_naive_and_finite_safe(client):
    found = marked(client.get("/learn/softmax", query_string={"logits": "1010, 1000, 990"}).get_data(as_text=True))
    assert values(found, "softmax-naive") == ["nan", "nan", "nan"]
    safe = np.array([float(v) for v in values(found, "softmax-safe")])
    assert np.all(np.isfinite(safe))
    assert safe.sum() == pytest.approx(1.0, abs=1e-6)
    assert np.allclose(safe, softmax(np.float32([1010, 1000, 990])), rtol=1e-6)
    assert text(found, "softmax-naive-sum") == "nan"
    assert text(found, "softmax-safe-sum") == "1.0000"
    assert "overflow-note" in found


def test_softmax_values_match_and_keep_the_order(client):
    logits = [0.3, 2.9, 4.0, -1.0]
    found = marked(
        client.get("/learn/softmax", query_string={"logits": ", ".join(map(str, logits))}).get_data(as_text=True)
    )
    a = np.float32(logits)
    assert np.allclose([float(v) for v in values(found, "softmax-naive")], softmax_naive(a), rtol=1e-6)
    assert np.allclose([float(v) for v in values(found, "softmax-safe")], softmax(a), rtol=1e-6)
    stars = [("★" in cell) for _, cell in found["softmax-safe"]]
    assert stars == [False, False, True, False]  # argmax of a is argmax of softmax(a)
    assert [("★" in cell) for _, cell in found["softmax-naive"]] == stars


def test_softmax_takes_2_to_20_values(client):
    for n in (2, 20):
        logits = ",".join(str(i) for i in range(n))
        found = marked(client.get("/learn/softmax", query_string={"logits": logits}).get_data(as_text=True))
        assert len(found["softmax-safe"]) == n


FINITE = "Each number must be finite and at most 1e+30 in size, not “%s”."


@pytest.mark.parametrize(
    "logits, message",
    [
        ("", "Type at least two numbers, separated by commas."),
        ("   ", "Type at least two numbers, separated by commas."),
        ("5", "Type at least two numbers, separated by commas."),
        ("1, two, 3", "“two” is not a number."),
        ("1,,2", "“” is not a number."),
        (",".join(["1"] * 21), "At most 20 numbers, please; you typed 21."),
        ("1, inf", FINITE % "inf"),
        ("1, nan", FINITE % "nan"),
        ("1, 1e400", FINITE % "1e400"),
        ("1, 1e31", FINITE % "1e31"),
        ("1, " + "x" * 50, "“" + "x" * 39 + "…” is not a number."),  # quoted short
    ],
)
def test_softmax_bad_input_is_400_in_place(client, logits, message):
    response = client.get("/learn/softmax", query_string={"logits": logits}, headers=HTMX)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html.count('id="softmax-result"') == 1 and f"</strong> {message}</p>" in html and 'role="alert"' in html
    page = client.get("/learn/softmax", query_string={"logits": logits})
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert f"</strong> {message}</p>" in body and 'data-testid="logits"' in body  # the form keeps what was typed


@pytest.mark.parametrize(
    "logits, korean",
    [
        ("5", "쉼표로 구분한 수를 두 개 이상 입력하세요."),
        ("1, two", "수가 아닙니다: “two”."),
        (",".join(["1"] * 21), "수는 20개까지만 입력하세요. 입력한 수: 21개."),
        ("1, inf", "각 수는 유한하고 크기가 1e+30 이하여야 합니다. 받은 값: “inf”."),
    ],
)
def test_softmax_bad_input_in_korean(client, logits, korean):
    response = client.get("/learn/softmax", query_string={"logits": logits, "lang": "ko"}, headers=HTMX)
    assert response.status_code == 400 and f"</strong> {korean}</p>" in response.get_data(as_text=True)


def test_softmax_page_shows_both_functions_source(client):
    html = client.get("/learn/softmax").get_data(as_text=True)
    assert html_text(inspect.getsource(softmax)) in html
    assert html_text(inspect.getsource(softmax_naive)) in html


# --- Lesson 4: the network ---------------------------------------------------------------------------------


def test_network_shapes_as_the_chapter_writes_them(client):
    found = marked(client.get("/learn/network").get_data(as_text=True))  # the chapter's own weights
    assert text(found, "shape-x") == "x (784,)"
    assert text(found, "shape-W1") == "W1 (784, 50)"
    assert text(found, "shape-W2") == "W2 (50, 100)"
    assert text(found, "shape-W3") == "W3 (100, 10)"
    assert text(found, "shape-chain") == "x (784,) · W1 (784, 50) · W2 (50, 100) · W3 (100, 10) → y (10,)"
    assert found["inside-link"][0][0]["href"] == "/inside?model=book&sample=0"


@pytest.mark.parametrize("name", ["wide", "shallow", "deep"])
def test_network_shapes_come_from_the_chosen_model(client, name):
    network: Network = MODELS[name].network
    found = marked(client.get(f"/learn/network?model={name}").get_data(as_text=True))
    for i in range(1, network.depth + 1):
        assert text(found, f"shape-W{i}") == f"W{i} {network.params[f'W{i}'].shape}"
    assert f"shape-W{network.depth + 1}" not in found


def test_network_answer_is_the_models(client):
    from web.samples import test_set

    with client.application.app_context():
        images, _ = test_set()
    x = images[0].reshape(784).astype(np.float32) / 255.0
    found = marked(client.get("/learn/network?model=book").get_data(as_text=True))
    assert int(text(found, "network-answer")) == int(np.argmax(MODELS["book"].network.forward(x).y))


def test_network_unknown_model_is_400(client):
    message = "There is no such model; the models are: book, wide, shallow, deep."
    response = client.get("/learn/network?model=nope", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and html.lstrip().startswith('<div id="network-result"') and message in html
    page = client.get("/learn/network?model=nope&lang=ko")
    assert page.status_code == 400 and "그런 모델은 없습니다. 있는 모델: book, wide, shallow, deep." in page.get_data(
        as_text=True
    )


def test_network_fragment(client):
    response = client.get("/learn/network?model=deep", headers=HTMX)
    html = response.get_data(as_text=True)
    assert '<div id="network-result"' in html and "<html" not in html
    assert 'data-model="deep"' in html


def test_network_shows_the_forward_source(client):
    html = client.get("/learn/network").get_data(as_text=True)
    assert html_text(inspect.getsource(Network.forward).strip().splitlines()[0].strip()) in html


def test_book_model_is_the_chapters():
    assert load_model(ROOT / "models" / "book.npz").network.sizes == [784, 50, 100, 10]


# --- Presenter mode ----------------------------------------------------------------------------------------


def test_present_query_turns_it_on_and_a_cookie_remembers(client):
    response = client.get("/learn?present=1")
    assert '<body class="present">' in response.get_data(as_text=True)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("present=1") and "SameSite=Lax" in cookie
    assert '<body class="present">' in client.get("/").get_data(as_text=True)
    assert '<body class="present">' in client.get("/inside").get_data(as_text=True)
    off = client.get("/learn/neuron?present=0")
    assert "<body>" in off.get_data(as_text=True) and off.headers["Set-Cookie"].startswith("present=0")
    assert "<body>" in client.get("/").get_data(as_text=True)


def test_present_switch_is_a_form_that_keeps_the_query(client):
    html = client.get("/learn/softmax?logits=1,2").get_data(as_text=True)
    form = re.search(r'<form class="present-switch" action="([^"]+)" method="get">(.*?)</form>', html, re.S)
    assert form.group(1) == "/learn/softmax"
    assert '<input type="hidden" name="logits" value="1,2">' in form.group(2)
    assert 'name="present" value="1"' in form.group(2) and 'aria-pressed="false"' in form.group(2)
    on = client.get("/learn/softmax?logits=1,2&present=1").get_data(as_text=True)
    assert 'name="present" value="0"' in on and 'aria-pressed="true"' in on


def test_present_switch_after_a_post_goes_to_the_page(client):
    html = client.post("/read", data={"image": ""}).get_data(as_text=True)
    assert '<form class="present-switch" action="/" method="get">' in html


def test_key_help_is_on_every_page(client):
    for path in ("/", "/inside", "/learn", "/learn/softmax"):
        html = client.get(path).get_data(as_text=True)
        assert '<dialog id="keys-help"' in html and "/static/present." in html, path


def test_templates_follow_the_csp_rules():
    """No inline script, no on...= handlers, no style attributes in the lesson templates."""
    for path in [*(ROOT / "templates" / "learn").glob("*.html"), ROOT / "templates" / "partials" / "keys_help.html"]:
        source = path.read_text(encoding="utf-8")
        assert "style=" not in source, path
        assert not re.search(r"\son[a-z]+=", source), path
        assert not re.search(r"<script(?![^>]*\ssrc=)", source), path


def test_korean_lesson_page(client):
    html = client.get("/learn/activations?lang=ko").get_data(as_text=True)
    assert "활성화 함수" in html and "계단 함수" in html and "발표 모드" in html
