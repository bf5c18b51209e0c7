"""The CSP in real Chromium: the page fixtures catch a violation, and the app's pages send the policy."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.harness import ContextPool
from tests.browser.harness import Watch

pytestmark = pytest.mark.browser

PROBE = "http://127.0.0.1:9/csp-probe"  # answered by Playwright, never by a server
POLICY = "default-src 'self'; script-src 'self'; style-src 'self'"
VIOLATING_PAGE = "<!doctype html><p style='color: red'>x</p><script>document.title = 'ran'</script>"


def test_the_page_fixture_counts_a_csp_violation_as_an_error(chromium):
    """What make_page relies on: Chromium reports each blocked inline script or style as a console error."""
    watch = Watch(chromium.new_context())
    page = watch.page()
    watch.context.route(
        PROBE,
        lambda route: route.fulfill(
            body=VIOLATING_PAGE, content_type="text/html", headers={"Content-Security-Policy": POLICY}
        ),
    )
    try:
        page.goto(PROBE)
        expect(page).not_to_have_title("ran")
        page.wait_for_function("document.readyState === 'complete'")
    finally:
        watch.context.close()
    assert any("Content Security Policy" in text for text in watch.errors), watch.errors


def test_pages_are_served_under_the_policy(page, live_server):
    response = page.goto(live_server + "/inside?sample=0&model=book")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_test_id("inside-digit")).to_have_text("7")  # htmx and the charts work under it
    page.get_by_test_id("layer-1").locator("svg[data-symbol=a1] rect[data-i='3']").click()
    expect(page.get_by_test_id("neuron-detail")).to_have_attribute("data-neuron", "3", timeout=15_000)


def test_a_server_bug_shows_a_message_in_place(chromium, tmp_path):
    """A real failure (the MNIST test set is corrupt) on a real server: htmx 4 swaps the 500
    fragment into the block it asked for, and the full page shows the same message."""
    from tests.test_security import app_py
    from tests.test_security import corrupt_mnist

    watch = Watch(chromium.new_context())
    page = watch.page()
    try:
        with app_py(tmp_path, MNIST_DIR=str(corrupt_mnist(tmp_path))) as (url, _):
            page.goto(url + "/?model=book")
            page.get_by_test_id("sample-digit").select_option("3")
            page.get_by_test_id("sample").click()
            note = page.locator("#sample-note")
            expect(note).to_have_attribute("data-testid", "server-error")
            expect(note).to_contain_text("Something went wrong on the server.")
            expect(note.get_by_test_id("request-id")).to_have_text(re.compile(r"^[0-9a-f]{12}$"))
            page.goto(url + "/inside?sample=0&lang=ko")
            expect(page.get_by_test_id("server-error")).to_contain_text("서버에서 문제가 생겼습니다.")
    finally:
        watch.context.close()
    # the two 500 answers, and nothing else: no CSP violation, no script error, no other host
    assert len(watch.errors) == 2 and all("status of 500" in text for text in watch.errors), watch.errors
    assert not watch.outside, watch.outside


def test_the_page_fixtures_record_a_request_to_another_host_and_it_gets_nowhere(chromium, live_server):
    """What make_page relies on: Chromium resolves no host name (harness.CHROMIUM_ARGS), and Watch
    records every request to a host other than 127.0.0.1."""
    watch = Watch(chromium.new_context())
    page = watch.page()
    try:
        page.goto(live_server + "/healthz")
        loaded = page.evaluate(
            """url => new Promise(done => {
                const image = new Image();
                image.onload = () => done(true);
                image.onerror = () => done(false);
                image.src = url;
            })""",
            "http://example.com/tracker.png",
        )
    finally:
        watch.context.close()
    assert loaded is False
    assert watch.outside == ["http://example.com/tracker.png"]


def test_a_context_lent_again_has_forgotten_the_last_tests_cookies_and_storage(chromium, live_server):
    """The pool (harness.ContextPool) reuses contexts; a test must still start as in a new one."""
    pool = ContextPool(chromium)
    try:
        watch = pool.lend()
        page = watch.page()
        page.goto(live_server + "/healthz")
        page.evaluate("localStorage.setItem('drawing', 'x'); sessionStorage.setItem('s', 'y')")
        watch.context.add_cookies([{"name": "lang", "value": "ko", "url": live_server}])
        pool.give_back(watch)
        again = pool.lend()
        assert again is watch  # the same context, reused
        page = again.page()
        page.goto(live_server + "/healthz")
        assert page.evaluate("[localStorage.length, sessionStorage.length]") == [0, 0]
        assert again.context.cookies() == []
        assert again.pages == [page] and not again.errors
    finally:
        pool.close()
