"""Security: headers on every response, no reflected input, cookies, the 500 handler, model files.

Issue 8. The browser side (every page works under the CSP) is tests/browser/test_security.py and
the page fixtures, which fail a test on any console error.
"""

import contextlib
import gzip
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from nn.mnist import FILES
from tests.digits import digit_png
from tests.helpers import HTMX
from tools.digits import data_url
from tools.servers import ROOT
from tools.servers import AppServer
from tools.servers import free_port
from web import scales

SCRIPT = "<script>alert(1)</script>"
TEMPLATES = ROOT / "templates"
SHIPPED = ROOT / "models"


def png_data_url(digit: str = "1") -> str:
    return data_url(digit_png(digit))


def text_of(response) -> str:
    data = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return data.decode("utf-8")


# --- Headers on every response ----------------------------------------------------------------

EVERY_KIND = {
    "page": ("get", "/", {}),
    "inside page": ("get", "/inside?sample=0", {}),
    "fragment": ("post", "/read", {"data": {"image": ""}, "headers": HTMX}),
    "api": ("get", "/api/models", {}),
    "api error": ("post", "/api/predict", {"data": b"x", "content_type": "text/plain"}),
    "static file": ("get", "/static/style.css", {}),
    "vendored htmx": ("get", "/static/vendor/htmx-4.0.1/htmx.min.js", {}),
    "404": ("get", "/no/such/page", {}),
    "api 404": ("get", "/api/nothing", {}),
    "405": ("delete", "/read", {}),
    "413": ("post", "/api/predict", {"data": b"x" * (9 * 2**20), "content_type": "image/png"}),
}


@pytest.mark.parametrize(("method", "path", "kwargs"), EVERY_KIND.values(), ids=EVERY_KIND.keys())
def test_every_response_carries_the_security_headers(client, method, path, kwargs):
    response = getattr(client, method)(path, **kwargs)
    response.close()  # a static file's handle
    headers = response.headers
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no unsafe-inline, no unsafe-eval
    assert policy["style-src"] == "'self'"  # htmx's indicator CSS is off, templates have no style attribute
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert all(f"{feature}=()" in headers["Permissions-Policy"] for feature in ("camera", "microphone", "geolocation"))
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain http on a laptop


def test_a_500_carries_the_security_headers_too(client, monkeypatch):
    monkeypatch.setattr("web.drawing.api.read_drawing", broken)
    response = client.post("/api/predict", data=digit_png("1"), content_type="image/png")
    assert response.status_code == 500
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_plain_http_is_not_redirected(client):
    assert client.get("/").status_code == 200


# --- What the CSP needs from the templates ------------------------------------------------------

TEMPLATE_FILES = sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_templates_have_no_inline_script_style_or_handler(path):
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"\sstyle\s*=", source), "a style attribute is blocked by style-src 'self'"
    assert not re.search(r"<style\b", source)
    assert not re.search(r"\son[a-z]+\s*=", source), "an on...= handler is blocked by script-src 'self'"
    for tag in re.findall(r"<script\b[^>]*>", source):
        assert "src=" in tag, f"inline script: {tag}"


def test_htmx_injects_no_indicator_stylesheet():
    """htmx 4 adopts a stylesheet for .htmx-indicator unless includeIndicatorCSS is false."""
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", base)
    assert meta and json.loads(meta.group(1))["includeIndicatorCSS"] is False
    htmx = (ROOT / "static/vendor/htmx-4.0.1/htmx.min.js").read_text(encoding="utf-8")
    assert "includeIndicatorCSS" in htmx  # the option this htmx reads
    assert ".htmx-indicator" in (ROOT / "static/style.css").read_text(encoding="utf-8")  # its rules, ours


def test_legend_ramps_in_css_follow_the_palettes():
    """The legends' gradients moved from a style attribute to inside.css: the same stops, evenly spaced."""
    css = (ROOT / "static/inside.css").read_text(encoding="utf-8")
    for kind in scales.LEGEND_STOPS:
        rule = re.search(rf"\.legend-{kind} \.ramp \{{ background: linear-gradient\(to right, ([^)]*)\); \}}", css)
        assert rule, kind
        offsets = [offset for offset, _ in scales.Scale(kind, 0, 1).stops]
        assert offsets == pytest.approx([100 * i / (len(offsets) - 1) for i in range(len(offsets))], abs=0.01)
        assert rule.group(1).split(", ") == [colour for _, colour in scales.Scale(kind, 0, 1).stops]


