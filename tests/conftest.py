"""Shared fixtures: the Flask app and its test client (web tests); engine tests need none.

`app` / `client` serve two small random networks from a temporary models folder (MODELS_DIR), for
tests of routes, templates and errors; `real_app` / `real_client` serve the shipped models, for
tests that check what the network reads."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from nn import load_models
from tests.helpers import random_model
from tests.helpers import write_models

ROOT = Path(__file__).resolve().parent.parent
TINY_MODELS = [
    random_model("tiny", [784, 16, 10], "sigmoid", seed=0),
    random_model("tiny-relu", [784, 12, 8, 10], "relu", seed=1),
]


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory) -> Path:
    return write_models(tmp_path_factory.mktemp("models"), TINY_MODELS)


@pytest.fixture
def app(tiny_models_dir, tmp_path):
    config = {"MODELS_DIR": str(tiny_models_dir), "DEFAULT_MODEL": "tiny", "INSTANCE_PATH": str(tmp_path / "instance")}
    return create_app({"TESTING": True, **config})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def real_models() -> dict:
    """The shipped models, loaded once for the whole session."""
    return load_models(ROOT / "models")


@pytest.fixture
def real_app(real_models):
    return create_app({"TESTING": True, "MODELS": real_models})


@pytest.fixture
def real_client(real_app):
    return real_app.test_client()


# --- Live server and real Chromium, for tests marked `browser` -----------------------------------

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
EXPECT_TIMEOUT_MS = 20_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, log: Path) -> None:
    """Until a started `python app.py` answers (20 s at most); its log in the error if it exits."""
    for _ in range(200):
        if process.poll() is not None:
            raise RuntimeError(f"the app exited: {log.read_text()}")
        try:
            urllib.request.urlopen(url + "/api/models", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the app did not answer in 20 s: {log.read_text()}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """`python app.py` for real on a free port; yields its base URL."""
    port = free_port()
    folder = tmp_path_factory.mktemp("server")
    log = folder / "server.log"
    env = os.environ | {"DIGITS_INSTANCE_PATH": str(folder / "instance")}  # its own classes database
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    from playwright.sync_api import expect
    from playwright.sync_api import sync_playwright

    # expect() waits up to this long for the page to reach a state: the default 5 s is too short
    # when the machine is shared (at a load average of 25 on 2 cores a reading took 2.7 s).
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 3}


EXPECTED_CLIENT_ERROR = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d")


def is_console_error(message) -> bool:
    """A console error, except Chromium's note on a 4xx answer (the tests send bad input on purpose
    and check the message the page shows); a 5xx or a CSP violation report still counts."""
    return message.type == "error" and not EXPECTED_CLIENT_ERROR.match(message.text)


@pytest.fixture
def make_page(chromium, request):
    """make_page(**context_options): a page in a new browser context (desktop size unless the
    options say otherwise). Every page made fails the test on a request to another host, a
    JavaScript error or a console error (CSP violations included; see is_console_error), and leaves
    a screenshot in test-artifacts/."""
    opened = []

    def make(**context_options):
        context = chromium.new_context(**(DESKTOP | context_options))
        outside, errors = [], []

        def refuse(route):
            outside.append(route.request.url)
            route.abort()

        context.route(lambda url: not url.startswith("http://127.0.0.1"), refuse)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda message: errors.append(message.text) if is_console_error(message) else None)
        opened.append((context, page, outside, errors))
        return page

    yield make
    ARTIFACTS.mkdir(exist_ok=True)
    for n, (context, page, _outside, _errors) in enumerate(opened):
        name = request.node.name + (f"-{n}" if n else "")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        context.close()
    outside = [url for *_, urls, _errors in opened for url in urls]
    errors = [error for *_, found in opened for error in found]
    assert not outside, f"the page asked other hosts: {outside}"
    assert not errors, f"JavaScript or console errors (CSP violations included): {errors}"


@pytest.fixture
def page(make_page):
    """A fresh desktop page."""
    return make_page()


@pytest.fixture
def touch_page(make_page):
    """A phone-sized page with touch."""
    return make_page(**PHONE)
