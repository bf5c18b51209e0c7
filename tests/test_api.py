"""The JSON API's contract: POST /api/predict (raw PNG or JSON data URL, ?model=), GET /api/models,
and a clear 4xx JSON error for every kind of bad input, never a 500."""

import math

import pytest

from tests.digits import READ_RIGHT
from tests.digits import blank_png
from tests.digits import digit_png
from tests.digits import labelled_drawings
from tests.helpers import data_url


def check_contract(body: dict) -> None:
    assert set(body) == {"digit", "confidence", "probabilities", "model", "blank", "input"}
    assert isinstance(body["blank"], bool)
    assert isinstance(body["model"], str) and body["model"]
    assert len(body["probabilities"]) == 10
    assert all(isinstance(p, float) and 0.0 <= p <= 1.0 for p in body["probabilities"])
    assert math.isclose(sum(body["probabilities"]), 1.0, abs_tol=1e-4)
    assert len(body["input"]) == 28 and all(len(row) == 28 for row in body["input"])
    assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for row in body["input"] for v in row)
    assert isinstance(body["confidence"], float)
    if body["blank"]:
        assert body["digit"] is None
    else:
        assert isinstance(body["digit"], int) and 0 <= body["digit"] <= 9
        assert body["confidence"] == max(body["probabilities"])


@pytest.mark.parametrize("digit", ["1", "7", "0"])
def test_raw_png_is_read(real_client, digit):
    response = real_client.post("/api/predict?model=book", data=digit_png(digit), content_type="image/png")
    assert response.status_code == 200
    body = response.get_json()
    check_contract(body)
    assert (body["digit"], body["model"], body["blank"]) == (int(digit), "book", False)


def test_json_data_url_gives_the_same_reading_as_raw_png(client):
    png = digit_png("7")
    raw = client.post("/api/predict", data=png, content_type="image/png").get_json()
    via_json = client.post("/api/predict", json={"image": data_url(png)})
    assert via_json.status_code == 200
    assert via_json.get_json() == raw


def test_default_model_is_used_without_model_parameter(client):
    default = client.get("/api/models").get_json()["default"]
    body = client.post("/api/predict", data=digit_png("1"), content_type="image/png").get_json()
    check_contract(body)
    assert body["model"] == default


def test_every_shipped_model_reads_a_clear_one(real_client):
    for entry in real_client.get("/api/models").get_json()["models"]:
        body = real_client.post(
            f"/api/predict?model={entry['name']}", data=digit_png("1"), content_type="image/png"
        ).get_json()
        check_contract(body)
        assert body["model"] == entry["name"]
        assert body["digit"] == 1, entry["name"]


def test_blank_canvas_has_no_digit(client):
    response = client.post("/api/predict", data=blank_png(), content_type="image/png")
    assert response.status_code == 200
    body = response.get_json()
    check_contract(body)
    assert body["blank"] is True
    assert body["digit"] is None
    assert body["confidence"] == 0.0
    assert not any(v for row in body["input"] for v in row)


def test_every_shipped_model_has_a_measured_figure_on_the_drawings(real_models):
    assert sorted(real_models) == sorted(READ_RIGHT)


@pytest.mark.parametrize("model", list(READ_RIGHT))
def test_every_committed_drawing_is_read(real_client, model):
    drawings = labelled_drawings()
    assert len(drawings) == 20
    wrong = []
    for name, png, label in drawings:
        response = real_client.post(f"/api/predict?model={model}", data=png, content_type="image/png")
        assert response.status_code == 200, name
        body = response.get_json()
        check_contract(body)
        assert body["blank"] is False, name
        if body["digit"] != label:
            wrong.append(f"{name} read as {body['digit']}")
    assert len(drawings) - len(wrong) >= READ_RIGHT[model], wrong


def test_input_is_the_mnist_style_image(client):
    body = client.post("/api/predict", data=digit_png("1"), content_type="image/png").get_json()
    columns = [sum(row[c] for row in body["input"]) for c in range(28)]
    rows = [sum(row) for row in body["input"]]
    assert max(columns) > 0
    # A "1" framed as MNIST: inked rows fill a 20 px box, centred; the ink is near the middle column.
    inked_rows = [r for r, total in enumerate(rows) if total > 0.05]
    assert 18 <= len(inked_rows) <= 22
    assert 11 <= columns.index(max(columns)) <= 16


TRUNCATED = digit_png("1")[:120]

