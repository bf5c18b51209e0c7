"""The CSP in real Chromium: the page fixtures catch a violation, and the app's pages send the policy."""

import pytest
from playwright.sync_api import expect

from tests.conftest import is_console_error

pytestmark = pytest.mark.browser

PROBE = "http://127.0.0.1:9/csp-probe"  # answered by Playwright, never by a server
POLICY = "default-src 'self'; script-src 'self'; style-src 'self'"
VIOLATING_PAGE = "<!doctype html><p style='color: red'>x</p><script>document.title = 'ran'</script>"


def test_the_page_fixture_counts_a_csp_violation_as_an_error(chromium):
    """What _page_in relies on: Chromium reports each blocked inline script or style as a console error."""
    context = chromium.new_context()
    page = context.new_page()
    seen = []
    page.on("console", lambda message: seen.append(message.text) if is_console_error(message) else None)
    context.route(
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
        context.close()
    assert any("Content Security Policy" in text for text in seen), seen


def test_pages_are_served_under_the_policy(page, live_server):
    response = page.goto(live_server + "/inside?sample=0&model=book")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_test_id("inside-digit")).to_have_text("7")  # htmx and the charts work under it
    page.get_by_test_id("layer-1").locator("svg[data-symbol=a1] rect[data-i='3']").click()
    expect(page.get_by_test_id("neuron-detail")).to_have_attribute("data-neuron", "3")
