"""What a phone downloads for the student page, first visit and next visit, in real Chromium.

    python -m bench.page_weight                     # this checkout
    python -m bench.page_weight --root ../other     # another checkout (e.g. a worktree of an older commit)

Starts `python app.py` of that checkout on a free loopback port (its own instance folder), starts
a class, then opens the class's student page (/c/<code>) in Debian's Chromium as a phone (390 x 844)
twice in one browser context: the first visit with an empty cache, the next as a later page view (a
new navigation, not a reload). For each visit it prints the requests that reached the network
(the rest came from the browser's cache) and the bytes received (headers and bodies as sent, so
compressed when the server compressed), counted by Chrome's DevTools protocol.
"""

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 3}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, folder: Path) -> tuple:
    """(process, port) of `python app.py` in `root`, once it answers."""
    port = free_port()
    env = os.environ | {"DIGITS_INSTANCE_PATH": str(folder / "instance")}
    log = open(folder / "server.log", "wb")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port)], cwd=root, stdout=log, stderr=subprocess.STDOUT, env=env
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/models")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the app did not answer: {(folder / 'server.log').read_text()}")


def start_class(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/class")
    response = connection.getresponse()
    assert response.status == 303, response.status
    return response.getheader("Location").rstrip("/").rsplit("/", 1)[1]


def visit(page, url: str) -> dict:
    """One navigation: requests that went to the network, and the bytes they received."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    sent, cached, received = {}, set(), {}
    cdp.on("Network.requestWillBeSent", lambda e: sent.setdefault(e["requestId"], e["request"]["url"]))
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    cdp.on("Network.loadingFinished", lambda e: received.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="networkidle")
    cdp.detach()
    network = [rid for rid in sent if rid not in cached and received.get(rid, 0) > 0]
    return {
        "requests": len(sent),
        "from_network": len(network),
        "bytes": sum(received[rid] for rid in network),
        "files": sorted(Path(sent[rid].split("?")[0]).name or "/" for rid in network),
    }


def measure(root: Path) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="page-weight-") as folder:
        process, port = start_server(root, Path(folder))
        try:
            url = f"http://127.0.0.1:{port}/c/{start_class(port)}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = browser.new_context(**PHONE)
                page = context.new_page()
                first = visit(page, url)
                page.goto("about:blank")
                second = visit(page, url)
                browser.close()
        finally:
            process.terminate()
            process.wait(15)
    return {"root": str(root), "first_visit": first, "next_visit": second}


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page_weight", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose app.py is served")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.root.resolve()), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