NOT_AN_IMAGE = "This is not an image we can read (expected PNG, JPEG, GIF, BMP, WebP or TIFF)."
NOT_A_STRING = '"image" must be a data URL string such as "data:image/png;base64,..."'
NOT_AN_OBJECT = 'the body is not a JSON object; send {"image": "data:image/png;base64,..."}'
CONTENT_TYPE = "unsupported Content-Type; send image/png, application/json or a form"
TOO_LARGE = "The data value transmitted exceeds the capacity limit."

BAD_REQUESTS = [
    # (case, request keyword arguments, status, the error)
    ("not an image", dict(data=b"hello, world", content_type="image/png"), 400, NOT_AN_IMAGE),
    (
        "truncated PNG",
        dict(data=TRUNCATED, content_type="image/png"),
        400,
        "The image data is truncated or corrupt (image file is truncated).",
    ),
    (
        "SVG is not a raster",
        dict(data=b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml"),
        400,
        NOT_AN_IMAGE,
    ),
    (
        "bad base64",
        dict(json={"image": "data:image/png;base64,@@not base64@@"}),
        400,
        '"image" is not valid base64 (Only base64 data is allowed)',
    ),
    ("data URL not an image", dict(json={"image": data_url(b"plain text")}), 400, NOT_AN_IMAGE),
    (
        "not a data URL",
        dict(json={"image": "https://example.org/seven.png"}),
        400,
        '"image" must be a base64 data URL starting with "data:image/png;base64,"',
    ),
    ("JSON without image", dict(json={"picture": "data:image/png;base64,AAAA"}), 400, NOT_A_STRING),
    ("image not a string", dict(json={"image": 7}), 400, NOT_A_STRING),
    ("JSON not an object", dict(json=[1, 2, 3]), 400, NOT_AN_OBJECT),
    ("malformed JSON", dict(data=b"{not json", content_type="application/json"), 400, NOT_AN_OBJECT),
    ("wrong content type", dict(data=b"abc", content_type="text/plain"), 400, CONTENT_TYPE),
    ("no content type", dict(data=b"abc"), 400, CONTENT_TYPE),
    ("empty body", dict(data=b"", content_type="image/png"), 400, "the image is empty"),
    ("empty data URL", dict(json={"image": "data:image/png;base64,"}), 400, "the image is empty"),
    ("oversize body", dict(data=b"\0" * (8 * 1024 * 1024 + 1), content_type="image/png"), 413, TOO_LARGE),
]


@pytest.mark.parametrize(("case", "kwargs", "status", "error"), BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS])
def test_bad_input_is_a_clear_4xx_json_error(client, case, kwargs, status, error):
    response = client.post("/api/predict", **kwargs)
    assert response.status_code == status, case
    assert response.is_json
    assert response.get_json() == {"error": error}


@pytest.mark.parametrize("language", ["en", "ko"])  # English for programs, whatever the language
def test_unknown_model_names_the_available_ones(client, language):
    response = client.post(f"/api/predict?model=nope&lang={language}", data=digit_png("1"), content_type="image/png")
    assert response.status_code == 400
    assert response.get_json() == {"error": "unknown model; available: tiny-relu, tiny"}  # the name asked is not echoed


def test_oversize_follows_max_content_length(app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = app.test_client().post("/api/predict", data=digit_png("0") + b"\0" * 1000, content_type="image/png")
    assert response.status_code == 413
    assert response.get_json() == {"error": TOO_LARGE}


def test_models_lists_every_model_with_its_card(real_client):
    response = real_client.get("/api/models")
    assert response.status_code == 200
    body = response.get_json()
    names = [entry["name"] for entry in body["models"]]
    assert "book" in names
    assert body["default"] in names
    assert [entry["default"] for entry in body["models"]].count(True) == 1
    book = body["models"][names.index("book")]
    assert book["card"]["architecture"] == "784-50-100-10"
    assert book["card"]["test_accuracy"] == pytest.approx(0.9352)
    for entry in body["models"]:
        assert {"name", "architecture", "activation", "test_accuracy"} <= set(entry["card"])


@pytest.mark.parametrize(
    ("method", "path"), [("get", "/api/predict"), ("put", "/api/predict"), ("post", "/api/models")]
)
def test_wrong_method_is_405_json(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response.get_json() == {"error": "The method is not allowed for the requested URL."}
    assert "Allow" in response.headers


def test_unknown_api_path_is_404_json(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"].startswith("The requested URL was not found on the server.")
