"""Shared fixtures: the Flask app and its test client (web tests); engine tests need none.

`app` / `client` serve two small random networks from a temporary models folder (MODELS_DIR), for
tests of routes, templates and errors; `real_app` / `real_client` serve the shipped models, for
tests that check what the network reads."""

from pathlib import Path

import pytest

from app import create_app
from nn import load_models
from tests.browser.harness import ARTIFACTS
from tests.browser.harness import CHROMIUM
from tests.browser.harness import CHROMIUM_ARGS
from tests.browser.harness import DESKTOP
from tests.browser.harness import EXPECT_TIMEOUT_MS
from tests.browser.harness import PHONE
from tests.browser.harness import Watch
from tests.helpers import random_model
from tests.helpers import write_models
from tools.servers import AppServer

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


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """`python app.py` for real on a free port, its own classes database; yields its base URL."""
    with AppServer(tmp_path_factory.mktemp("server")) as server:
        yield server.url


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    from playwright.sync_api import expect
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def make_context(chromium):
    """make_context(**context_options): a Watch (tests/browser/harness.py) of a new browser
    context, whose pages are made with its page(). Fails the test at its end on a request to
    another host, a JavaScript error or a console error (CSP violations included)."""
    made = []

    def make(**context_options):
        made.append(Watch(chromium.new_context(**context_options)))
        return made[-1]

    yield make
    for watch in made:
        watch.context.close()
    for watch in made:
        watch.check()


@pytest.fixture
def make_page(chromium, request):
    """make_page(**context_options): a page in a new browser context (desktop size unless the
    options say otherwise). Every page made fails the test on a request to another host, a
    JavaScript error or a console error (CSP violations included; see is_console_error), and leaves
    a screenshot in test-artifacts/."""
    made = []

    def make(**context_options):
        made.append(Watch(chromium.new_context(**(DESKTOP | context_options))))
        return made[-1].page()

    yield make
    ARTIFACTS.mkdir(exist_ok=True)
    for n, watch in enumerate(made):
        name = request.node.name + (f"-{n}" if n else "")
        watch.pages[0].screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        watch.context.close()
    for watch in made:
        watch.check()


@pytest.fixture
def page(make_page):
    """A fresh desktop page."""
    return make_page()


@pytest.fixture
def touch_page(make_page):
    """A phone-sized page with touch."""
    return make_page(**PHONE)
