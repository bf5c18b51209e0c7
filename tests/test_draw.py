"""The drawing page through Flask's test client: the page, the result fragment htmx swaps in
(invitation, reading, unsure, error), the plain-resize comparison, the model picker, samples, Korean."""

import base64
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from app import create_app
from nn import Model
from nn import Network
from tests.digits import READ_RIGHT
from tests.digits import blank_png
from tests.digits import digit_png
from tests.digits import labelled_drawings
from tests.helpers import HTMX
from tests.helpers import data_url


def prediction(html: str) -> str:
    """The text of the data-testid="prediction" element."""
    match = re.search(r'<div[^>]*data-testid="prediction"[^>]*>([^<]*)</div>', html)
    assert match, "no prediction element"
    return match.group(1).strip()


def flat_model(name: str, favourites: dict, accuracy) -> Model:
    """A one-layer network that ignores the image: softmax of the biases. For the unsure path."""
    b1 = np.zeros(10, dtype=np.float32)
    for digit, bias in favourites.items():
        b1[digit] = bias
    network = Network({"W1": np.zeros((784, 10), dtype=np.float32), "b1": b1}, "sigmoid")
    card = {"name": f"Flat {name}", "architecture": "784-10", "activation": "sigmoid", "test_accuracy": accuracy}
    return Model(name=name, card=card, network=network)


@pytest.fixture
def flat_client():
    models = {
        "sure": flat_model("sure", {3: 9.0}, 0.1135),
        "unsure": flat_model("unsure", {4: 2.0, 9: 1.9}, None),
    }
    return create_app({"TESTING": True, "MODELS": models, "DEFAULT_MODEL": "sure"}).test_client()


def read(client, png: bytes | None, headers=HTMX, **form):
    return client.post("/read", data={"image": "" if png is None else data_url(png), **form}, headers=headers)


