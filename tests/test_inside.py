"""The inside page through Flask's test client: every model and activation renders, the chart data
is the forward pass, neuron details, samples, and bad input answering 400 (never 500)."""

import io
import re
import shutil
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image
from PIL import ImageDraw

from app import create_app
from nn import load_model
from nn.functions import ACTIVATIONS
from nn.mnist import load_test_set
from tests.helpers import HTMX
from tests.helpers import ROOT
from tests.helpers import data_url
from tests.helpers import random_model
from tests.helpers import write_models
from web.reading import read_drawing

MODELS = {
    "book": load_model(ROOT / "models" / "book.npz"),  # the book's weights: real shapes, real readings
    "wide": random_model("wide", [784, 512, 256, 10], "relu", 1),  # shaped like models/default
    "shallow": random_model("shallow", [784, 30, 10], "sigmoid", 2),  # one hidden layer
    "deep": random_model("deep", [784, 64, 32, 16, 10], "sigmoid", 3),  # three hidden layers
}


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    folder = write_models(tmp_path_factory.mktemp("models"), [m for m in MODELS.values() if m.name != "book"])
    for suffix in (".npz", ".json"):
        shutil.copy(ROOT / "models" / f"book{suffix}", folder)
    return folder


@pytest.fixture
def app(models_dir):
    return create_app({"TESTING": True, "MODELS_DIR": str(models_dir), "DEFAULT_MODEL": "book"})


@pytest.fixture(scope="module")
def test_set():
    return load_test_set()


def drawing_png(kind: str = "one") -> bytes:
    """A 280x280 canvas like the app's: black ink on white; "one" is a vertical stroke."""
    image = Image.new("RGB", (280, 280), "white")
    if kind == "one":
        ImageDraw.Draw(image).line([(140, 50), (135, 230)], fill="black", width=18)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class Charts(HTMLParser):
    """Collects every chart value: {testid of the enclosing section: {symbol: [values by data-i]}},
    plus texts of elements with a data-testid."""

    def __init__(self, html: str):
        super().__init__()
        self.values, self.texts, self.testids = {}, {}, []
        self.stack, self.symbol, self.capture = [], None, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        void = tag in ("input", "br", "meta", "link", "img", "hr", "source", "col", "wbr")
        testid = a.get("data-testid")
        if testid:
            self.testids.append(testid)
            self.capture.append([testid, []])
        if not void:
            self.stack.append((tag, testid))
        if tag == "svg" and "data-symbol" in a:
            self.symbol = a["data-symbol"]
        if "data-value" in a and self.symbol:
            section = next(
                (t for _, t in reversed(self.stack) if t and t not in ("neuron-weights", "neuron-evidence")), None
            )
            chart = next((t for _, t in reversed(self.stack) if t in ("neuron-weights", "neuron-evidence")), None)
            key = chart or section
            values = self.values.setdefault(key, {}).setdefault(self.symbol, {})
            values[int(a["data-i"])] = np.float32(a["data-value"])

    def handle_endtag(self, tag):
        if tag == "svg":
            self.symbol = None
        while self.stack:
            open_tag, testid = self.stack.pop()
            if testid:
                for item in reversed(self.capture):
                    if item[0] == testid:
                        self.texts.setdefault(testid, "".join(item[1]).strip())
                        self.capture.remove(item)
                        break
            if open_tag == tag:
                break

    def handle_data(self, data):
        for item in self.capture:
            item[1].append(data)

    def array(self, section: str, symbol: str) -> np.ndarray:
        values = self.values[section][symbol]
        assert sorted(values) == list(range(len(values)))
        return np.array([values[i] for i in range(len(values))], dtype=np.float32)


def assert_charts_equal_trace(html: str, trace, row: int = 0):
    """Layer by layer, the numbers in data-value are exactly the forward pass's."""
    charts = Charts(html)
    assert np.array_equal(charts.array("input", "x"), trace.x[row])
    depth = len(trace.a)
    for n in range(1, depth + 1):
        assert np.array_equal(charts.array(f"layer-{n}", f"a{n}"), trace.a[n - 1][row]), f"a{n}"
        if n < depth:
            assert np.array_equal(charts.array(f"layer-{n}", f"z{n}"), trace.z[n - 1][row]), f"z{n}"
    assert np.array_equal(charts.array("softmax", "y"), trace.y[row])
    assert f"layer-{depth + 1}" not in charts.testids
    return charts


