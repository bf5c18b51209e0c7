"""Property-based fuzzing (Hypothesis): whatever a client sends, the app answers 4xx or 2xx, never
5xx, and the preprocessing raises nothing but PreprocessError.

The default run is short (profile "fuzz", about 250 examples in all); HYPOTHESIS_PROFILE=long runs
about twenty times as many. No example database is kept (database=None).
"""

import base64
import http.client
import io
import json
import os
from urllib.parse import urlsplit

import numpy as np
import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from PIL import Image

from preprocess import PreprocessError
from preprocess import mnistify
from tests.digits import STROKES
from tests.digits import digit_png
from tests.helpers import HTMX

SHARED = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
settings.register_profile("fuzz", max_examples=50, **SHARED)
settings.register_profile("long", max_examples=1000, **SHARED)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "fuzz")
FUZZ = settings.get_profile(PROFILE if PROFILE in ("fuzz", "long") else "fuzz")
FEW = settings(FUZZ, max_examples=max(10, FUZZ.max_examples // 4))  # for the slow routes

# --- What a client might send -----------------------------------------------------------------------

MODELS = st.sampled_from(["", "book", "default", "book-retrained", "nope", "<script>", "../models/book", "\x00"])
NUMBERS = st.one_of(
    st.integers(-5, 100_000).map(str), st.sampled_from(["", " 3 ", "²", "٣", "1e3", "0x10", "-0", "3.5"]), st.text()
)
TEXT = st.text(max_size=40)
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "image/png",
            "image/jpeg",
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "text/plain",
            "",
            "image/",
            "application/json; charset=latin-1",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)


def data_url(data: bytes, kind: str = "png") -> str:
    return f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")


PNGS = [digit_png(digit) for digit in STROKES]  # drawn once: drawing them per example is slow
IMAGE_BYTES = st.one_of(
    st.binary(max_size=600),
    st.sampled_from(PNGS),
    st.tuples(st.sampled_from(PNGS), st.floats(0, 1)).map(lambda cut: cut[0][: int(len(cut[0]) * cut[1])]),  # truncated
)
IMAGE_FIELD = st.one_of(
    st.just(""),
    TEXT,
    IMAGE_BYTES.map(data_url),
    st.binary(max_size=60).map(lambda b: "data:image/png;base64," + base64.b64encode(b).decode()[:-1]),
    st.text(max_size=30).map(lambda t: "data:image/png;base64," + t),
)
JSON_BODIES = st.one_of(
    JSON,
    st.fixed_dictionaries({"image": IMAGE_FIELD}),
    st.fixed_dictionaries({"image": JSON}),
    st.dictionaries(st.sampled_from(["image", "model", "x"]), JSON, max_size=3),
)
QUERIES = st.dictionaries(st.sampled_from(["model", "lang", "x", "activation", "sample"]), TEXT | MODELS, max_size=3)
HTMX_HEADERS = st.sampled_from([{}, HTMX, HTMX | {"HX-Target": "section#result"}])


def body_and_type(draw) -> tuple:
    """(body, Content-Type) for a request: raw bytes, JSON, or a form, under any declared type."""
    kind = draw(st.sampled_from(["bytes", "json", "form"]))
    if kind == "bytes":
        return draw(IMAGE_BYTES), draw(CONTENT_TYPES)
    if kind == "json":
        text = json.dumps(draw(JSON_BODIES))
        return text.encode(), draw(st.sampled_from(["application/json", "text/plain", "image/png"]) | CONTENT_TYPES)
    return None, None


def assert_answered(response):
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    response.close()


# --- The routes, through the test client -------------------------------------------------------------


@FUZZ
@given(data=st.data(), query=QUERIES)
def test_api_predict_never_5xx(client, data, query):
    body, content_type = body_and_type(data.draw)
    if body is None:  # a form
        form = data.draw(st.dictionaries(st.sampled_from(["image", "model"]), IMAGE_FIELD, max_size=2))
        response = client.post("/api/predict", query_string=query, data=form)
    else:
        response = client.post("/api/predict", query_string=query, data=body, content_type=content_type)
    assert response.is_json  # the API answers JSON, errors too
    assert_answered(response)


@FUZZ
@given(data=st.data(), headers=HTMX_HEADERS)
def test_read_never_5xx(client, data, headers):
    body, content_type = body_and_type(data.draw)
    if body is None:
        form = {"image": data.draw(IMAGE_FIELD), "model": data.draw(MODELS | TEXT)}
        form |= data.draw(st.dictionaries(st.sampled_from(["compare", "lang"]), TEXT, max_size=2))
        response = client.post("/read", data=form, headers=headers)
    else:
        response = client.post("/read", data=body, content_type=content_type, headers=headers)
    assert_answered(response)


@FEW
@given(data=st.data(), headers=HTMX_HEADERS)
def test_inside_read_never_5xx(client, data, headers):
    form = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "sample": NUMBERS,
                "model": MODELS | TEXT,
                "shown_model": MODELS,
                "activation": st.sampled_from(["step", "sigmoid", "relu", "identity", "softmax", ""]) | TEXT,
                "image": IMAGE_FIELD,
            },
        )
    )
    if data.draw(st.booleans()):
        response = client.post("/inside/read", data=form, headers=headers)
    else:
        body, content_type = body_and_type(data.draw)
        body = body if body is not None else b""
        response = client.post("/inside/read", data=body, content_type=content_type, headers=headers)
    assert_answered(response)


