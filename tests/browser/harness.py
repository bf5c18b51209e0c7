"""The one harness of the browser tests: Debian's Chromium and its options, the context sizes,
Watch, which records a browser context's requests to other hosts (Chromium resolves no host name,
so none of them gets through) and its pages' JavaScript and console errors, for the test to check,
and ContextPool, which lends a test a watched context that earlier tests warmed up.

No request is routed through Playwright (page.route) to keep pages offline: routing turns off the
HTTP cache and stops every request until Python has answered, which made each page load cost
twice the CPU time."""

import json
import os
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# Debian's chromium-headless-shell (./test.sh installs it): the same Chromium, built as the headless
# shell that Playwright itself runs by default. It spends under half the CPU time of `chromium
# --headless` on the same pages (the suite's browser tests: 184 s against 295 s).
CHROMIUM = (
    os.environ.get("CHROMIUM")
    or shutil.which("chromium-headless-shell")
    or shutil.which("chromium")
    or "/usr/bin/chromium-headless-shell"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Offline but for the app: a host name never resolves (127.0.0.1, which the app listens on, is
    # no name); Watch fails a test on any request to another host.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
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
    """A browser context whose requests to hosts other than 127.0.0.1 are recorded in `outside`
    (they fail: see CHROMIUM_ARGS), and whose pages (made with page()) record JavaScript errors and
    console errors in `errors`. check() fails the test on either; clear() forgets what was seen."""

    def __init__(self, context):
        self.context = context
        self.outside, self.errors, self.pages, self.origins = [], [], [], set()
        context.on("request", self.saw)

    def saw(self, request):
        scheme, _, rest = request.url.partition("://")
        if scheme in ("http", "https", "ws", "wss"):
            self.origins.add(f"{scheme}://{rest.split('/', 1)[0]}")
            if not request.url.startswith("http://127.0.0.1"):
                self.outside.append(request.url)

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

    def forget(self) -> None:
        """As good as a new context for the next test, but for the HTTP cache: close the pages, delete
        the cookies and everything the pages stored (local and session storage, IndexedDB, ...)."""
        for page in self.context.pages:  # first: no request still on its way may set a cookie after
            page.close()
        page = self.context.new_page()  # a page to speak to its context through (Chrome DevTools Protocol)
        cdp = self.context.new_cdp_session(page)
        for origin in self.origins:
            cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
        cdp.detach()
        self.context.clear_cookies()
        page.close()
        self.pages.clear()
        self.origins.clear()
        self.clear()


class ContextPool:
    """Browser contexts kept for the session and lent to one test at a time, by their options. A
    context keeps its HTTP cache (the app's scripts, styles and fonts, revalidated with a 304), which
    makes a page about half as costly as in a new context; what a test leaves behind (its pages,
    cookies, storage) is forgotten when the context comes back, and a context lent to a test that
    failed is closed instead. A test that changes a context itself (context.route, permissions, ...)
    takes a new one: Watch(chromium.new_context())."""

    def __init__(self, browser):
        self.browser = browser
        self.idle = {}  # options as JSON: [Watch, ...]

    def lend(self, **options) -> Watch:
        key = json.dumps(options, sort_keys=True)
        idle = self.idle.setdefault(key, [])
        watch = idle.pop() if idle else Watch(self.browser.new_context(**options))
        watch.key = key
        return watch

    def give_back(self, watch: Watch, reuse: bool = True) -> None:
        if reuse:
            watch.forget()
            self.idle[watch.key].append(watch)
        else:
            watch.context.close()

    def close(self) -> None:
        for watches in self.idle.values():
            for watch in watches:
                watch.context.close()
