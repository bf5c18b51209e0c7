"""The one harness of the browser tests: Debian's Chromium and its options, the context sizes, and
Watch, which keeps a browser context offline (every request to another host is refused and
recorded) and records its pages' JavaScript and console errors, for the test to check."""

import os
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
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
# expect() waits up to this long for the page to reach a state: the default 5 s is too short
# when the machine is shared (at a load average of 25 on 2 cores a reading took 2.7 s).
EXPECT_TIMEOUT_MS = 20_000

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 3}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}

EXPECTED_CLIENT_ERROR = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d")


def is_console_error(message) -> bool:
    """A console error, except Chromium's note on a 4xx answer (the tests send bad input on purpose
    and check the message the page shows); a 5xx or a CSP violation report still counts."""
    return message.type == "error" and not EXPECTED_CLIENT_ERROR.match(message.text)


def console_errors(page, *, client_errors: bool = False) -> list:
    """A list that fills with the page's console errors from now on (see is_console_error; with
    client_errors=True, Chromium's notes on 4xx answers too)."""
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and (client_errors or is_console_error(message))
            else None
        ),
    )
    return errors


class Watch:
    """A browser context whose requests to hosts other than 127.0.0.1 are refused and recorded in
    `outside`, and whose pages (made with page()) record JavaScript errors and console errors in
    `errors`. check() fails the test on either; clear() forgets what was seen so far."""

    def __init__(self, context):
        self.context = context
        self.outside, self.errors, self.pages = [], [], []
        context.route(lambda url: not url.startswith("http://127.0.0.1"), self.refuse)

    def refuse(self, route):
        self.outside.append(route.request.url)
        route.abort()

    def page(self):
        page = self.context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"JavaScript error: {exc}"))
        page.on("console", lambda message: self.errors.append(message.text) if is_console_error(message) else None)
        self.pages.append(page)
        return page

    def clear(self) -> None:
        self.outside.clear()
        self.errors.clear()

    def check(self) -> None:
        assert not self.outside, f"the page asked other hosts: {self.outside}"
        assert not self.errors, f"JavaScript or console errors (CSP violations included): {self.errors}"