def test_the_bars_are_sized_by_svg_attributes(client):
    response = client.post("/read", data={"image": png_data_url("1")}, headers=HTMX)
    html = text_of(response)
    widths = [float(w) for w in re.findall(r'<rect class="bar-fill" width="([\d.]+)%"', html)]
    assert len(widths) == 10 and sum(widths) == pytest.approx(100, abs=0.2)


# --- Nothing a client sends comes back unescaped -----------------------------------------------

REFLECTIONS = {
    "api ?model": ("post", f"/api/predict?model={SCRIPT}", {"data": digit_png("1"), "content_type": "image/png"}),
    "api Content-Type": ("post", "/api/predict", {"data": b"x", "content_type": f"text/{SCRIPT}"}),
    "api JSON image": ("post", "/api/predict", {"json": {"image": SCRIPT}}),
    "api JSON shape": ("post", "/api/predict", {"json": [SCRIPT]}),
    "api image bytes": ("post", "/api/predict", {"data": SCRIPT.encode(), "content_type": "image/png"}),
    "page ?model": ("get", f"/?model={SCRIPT}", {}),
    "page ?lang": ("get", f"/?lang={SCRIPT}", {}),
    "read form model": ("post", "/read", {"data": {"model": SCRIPT, "image": png_data_url()}}),
    "read form image": ("post", "/read", {"data": {"image": SCRIPT}}),
    "read form model htmx": ("post", "/read", {"data": {"model": SCRIPT, "image": ""}, "headers": HTMX}),
    "sample form digit": ("post", "/sample", {"data": {"digit": SCRIPT}}),
    "sample form index": ("post", "/sample", {"data": {"index": SCRIPT}}),
    "inside ?model": ("get", f"/inside?model={SCRIPT}", {}),
    "inside ?activation": ("get", f"/inside?sample=0&activation={SCRIPT}", {}),
    "inside ?sample": ("get", f"/inside?sample={SCRIPT}", {}),
    "inside ?lang": ("get", f"/inside?lang={SCRIPT}", {}),
    "inside read form activation": ("post", "/inside/read", {"data": {"sample": "0", "activation": SCRIPT}}),
    "inside read form sample htmx": ("post", "/inside/read", {"data": {"sample": SCRIPT}, "headers": HTMX}),
    "inside read form image": ("post", "/inside/read", {"data": {"image": SCRIPT}, "headers": HTMX}),
    "neuron ?layer": ("get", f"/inside/neuron?sample=0&layer={SCRIPT}&neuron=0", {}),
    "neuron ?neuron": ("get", f"/inside/neuron?sample=0&layer=1&neuron={SCRIPT}", {}),
    "neuron form layer htmx": (
        "post",
        "/inside/neuron",
        {"data": {"sample": "0", "layer": SCRIPT, "neuron": "0"}, "headers": HTMX},
    ),
    "neuron form model": (
        "post",
        "/inside/neuron",
        {"data": {"sample": "0", "layer": "1", "neuron": "0", "model": SCRIPT}},
    ),
    "HX-Target header": ("post", "/read", {"data": {"image": ""}, "headers": HTMX | {"HX-Target": f"#{SCRIPT}"}}),
}


@pytest.mark.parametrize(("method", "path", "kwargs"), REFLECTIONS.values(), ids=REFLECTIONS.keys())
def test_no_input_comes_back_unescaped(client, method, path, kwargs):
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code < 500
    body = text_of(response)
    assert "<script>alert" not in body
    assert "alert(1)</script>" not in body
    for name, value in response.headers.items():
        assert "<script" not in value, name


def test_unknown_model_answers_400_with_the_available_ones(client):
    response = client.post(f"/api/predict?model={SCRIPT}", data=digit_png("1"), content_type="image/png")
    assert response.status_code == 400
    assert response.get_json() == {"error": "unknown model; available: tiny-relu, tiny"}  # nothing of the name asked


def test_a_long_value_is_quoted_short(client):
    response = client.get("/inside?sample=0&activation=" + "x" * 5000)
    assert response.status_code == 400
    # links back to this page and the presenter switch's hidden fields keep its query, escaped
    text = re.sub(r'(href|value)="[^"]*"', "", text_of(response))
    assert "x" * 41 not in text
    assert "Unknown activation function “" + "x" * 39 + "…”; choose one of: sigmoid, relu, step, identity." in text