# --- The page -----------------------------------------------------------------------------------


def test_page_without_input_invites_to_draw_and_offers_samples(client):
    response = client.get("/inside")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="invitation"' in html and 'data-state="waiting"' in html
    assert "<canvas data-drawing" in html and 'hx-trigger="drawing-changed' in html
    assert 'href="/inside?sample=3&amp;model=book"' in html  # the first 0 of the test set
    assert "/static/inside." in html and "/static/canvas." in html  # content-hashed names (web/static_files.py)


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_sample_renders_for_every_model_and_activation(client, test_set, model, activation):
    response = client.get(f"/inside?sample=7&model={model}&activation={activation}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    x, t = test_set
    trace = MODELS[model].network.forward(x[7:8], activation)
    charts = assert_charts_equal_trace(html, trace)
    assert charts.texts["inside-digit"] == str(int(trace.y[0].argmax()))
    assert f"MNIST test image #7, labelled {t[7]}." in html
    depth = MODELS[model].network.depth
    assert [tid for tid in charts.testids if tid.startswith("layer-")] == [f"layer-{n}" for n in range(1, depth + 1)]
    assert f'value="{activation}" data-testid="activation-{activation}" checked' in html


def test_shapes_follow_the_model(client):
    html = client.get("/inside?sample=0&model=wide").get_data(as_text=True)
    for shapes in (
        "(784,) · (784, 512) + (512,) →",
        "(512,) · (512, 256) + (256,) →",
        "(256,) · (256, 10) + (10,) →",
    ):
        assert shapes in html
    book = client.get("/inside?sample=0").get_data(as_text=True)
    assert "(784,) · (784, 50) + (50,) →" in book and "(50,) · (50, 100) + (100,) →" in book
    assert "a1 = np.dot(x, W1) + b1" in book and "z2 = sigmoid(a2)" in book and "y = softmax(a3)" in book


def test_the_input_and_the_softmax_are_written_as_one_image_too(client):
    """x (784,) and y (10,) like every layer between them, as 949b058 wrote them; a merge (cf1fbe1)
    had put back (1, 784) and (1, 10) → (1, 10) around the layers' (784,) · (784, 50) + (50,)."""
    html = client.get("/inside?sample=0").get_data(as_text=True)
    assert 'flattened → <span class="shape">(784,)</span>' in html
    assert '<span class="shapes">(10,) → <span class="shape">(10,)</span></span>' in html
    shapes = re.findall(r'<(?:span|p) class="shapes">(.*?)</(?:span|p)>', html, re.S)
    assert len(shapes) >= 4 and not [s for s in shapes if "(1, " in s]


def test_sample_shows_its_label_and_neighbours(client, test_set):
    html = client.get("/inside?sample=0").get_data(as_text=True)
    assert "MNIST test image #0, labelled 7." in html and 'rel="next"' in html and 'rel="prev"' not in html
    last = client.get("/inside?sample=9999").get_data(as_text=True)
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_drawing_reading_equals_the_forward_pass(client):
    png = drawing_png()
    response = client.post("/inside/read", data={"image": data_url(png), "model": "book"}, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="reading"') and "<html" not in html
    reading = read_drawing(png, MODELS["book"], compare_plain=True)
    assert_charts_equal_trace(html, reading.trace)
    assert f"which the network reads as {reading.plain_digit}." in html  # row 1 of the batch
    assert response.headers["HX-Replace-Url"] == "/inside?model=book"
    assert "HX-Request" in response.headers["Vary"]


def test_the_plain_resize_goes_through_the_network_only_when_compared():
    png = drawing_png()
    alone = read_drawing(png, MODELS["book"])
    compared = read_drawing(png, MODELS["book"], compare_plain=True)
    assert alone.trace.x.shape == (1, 784) and not alone.compared and alone.plain_digit is None
    assert compared.trace.x.shape == (2, 784) and compared.compared
    np.testing.assert_allclose(compared.trace.x[1], compared.steps.plain.reshape(784))
    assert compared.plain_digit == int(np.argmax(compared.plain_probabilities))
    np.testing.assert_allclose(alone.probabilities, compared.probabilities, rtol=1e-5, atol=1e-7)
    assert alone.digit == compared.digit


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_drawing_renders_for_every_model_and_activation(client, model, activation):
    png = drawing_png()
    form = {"image": data_url(png), "model": model, "activation": activation, "shown_model": model}
    response = client.post("/inside/read", data=form, headers=HTMX)
    assert response.status_code == 200
    reading = read_drawing(png, MODELS[model], activation, compare_plain=True)
    charts = assert_charts_equal_trace(response.get_data(as_text=True), reading.trace)
    assert charts.texts["inside-digit"] == str(reading.digit)


def test_drawing_as_a_raw_png_body_and_without_htmx(client):
    response = client.post("/inside/read?model=book", data=drawing_png(), content_type="image/png")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<!doctype html>") and 'data-state="ready"' in html
    assert "<hx-partial" not in html


@pytest.mark.parametrize("image", ["", None])
def test_empty_or_blank_drawing_shows_the_invitation(client, image):
    value = image if image is not None else data_url(drawing_png("blank"))
    response = client.post("/inside/read", data={"image": value}, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="invitation"' in html and 'data-testid="layer-1"' not in html


def test_the_what_if_switch_compares_the_activations(client, test_set):
    html = client.get("/inside?sample=0&activation=step").get_data(as_text=True)
    x, _ = test_set
    network = MODELS["book"].network
    for name in ACTIVATIONS:
        digit = int(network.forward(x[0:1], name).y[0].argmax())
        assert re.search(
            rf'data-activation="{name}">\s*<th scope="row">[^<]*(<small>[^<]*</small>\s*)*</th>\s*'
            rf'<td class="digit-cell">{digit}</td>',
            html,
        ), name
    assert 'aria-current="true" data-activation="step"' in html
    assert "z1 = step_function(a1)" in html
    assert 'class="curve curve-step current"' in html


def test_picking_another_model_starts_with_its_own_activation(client):
    form = {"sample": "0", "model": "wide", "shown_model": "book", "activation": "sigmoid"}
    response = client.post("/inside/read", data=form, headers=HTMX)
    html = response.get_data(as_text=True)
    assert 'data-activation="relu"' in html  # wide was trained with relu
    assert '<hx-partial hx-target="#activation-control"' in html
    assert response.headers["HX-Replace-Url"] == "/inside?model=wide&sample=0"
    same = client.post("/inside/read", data=form | {"shown_model": "wide"}, headers=HTMX)
    assert 'data-activation="sigmoid"' in same.get_data(as_text=True)
    assert "<hx-partial" not in same.get_data(as_text=True)
    assert same.headers["HX-Replace-Url"] == "/inside?model=wide&activation=sigmoid&sample=0"


def test_the_softmax_step_by_step_and_the_overflow(client):
    html = client.get("/inside?sample=0").get_data(as_text=True)
    steps = html[html.index('data-testid="softmax-steps"') :]
    assert "max = " in steps and "Σ<var>y</var> = 1" in steps
    overflow = html[html.index('data-testid="overflow"') : html.index("</table>", html.index('data-testid="overflow"'))]
    assert overflow.count(">nan<") == 3 and overflow.count(">inf<") == 3 and "<td>1</td>" in overflow


def test_korean_uses_the_books_terms(client):
    html = client.get("/inside?sample=0&lang=ko").get_data(as_text=True)
    terms = (
        "은닉층",
        "출력층",
        "소프트맥스 함수",
        "활성화 함수",
        "시그모이드 함수",
        "계단 함수",
        "렐루 함수",
        "항등 함수",
        "가중치",
        "편향",
    )
    for term in terms:
        assert term in html, term
    drawn = client.post("/inside/read?lang=ko", data={"image": data_url(drawing_png())}, headers=HTMX)
    assert "배치" in drawn.get_data(as_text=True)


# --- One neuron -----------------------------------------------------------------------------------


def test_first_layer_neuron_detail_shows_weights_and_evidence(client, test_set):
    response = client.post("/inside/neuron", data={"sample": "0", "layer": "1", "neuron": "17"}, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="neuron-detail"')
    charts = Charts(html)
    network = MODELS["book"].network
    x, _ = test_set
    w = network.params["W1"][:, 17]
    assert np.array_equal(charts.array("neuron-weights", "W1[:, 17]"), w)
    assert np.array_equal(charts.array("neuron-evidence", "x·W1[:, 17]"), x[0] * w)
    trace = network.forward(x[0:1])
    assert charts.texts["neuron-a"] == f"{trace.a[0][0][17]:.4g}"
    assert charts.texts["neuron-z"] == f"{trace.z[0][0][17]:.4g}"
    assert charts.texts["neuron-bias"] == f"{network.params['b1'][17]:.4g}"
    assert "neuron-top" not in charts.testids


def test_deeper_neuron_detail_lists_the_strongest_inputs(client, test_set):
    png = drawing_png()
    form = {"image": data_url(png), "layer": "2", "neuron": "40", "model": "book", "activation": "relu"}
    response = client.post("/inside/neuron", data=form, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    trace = read_drawing(png, MODELS["book"], "relu", compare_plain=True).trace
    products = trace.z[0][0] * MODELS["book"].network.params["W2"][:, 40]
    strongest = np.argsort(-np.abs(products), kind="stable")[:8]
    listed = [int(i) for i in re.findall(r'data-open-layer="1" data-open-neuron="(\d+)"', html)]
    assert listed == strongest.tolist()
    assert np.array_equal(Charts(html).array("neuron-evidence", "z1·W2[:, 40]"), products)
    assert Charts(html).texts["neuron-z"] == f"{trace.z[1][0][40]:.4g}"


def test_output_neuron_detail_and_a_wide_model(client):
    response = client.post(
        "/inside/neuron", data={"sample": "0", "layer": "3", "neuron": "7", "model": "wide"}, headers=HTMX
    )
    assert response.status_code == 200
    charts = Charts(response.get_data(as_text=True))
    assert "neuron-y" in charts.testids and len(charts.array("neuron-weights", "W3[:, 7]")) == 256


def test_neuron_detail_as_a_whole_page(client):
    response = client.get("/inside/neuron?sample=0&layer=2&neuron=5")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<!doctype html>") and 'data-testid="neuron-detail"' in html


# --- Bad input: 400 with a message, never 500 -------------------------------------------------------

NO_MODEL = "There is no such model; the models are: book, deep, shallow, wide."
UNKNOWN = "Unknown activation function “%s”; choose one of: sigmoid, relu, step, identity."
NO_SAMPLE = "There is no MNIST test image “%s”; they are numbered 0 to 9,999."
NO_LAYER = "There is no layer %s; this network has layers 1 to 3."
WHOLE = "“%s” must be a whole number, not “%s”."
NOT_AN_IMAGE = "This is not an image we can read (expected PNG, JPEG, GIF, BMP, WebP or TIFF)."
NOT_A_DATA_URL = "The drawing must be a data URL such as “data:image/png;base64,...”."
NO_INPUT = "Draw a digit first (or pick a test image): a neuron needs an input."
SAMPLE_0 = {"sample": "0"}

BAD = [
    ("post", "/inside/read", {"model": "nope", "sample": "0"}, NO_MODEL),
    ("post", "/inside/read", {"activation": "tanh", "sample": "0"}, UNKNOWN % "tanh"),
    ("post", "/inside/read", {"sample": "10000"}, NO_SAMPLE % "10000"),
    ("post", "/inside/read", {"sample": "-1"}, NO_SAMPLE % "-1"),
    ("post", "/inside/read", {"sample": "seven"}, NO_SAMPLE % "seven"),
    (
        "post",
        "/inside/read",
        {"image": "data:image/png;base64,@@@"},
        "The drawing is not valid base64 (Only base64 data is allowed).",
    ),
    ("post", "/inside/read", {"image": "hello"}, NOT_A_DATA_URL),
    ("post", "/inside/read", {"image": data_url(b"not a png at all")}, NOT_AN_IMAGE),
    ("post", "/inside/neuron", SAMPLE_0 | {"layer": "0", "neuron": "1"}, NO_LAYER % 0),
    ("post", "/inside/neuron", SAMPLE_0 | {"layer": "4", "neuron": "1"}, NO_LAYER % 4),
    (
        "post",
        "/inside/neuron",
        SAMPLE_0 | {"layer": "1", "neuron": "50"},
        "Layer 1 has neurons 0 to 49; there is no neuron 50.",
    ),
    ("post", "/inside/neuron", SAMPLE_0 | {"layer": "2", "neuron": "-3"}, WHOLE % ("neuron", "-3")),
    ("post", "/inside/neuron", SAMPLE_0 | {"layer": "one", "neuron": "1"}, WHOLE % ("layer", "one")),
    ("post", "/inside/neuron", SAMPLE_0 | {"layer": "1"}, WHOLE % ("neuron", "")),
    ("post", "/inside/neuron", {"layer": "1", "neuron": "1", "image": ""}, NO_INPUT),
    ("post", "/inside/neuron", SAMPLE_0 | {"layer": "1", "neuron": "1", "activation": "x"}, UNKNOWN % "x"),
    ("get", "/inside", {"sample": "12345"}, NO_SAMPLE % "12345"),
    ("get", "/inside", {"model": "nope"}, NO_MODEL),
    ("get", "/inside/neuron", SAMPLE_0 | {"layer": "9", "neuron": "0"}, NO_LAYER % 9),
]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "page"])
@pytest.mark.parametrize(("method", "url", "data", "message"), BAD)
def test_bad_input_answers_400_with_a_message(client, method, url, data, message, htmx):
    headers = HTMX if htmx else {}
    if method == "get":
        response = client.get(url, query_string=data, headers=headers)
    else:
        response = client.post(url, data=data, headers=headers)
    assert response.status_code == 400
    assert "HX-Request" in response.headers["Vary"]  # page and fragment differ: caches must keep both
    html = response.get_data(as_text=True)
    assert 'data-testid="inside-error"' in html and f"<strong>That did not work.</strong> {message}</p>" in html
    if htmx:
        block = "neuron-detail" if url.endswith("neuron") else "reading"
        assert html.lstrip().startswith(f'<div id="{block}"')
    else:
        assert html.lstrip().startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("data", "korean"),
    [
        ({"sample": "0", "layer": "one", "neuron": "1"}, "“layer”에는 정수를 넣어야 합니다. 받은 값: “one”."),
        ({"sample": "0", "layer": "1", "neuron": "50"}, "1층의 뉴런은 0부터 49까지입니다. 50번 뉴런은 없습니다."),
        ({"sample": "0", "layer": "4", "neuron": "1"}, "4층은 없습니다. 이 신경망의 층은 1부터 3까지입니다."),
        ({"sample": "10000"}, "MNIST 시험 이미지 “10000”번은 없습니다. 번호는 0부터 9,999까지입니다."),
        (
            {"layer": "1", "neuron": "1", "image": ""},
            "먼저 숫자를 그리거나 시험 이미지를 고르세요. 뉴런에는 입력이 필요합니다.",
        ),
    ],
)
def test_bad_input_is_said_in_korean(client, data, korean):
    response = client.post("/inside/neuron?lang=ko", data={"layer": "1", "neuron": "0"} | data, headers=HTMX)
    assert response.status_code == 400
    assert f"<strong>처리하지 못했습니다.</strong> {korean}</p>" in response.get_data(as_text=True)


def test_unsupported_body_answers_400(client):
    response = client.post("/inside/read", data="hello", content_type="text/plain", headers=HTMX)
    assert response.status_code == 400
    assert "Unsupported Content-Type; send image/png, application/json or a form." in response.get_data(as_text=True)


def test_too_large_a_body_answers_413_with_the_message(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/inside/read", data={"image": "data:image/png;base64," + "A" * 2000}, headers=HTMX)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert 'data-testid="inside-error"' in html and "The drawing is too large to read (over 0.977 KB)." in html


def test_pages_and_fragments_are_gzipped_for_browsers(client):
    import gzip

    plain = client.get("/inside?sample=0")
    zipped = client.get("/inside?sample=0", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data and len(zipped.data) < len(plain.data) / 4
    fragment = client.post("/inside/read", data={"sample": "0"}, headers=HTMX | {"Accept-Encoding": "gzip"})
    assert fragment.headers["Content-Encoding"] == "gzip"
    assert {"HX-Request", "Accept-Encoding"} <= set(fragment.headers["Vary"].replace(" ", "").split(","))
