"""Shared fixtures: the Flask app and its test client (web tests); engine tests need none.

`app` / `client` serve two small random networks from a temporary models folder (MODELS_DIR), for
tests of routes, templates and errors; `real_app` / `real_client` serve the shipped models, for
tests that check what the network reads."""

import os
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
from tests.browser.harness import ContextPool
from tests.helpers import random_model
from tests.helpers import write_models
from tools.servers import AppServer

ROOT = Path(__file__).resolve().parent.parent
TINY_MODELS = [
    random_model("tiny", [784, 16, 10], "sigmoid", seed=0),
    random_model("tiny-relu", [784, 12, 8, 10], "relu", seed=1),
]


# --- Running in parallel (pytest-xdist; pyproject.toml's addopts: -n auto --dist loadgroup) --------


def pytest_xdist_auto_num_workers(config):
    """-n auto: a worker process a core and one more, at most 8: the browser and server tests spend
    part of their time waiting (for a page, a server, a poll), which the extra worker fills; more
    workers only add their own start (a live server, a Chromium) and slow each other down (on 2 cores,
    3 workers ran the suite in less CPU time than 4 and no slower). PYTEST_XDIST_AUTO_NUM_WORKERS sets
    another number; -n 0 runs in this process."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    return min(8, (os.cpu_count() or 1) + 1)


def pytest_collection_modifyitems(config, items):
    """Tests that share something costly run on one worker, so that it is made once: every test on
    the PostgreSQL server in one group, and the tests of a module that use one of its module-scoped
    fixtures (a real class's export, the confusion matrices, a phone-sized browser context) in
    another. Each worker starts its own live server and Chromium when a test first needs them."""
    for item in items:
        params = getattr(item, "callspec", None) and item.callspec.params
        if "postgres" in item.fixturenames or (params and params.get("database_url") == "postgresql"):
            item.add_marker(pytest.mark.xdist_group("postgresql"))
        elif any(defs[-1].scope == "module" for defs in item._fixtureinfo.name2fixturedefs.values()):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


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


@pytest.fixture(scope="session")
def contexts(chromium):
    """This worker's ContextPool (tests/browser/harness.py): contexts lent to one test at a time."""
    pool = ContextPool(chromium)
    yield pool
    pool.close()


REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report on the test (item.reports), for fixtures that act on a failure."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def failed(item) -> bool:
    return any(report.failed for report in item.stash.get(REPORTS, {}).values())


@pytest.fixture
def make_context(contexts, request):
    """make_context(**context_options): a Watch (tests/browser/harness.py) of a browser context as
    good as new (its pages made with its page()), this test's alone. Fails the test at its end on a
    request to another host, a JavaScript error or a console error (CSP violations included)."""
    lent = []

    def make(**context_options):
        lent.append(contexts.lend(**context_options))
        return lent[-1]

    yield make
    try:
        for watch in lent:
            watch.check()
    finally:
        for watch in lent:
            contexts.give_back(watch, reuse=not failed(request.node) and not watch.outside and not watch.errors)


@pytest.fixture
def make_page(make_context, request):
    """make_page(**context_options): a page in a browser context of its own (desktop size unless
    the options say otherwise). Every page made fails the test on a request to another host, a
    JavaScript error or a console error (CSP violations included; see is_console_error), and leaves
    a screenshot in test-artifacts/ (of the whole page when the test failed)."""
    made = []

    def make(**context_options):
        made.append(make_context(**(DESKTOP | context_options)).page())
        return made[-1]

    yield make
    ARTIFACTS.mkdir(exist_ok=True)
    for n, page in enumerate(made):
        name = request.node.name + (f"-{n}" if n else "")
        # What was on the screen; the whole page when the test failed (a whole long page costs a
        # passing test three times the CPU time of the rest of its teardown).
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=failed(request.node), scale="css")


@pytest.fixture
def page(make_page):
    """A fresh desktop page."""
    return make_page()


@pytest.fixture
def touch_page(make_page):
    """A phone-sized page with touch."""
    return make_page(**PHONE)
