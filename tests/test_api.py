"""The JSON API's contract: POST /api/predict (raw PNG or JSON data URL, ?model=), GET /api/models,
and a clear 4xx JSON error for every kind of bad input, never a 500."""

import base64
import math

import pytest

from tests.digits import blank_png
from tests.digits import digit_png
from tests.digits import labelled_drawings


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


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
def test_raw_png_is_read(client, digit):
    response = client.post("/api/predict?model=book", data=digit_png(digit), content_type="image/png")
    assert response.status_code == 200
    body = response.get_json()
    check_contract(body)
    assert (body["digit"], body["model"], body["blank"]) == (int(digit), "book", False)


def test_json_data_url_gives_the_same_reading_as_raw_png(client):
    png = digit_png("7")
    raw = client.post("/api/predict?model=book", data=png, content_type="image/png").get_json()
    via_json = client.post("/api/predict?model=book", json={"image": data_url(png)})
    assert via_json.status_code == 200
    assert via_json.get_json() == raw


def test_default_model_is_used_without_model_parameter(client):
    default = client.get("/api/models").get_json()["default"]
    body = client.post("/api/predict", data=digit_png("1"), content_type="image/png").get_json()
    check_contract(body)
    assert body["model"] == default


def test_every_shipped_model_reads_a_clear_one(client):
    for entry in client.get("/api/models").get_json()["models"]:
        body = client.post(
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


def test_labelled_drawings_keep_the_contract(client):
    drawings = labelled_drawings()
    correct = 0
    for name, png, label in drawings:
        response = client.post("/api/predict?model=book", data=png, content_type="image/png")
        assert response.status_code == 200, name
        body = response.get_json()
        check_contract(body)
        assert body["blank"] is False, name
        correct += body["digit"] == label
    assert correct >= 0.6 * len(drawings), f"book read only {correct} of {len(drawings)} labelled drawings"


def test_input_is_the_mnist_style_image(client):
    body = client.post("/api/predict?model=book", data=digit_png("1"), content_type="image/png").get_json()
    columns = [sum(row[c] for row in body["input"]) for c in range(28)]
    rows = [sum(row) for row in body["input"]]
    assert max(columns) > 0
    # A "1" framed as MNIST: inked rows fill a 20 px box, centred; the ink is near the middle column.
    inked_rows = [r for r, total in enumerate(rows) if total > 0.05]
    assert 18 <= len(inked_rows) <= 22
    assert 11 <= columns.index(max(columns)) <= 16


TRUNCATED = digit_png("1")[:120]

BAD_REQUESTS = [
    # (case, request keyword arguments, status, words the error must contain)
    ("not an image", dict(data=b"hello, world", content_type="image/png"), 400, "not an image"),
    ("truncated PNG", dict(data=TRUNCATED, content_type="image/png"), 400, "truncated"),
    (
        "SVG is not a raster",
        dict(data=b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml"),
        400,
        "not an image",
    ),
    ("bad base64", dict(json={"image": "data:image/png;base64,@@not base64@@"}), 400, "base64"),
    ("data URL not an image", dict(json={"image": data_url(b"plain text")}), 400, "not an image"),
    ("not a data URL", dict(json={"image": "https://example.org/seven.png"}), 400, "data URL"),
    ("JSON without image", dict(json={"picture": "data:image/png;base64,AAAA"}), 400, '"image"'),
    ("image not a string", dict(json={"image": 7}), 400, '"image"'),
    ("JSON not an object", dict(json=[1, 2, 3]), 400, "JSON object"),
    ("malformed JSON", dict(data=b"{not json", content_type="application/json"), 400, "JSON object"),
    ("wrong content type", dict(data=b"abc", content_type="text/plain"), 400, "Content-Type"),
    ("no content type", dict(data=b"abc"), 400, "Content-Type"),
    ("empty body", dict(data=b"", content_type="image/png"), 400, "empty"),
    ("empty data URL", dict(json={"image": "data:image/png;base64,"}), 400, "empty"),
    ("oversize body", dict(data=b"\0" * (8 * 1024 * 1024 + 1), content_type="image/png"), 413, "exceeds"),
]


@pytest.mark.parametrize(("case", "kwargs", "status", "words"), BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS])
def test_bad_input_is_a_clear_4xx_json_error(client, case, kwargs, status, words):
    response = client.post("/api/predict", **kwargs)
    assert response.status_code == status, case
    assert response.is_json
    error = response.get_json()["error"]
    assert isinstance(error, str) and words.lower() in error.lower(), error


def test_unknown_model_names_the_available_ones(client):
    response = client.post("/api/predict?model=nope", data=digit_png("1"), content_type="image/png")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "nope" not in error and "unknown model" in error and "book" in error  # the name asked for is not echoed


def test_oversize_follows_max_content_length(app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = app.test_client().post("/api/predict", data=digit_png("0") + b"\0" * 1000, content_type="image/png")
    assert response.status_code == 413
    assert response.get_json()["error"]


def test_models_lists_every_model_with_its_card(client):
    response = client.get("/api/models")
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
    assert response.is_json and response.get_json()["error"]
    assert "Allow" in response.headers


def test_unknown_api_path_is_404_json(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"]