def test_page_renders_canvas_form_and_invitation(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<canvas data-drawing" in html and 'data-testid="canvas"' in html
    assert 'data-testid="clear"' in html and 'data-testid="undo"' in html
    assert 'hx-post="/read"' in html and 'hx-trigger="drawing-changed' in html
    assert 'hx-sync="this:queue last"' in html  # live updates survive slow networks
    assert 'name="image"' in html
    assert re.search(r"/static/canvas\.[0-9a-f]{12}\.js", html) and "/static/vendor/htmx-4.0.1/htmx.min." in html
    assert 'id="result"' in html and 'aria-live="polite"' in html
    assert 'data-testid="invitation"' in html
    assert prediction(html) == ""
    assert "http://" not in html and "https://" not in html  # nothing from other hosts


def test_htmx_request_gets_the_fragment_others_the_page(real_client):
    fragment = read(real_client, digit_png("7"), model="book")
    page = read(real_client, digit_png("7"), headers={}, model="book")
    for response in (fragment, page):
        assert response.status_code == 200
        assert "HX-Request" in response.headers["Vary"]
        assert prediction(response.get_data(as_text=True)) == "7"
    assert fragment.get_data(as_text=True).lstrip().startswith('<section id="result"')
    assert "<html" not in fragment.get_data(as_text=True)
    assert "<html" in page.get_data(as_text=True) and "<canvas" in page.get_data(as_text=True)


@pytest.mark.parametrize("digit", ["1", "7", "0"])
def test_reading_shows_digit_bars_and_the_28x28_input(real_client, digit):
    html = read(real_client, digit_png(digit), model="book").get_data(as_text=True)
    assert prediction(html) == digit
    bars = re.search(r'<ol class="bars" data-testid="probabilities".*?</ol>', html, re.S).group(0)
    values = [float(v) for v in re.findall(r'<data class="bar-value" value="([^"]+)"', bars)]
    assert len(values) == 10 and sum(values) == pytest.approx(1, abs=1e-4)
    assert values.index(max(values)) == int(digit)
    assert re.search(r"\d+(\.\d+)?%", bars)  # the numbers are written out, not only drawn
    assert bars.count("is-top") == 1
    seen = re.search(r'<img class="pixels" src="data:image/png;base64,([^"]+)"[^>]*data-testid="seen"', html)
    image = Image.open(io.BytesIO(base64.b64decode(seen.group(1))))
    assert image.size == (28, 28)


@pytest.mark.parametrize("model", list(READ_RIGHT))
def test_every_committed_drawing_reads_as_through_the_api(real_client, model):
    """The page's fragment for each of the 20 drawings shows the API's digit, as often right."""
    right = 0
    for name, png, label in labelled_drawings():
        html = read(real_client, png, model=model).get_data(as_text=True)
        api = real_client.post(f"/api/predict?model={model}", data=png, content_type="image/png").get_json()
        assert prediction(html) == str(api["digit"]), name
        right += api["digit"] == label
    assert right >= READ_RIGHT[model]


@pytest.mark.parametrize("png", [None, blank_png()], ids=["empty field", "white image"])
def test_blank_canvas_shows_the_invitation_not_a_prediction(client, png):
    response = read(client, png)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="invitation"' in html
    assert prediction(html) == ""
    assert 'data-testid="probabilities"' not in html


def test_unsure_reading_says_so_and_names_the_top_two(flat_client):
    html = read(flat_client, digit_png("1"), model="unsure").get_data(as_text=True)
    assert "result--unsure" in html
    assert "<strong>The network is unsure: 4 or 9?</strong>" in html
    assert "4: 33.5%, 9: 30.3%." in html  # softmax of the biases: e^2 and e^1.9 over 8 + e^2 + e^1.9
    assert prediction(html) == "4"


def test_sure_reading_is_not_unsure(flat_client):
    html = read(flat_client, digit_png("1"), model="sure").get_data(as_text=True)
    assert "result--unsure" not in html
    assert prediction(html) == "3"


def test_plain_resize_comparison_only_when_asked(client):
    plain = read(client, digit_png("7")).get_data(as_text=True)
    assert 'data-testid="why"' not in plain
    html = read(client, digit_png("7"), compare="on").get_data(as_text=True)
    assert 'data-testid="why"' in html
    assert 'data-testid="mnist-input"' in html and 'data-testid="plain-input"' in html
    assert re.search(r'data-testid="plain-prediction">\d</strong>', html)
    plain_bars = re.search(r'data-testid="plain-probabilities".*?</ol>', html, re.S).group(0)
    assert plain_bars.count('class="bar-value"') == 10
    for step in ("Crop to the ink", "Fit into 20 × 20", "Centre of mass to the middle"):
        assert step in html
    assert 'class="crop-box"' in html and 'class="mass-dot"' in html
    assert re.search(r"placed at row -?\d+\.\d, column -?\d+\.\d:", html)


SHOWN_NAMES = {
    "book": "The book's weights",
    "book-retrained": "The book's network, retrained",
    "default": "The app's large network",
}


def test_model_picker_lists_every_model_with_its_accuracy(real_client):
    html = real_client.get("/").get_data(as_text=True)
    picker = re.search(r'<select name="model".*?</select>', html, re.S).group(0)
    models = real_client.get("/api/models").get_json()
    for entry in models["models"]:
        assert f'value="{entry["name"]}"' in picker
        assert SHOWN_NAMES[entry["name"]] in picker.replace("&#39;", "'")  # web.terms.model_names, not the id
        if isinstance(entry["card"]["test_accuracy"], float):
            assert f"{entry['card']['test_accuracy'] * 100:.2f}%" in picker
    assert "93.52%" in picker  # the book's weights
    assert re.search(rf'value="{models["default"]}"\s+selected', picker)


def test_model_picker_with_injected_models(flat_client):
    html = flat_client.get("/?model=unsure").get_data(as_text=True)
    picker = re.search(r'<select name="model".*?</select>', html, re.S).group(0)
    assert "Flat sure · 11.35%" in picker
    assert "Flat unsure · not measured" in picker
    assert re.search(r'value="unsure"\s+selected', picker)
    # changing it re-reads the drawing: the form posts on a change from any .draw-option
    assert re.search(r'<select name="model" [^>]*class="draw-option"', picker)
    assert re.search(r'<form id="draw-form"[^>]*hx-trigger="[^"]*change from:\.draw-option', html)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"image": "data:image/png;base64,AAAA"},
            "This is not an image we can read (expected PNG, JPEG, GIF, BMP, WebP or TIFF).",
        ),
        ({"image": "data:image/png;base64,@@@"}, "The drawing is not valid base64 (Only base64 data is allowed)."),
        ({"image": "not a data url"}, "The drawing must be a data URL such as “data:image/png;base64,...”."),
        (
            {"image": data_url(digit_png("1")[:150])},
            "The image data is truncated or corrupt (image file is truncated).",
        ),
        (
            {"image": data_url(digit_png("1")), "model": "nope"},
            "There is no such model; the models are: tiny-relu, tiny.",
        ),
    ],
    ids=["not an image", "bad base64", "not a data URL", "truncated", "unknown model"],
)
def test_bad_drawing_is_an_error_fragment_in_the_results_place(client, form, message):
    response = client.post("/read", data=form, headers=HTMX)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="result"')  # htmx 4 swaps 4xx bodies: same target
    assert "This drawing could not be read." in html and 'role="alert"' in html
    assert f'<p class="verdict-detail">{message}</p>' in html
    assert prediction(html) == ""