@FEW
@given(layer=NUMBERS, neuron=NUMBERS, sample=NUMBERS, headers=HTMX_HEADERS)
def test_inside_neuron_never_5xx(client, layer, neuron, sample, headers):
    query = {"layer": layer, "neuron": neuron, "sample": sample}
    assert_answered(client.get("/inside/neuron", query_string=query, headers=headers))


# --- The preprocessing, directly ------------------------------------------------------------------------

MODES = ["1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I", "F", "CMYK", "YCbCr", "HSV", "PA", "La", "RGBa"]
SIZES = [(1, 1), (1, 5000), (5000, 1), (2, 3), (28, 28), (280, 280), (3, 900), (640, 1)]
FORMATS = {"PNG", "TIFF", "GIF", "BMP", "WEBP", "JPEG"}


def mnistify_or_refuse(data: bytes):
    """mnistify's whole contract: Steps, or PreprocessError, nothing else."""
    try:
        steps = mnistify(data)
    except PreprocessError:
        return None
    assert steps.mnist.shape == (28, 28) and np.isfinite(steps.mnist).all()
    assert steps.mnist.min() >= 0 and steps.mnist.max() <= 1
    return steps


@FUZZ
@given(data=st.binary(max_size=4000))
def test_random_bytes_are_read_or_refused(data):
    mnistify_or_refuse(data)


@FUZZ
@given(
    mode=st.sampled_from(MODES),
    size=st.sampled_from(SIZES),
    seed=st.integers(0, 2**32 - 1),
    fmt=st.sampled_from(sorted(FORMATS)),
)
def test_odd_image_modes_and_sizes_are_read_or_refused(mode, size, seed, fmt):
    """Images of every Pillow mode, random pixels (NaN and inf included for F), in every format
    that will store them; the ones a format cannot store are skipped."""
    try:
        probe = Image.new(mode, (1, 1))
    except ValueError:
        return  # a mode this Pillow cannot make
    pixels = np.random.default_rng(seed).integers(0, 256, len(probe.tobytes()) * size[0] * size[1], dtype=np.uint8)
    image = Image.frombytes(mode, size, pixels.tobytes())
    buffer = io.BytesIO()
    try:
        image.save(buffer, format=fmt)
    except (OSError, ValueError, KeyError, TypeError):
        return  # this format does not store this mode
    mnistify_or_refuse(buffer.getvalue())


# --- A real server, afterwards ---------------------------------------------------------------------


def send(base: str, method: str, path: str, body: bytes, headers: dict) -> int:
    host = urlsplit(base)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


@FEW
@given(data=st.data(), path=st.sampled_from(["/api/predict", "/read", "/inside/read"]))
def test_a_live_server_answers_odd_requests_and_keeps_answering(live_server, data, path):
    body, content_type = body_and_type(data.draw)
    if body is None:
        body, content_type = b"image=" + data.draw(st.binary(max_size=200)), "application/x-www-form-urlencoded"
    headers = {"Content-Type": content_type} if content_type else {}
    assert send(live_server, "POST", path, body, headers | data.draw(HTMX_HEADERS)) < 500
    assert send(live_server, "GET", "/api/models", b"", {}) == 200


def test_the_live_server_still_reads_a_digit(live_server):
    """After the fuzzing above (same server, same session), a normal request works as before."""
    host = urlsplit(live_server)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    connection.request("POST", "/api/predict?model=book", body=digit_png("1"), headers={"Content-Type": "image/png"})
    response = connection.getresponse()
    assert response.status == 200 and json.loads(response.read())["digit"] == 1
    connection.close()


@pytest.mark.parametrize("name", ["fuzz", "long"])
def test_profiles_keep_no_example_database(name):
    assert settings.get_profile(name).database is None