@pytest.mark.parametrize("value", ["²", "١", "٣", "1²"])
def test_digits_other_than_0_to_9_are_bad_input_not_a_500(client, value):
    no_sample = f"There is no MNIST test image “{value}”; they are numbered 0 to 9,999."
    answers = [
        (client.get(f"/inside?sample={value}"), no_sample),
        (
            client.get(f"/inside/neuron?sample=0&layer={value}&neuron=0"),
            f"“layer” must be a whole number, not “{value}”.",
        ),
        (client.post("/sample", data={"index": value}), no_sample),
        (client.post("/sample", data={"digit": value}), f"“{value}” is not a digit from 0 to 9."),
        (client.get(f"/inside?class=ABCDE&drawing={value}"), f"“drawing” must be a whole number, not “{value}”."),
    ]
    for response, message in answers:
        assert response.status_code == 400 and message in text_of(response)


# --- Cookies ----------------------------------------------------------------------------------


def cookie_header(response, name: str) -> str:
    return next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(name + "="))


def test_language_cookie_is_lax_and_http_only(client):
    cookie = cookie_header(client.get("/?lang=ko"), "lang")
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie


def test_model_cookie_is_lax_and_http_only(client):
    cookie = cookie_header(client.post("/read", data={"model": "tiny-relu", "image": ""}, headers=HTMX), "model")
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie


def test_no_script_reads_a_cookie():
    """HttpOnly is safe only while the browser's scripts leave cookies alone."""
    for script in (ROOT / "static").glob("*.js"):
        assert "cookie" not in script.read_text(encoding="utf-8").lower(), script.name


# --- An unexpected exception: a clean 500 ---------------------------------------------------------

SECRET = "secret detail of the bug"


def broken(*args, **kwargs):
    raise RuntimeError(SECRET)


def assert_no_leak(body: str):
    assert SECRET not in body and "Traceback" not in body and "RuntimeError" not in body


def logged_ids(caplog) -> list:
    return [r.getMessage().split("request ")[1].split(":")[0] for r in caplog.records if r.exc_info]


def test_api_bug_answers_json_with_a_request_id(client, monkeypatch, caplog):
    monkeypatch.setattr("web.drawing.api.read_drawing", broken)
    with caplog.at_level(logging.ERROR):
        response = client.post("/api/predict", data=digit_png("1"), content_type="image/png")
    assert response.status_code == 500 and response.is_json
    body = response.get_json()
    assert body["error"] == "internal error" and re.fullmatch(r"[0-9a-f]{12}", body["request_id"])
    assert response.headers["X-Request-ID"] == body["request_id"]
    assert_no_leak(text_of(response))
    assert logged_ids(caplog) == [body["request_id"]]  # the traceback is in the log, under the same id
    assert SECRET in caplog.text and "Traceback" in caplog.text


def test_page_bug_answers_a_short_page(client, monkeypatch, caplog):
    monkeypatch.setattr("web.drawing.page.read_drawing", broken)
    with caplog.at_level(logging.ERROR):
        response = client.post("/read", data={"image": png_data_url("1")})
    assert response.status_code == 500 and response.mimetype == "text/html"
    html = text_of(response)
    assert "<!doctype html>" in html and "Something went wrong on the server." in html
    assert response.headers["X-Request-ID"] in html
    assert logged_ids(caplog) == [response.headers["X-Request-ID"]]
    assert_no_leak(html)


def test_fragment_bug_replaces_the_target_and_keeps_its_id(client, monkeypatch):
    monkeypatch.setattr("web.drawing.page.read_drawing", broken)
    headers = HTMX | {"HX-Target": "section#result", "Accept-Language": "ko"}
    response = client.post("/read", data={"image": png_data_url("1")}, headers=headers)
    assert response.status_code == 500
    html = text_of(response)
    assert "<html" not in html and html.lstrip().startswith('<div id="result" class="server-error"')
    assert "서버에서 문제가 생겼습니다." in html  # translated
    assert response.headers["HX-Reswap"] == "outerMorph" and response.headers["X-Request-ID"] in html
    assert_no_leak(html)


def test_inside_fragment_bug(client, monkeypatch):
    monkeypatch.setattr("web.inside.views.neuron_detail", broken)
    data = {"sample": "0", "layer": "1", "neuron": "0"}
    response = client.post("/inside/neuron", data=data, headers=HTMX | {"HX-Target": "div#neuron-detail"})
    assert response.status_code == 500 and 'id="neuron-detail"' in text_of(response)
    assert_no_leak(text_of(response))


def test_http_errors_keep_their_answers(client):
    assert client.get("/api/nothing").get_json()["error"]  # JSON 404 under /api
    assert client.delete("/api/predict").status_code == 405
    assert client.get("/no/such/page").status_code == 404
    assert "Something went wrong" not in text_of(client.get("/no/such/page"))
    big = client.post("/read", data={"image": "x" * (9 * 2**20)}, headers=HTMX)
    assert big.status_code == 413 and "The drawing is too large to read (over 8 MB)." in text_of(big)