def test_oversize_drawing_is_an_error_fragment(app):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = app.test_client().post("/read", data={"image": data_url(digit_png("0"))}, headers=HTMX)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="result"')
    assert '<p class="verdict-detail">The drawing is too large to read (over 2 KB).</p>' in html


def test_sample_hands_an_mnist_test_image_to_the_canvas(client):
    response = client.post("/sample", data={"digit": "7"}, headers=HTMX)
    assert response.status_code == 200
    trigger = json.loads(response.headers["HX-Trigger"])["drawing-load"]
    assert trigger["target"] == "#draw-form"
    image = Image.open(io.BytesIO(base64.b64decode(trigger["image"].split(",", 1)[1])))
    assert image.size == (28, 28)
    assert np.asarray(image)[0, 0] == 255  # dark ink on white, like the canvas
    assert "labelled 7" in response.get_data(as_text=True)
    # ... and the network reads that image through the same route as a drawing.
    html = client.post("/read", data={"image": trigger["image"]}, headers=HTMX).get_data(as_text=True)
    assert prediction(html).isdigit()


def test_sample_by_index_is_that_test_image(client):
    html = client.post("/sample", data={"index": "0"}, headers=HTMX).get_data(as_text=True)
    assert "no. 0" in html and "labelled 7" in html  # the first MNIST test image is a 7


NO_SAMPLE = "There is no MNIST test image “%s”; they are numbered 0 to 9,999."


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"digit": "x"}, "“x” is not a digit from 0 to 9."),
        ({"digit": "42"}, "“42” is not a digit from 0 to 9."),
        ({"index": "10000"}, NO_SAMPLE % "10000"),
        ({"index": "-1"}, NO_SAMPLE % "-1"),
        ({"index": "x" * 50, "digit": "3"}, NO_SAMPLE % ("x" * 39 + "…")),  # the index wins, quoted short
    ],
)
def test_bad_sample_request_is_a_400_message(client, form, message):
    response = client.post("/sample", data=form, headers=HTMX)
    assert response.status_code == 400
    assert "HX-Trigger" not in response.headers
    assert f"That sample could not be loaded: {message}</span>" in response.get_data(as_text=True)


def test_korean_page_and_fragment(real_client):
    html = real_client.get("/?lang=ko").get_data(as_text=True)
    assert '<html lang="ko">' in html
    assert "숫자를 그려 보세요" in html and "되돌리기" in html and "지우기" in html
    fragment = read(real_client, digit_png("7"), model="book").get_data(as_text=True)  # the lang cookie sticks
    assert "7로 읽었습니다." in fragment  # the particle chosen for 7 (칠로), web.terms
    assert "Probability of each digit" not in fragment


def test_the_model_picked_on_one_page_opens_the_other(client):
    """Picking a model on the drawing page (a reading posted with it) carries over to /inside
    and back, through a cookie; the JSON API is not affected by it."""
    assert client.post("/read", data={"model": "tiny-relu", "image": ""}).status_code == 200
    assert client.get_cookie("model").value == "tiny-relu"
    inside = client.get("/inside").get_data(as_text=True)
    assert '<option value="tiny-relu" selected' in inside
    client.set_cookie("model", "no-such-model")
    assert client.get("/").status_code == 200
    assert client.get("/inside").status_code == 200