# --- Model files --------------------------------------------------------------------------------


def models_dir(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    for name in names:
        for suffix in (".npz", ".json"):
            shutil.copy(SHIPPED / f"{name}{suffix}", folder / f"{name}{suffix}")
    return folder


def breakages(folder: Path) -> dict:
    """A few ways a model in the folder can be broken, each next to the good `book`."""
    card = json.loads((SHIPPED / "book.json").read_text(encoding="utf-8"))
    (folder / "garbage.npz").write_bytes(b"not a zip file")
    shutil.copy(SHIPPED / "book.json", folder / "garbage.json")
    shutil.copy(SHIPPED / "book.npz", folder / "badcard.npz")
    (folder / "badcard.json").write_text("{not json", encoding="utf-8")
    shutil.copy(SHIPPED / "book.npz", folder / "nocard.npz")
    shutil.copy(SHIPPED / "book.npz", folder / "oddcard.npz")
    (folder / "oddcard.json").write_text(json.dumps(card | {"activation": ["relu"]}), encoding="utf-8")
    truncated = (SHIPPED / "book.npz").read_bytes()
    (folder / "truncated.npz").write_bytes(truncated[: len(truncated) // 2])
    shutil.copy(SHIPPED / "book.json", folder / "truncated.json")
    return {"garbage", "badcard", "nocard", "oddcard", "truncated"}


def test_a_broken_model_is_skipped_with_a_warning_and_the_others_work(tmp_path, caplog):
    folder = models_dir(tmp_path, "book")
    broken_names = breakages(folder)
    client = create_app({"TESTING": True, "MODELS_DIR": str(folder)}).test_client()
    with caplog.at_level(logging.WARNING):
        listed = client.get("/api/models").get_json()
    assert [model["name"] for model in listed["models"]] == ["book"]
    for name in broken_names:
        assert f"{name}.npz" in caplog.text or f"{name}.json" in caplog.text, name
    reading = client.post("/api/predict", data=digit_png("1"), content_type="image/png").get_json()
    assert reading["model"] == "book" and reading["digit"] == 1


def test_a_folder_without_any_usable_model_stops_app_py(tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "only.npz").write_bytes(b"broken")
    for models in (tmp_path / "empty", folder):
        models.mkdir(exist_ok=True)
        env = os.environ | {"DIGITS_MODELS_DIR": str(models)}
        run = subprocess.run(
            [sys.executable, str(ROOT / "app.py"), "--port", str(free_port())],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode != 0
        assert "no usable model" in run.stderr and str(models) in run.stderr
        assert "Traceback" not in run.stderr


# --- A real server, a real failure ---------------------------------------------------------------


@contextlib.contextmanager
def app_py(tmp_path: Path, **settings):
    """`python app.py` on a free port with DIGITS_* settings; yields (base URL, log path)."""
    with AppServer(tmp_path, settings=settings) as server:
        yield server.url, server.log


def fetch(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8")


def corrupt_mnist(tmp_path: Path) -> Path:
    """A test set whose images file is cut short: the inside page and the samples need it."""
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / FILES["test_img"]).write_bytes(gzip.compress(b"\x00\x00\x08\x03" + b"\x00" * 7))
    (folder / FILES["test_label"]).write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07"))
    return folder


def test_a_real_server_answers_a_real_failure_cleanly(tmp_path):
    with app_py(tmp_path, MNIST_DIR=str(corrupt_mnist(tmp_path))) as (url, log):
        status, headers, page = fetch(url + "/inside?sample=0")
        assert status == 500 and "Something went wrong on the server." in page and "<!doctype html>" in page
        assert headers["X-Request-ID"] in page and "Content-Security-Policy" in headers
        form = b"digit=3"
        htmx = HTMX | {"HX-Target": "p#sample-note", "Content-Type": "application/x-www-form-urlencoded"}
        status, headers, fragment = fetch(url + "/sample", form, htmx)
        assert status == 500 and fragment.lstrip().startswith('<div id="sample-note" class="server-error"')
        status, _, models = fetch(url + "/api/models")  # the server keeps serving
        assert status == 200 and json.loads(models)["models"]
        for body in (page, fragment):
            assert "Traceback" not in body and str(tmp_path) not in body
    logged = log.read_text()
    assert "Traceback" in logged and headers["X-Request-ID"] in logged
