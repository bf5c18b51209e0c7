"""How fast one drawing is read over HTTP: the JSON API and the drawing page's fragment route.

Starts the app for real (`python app.py`, granian) on a free port of 127.0.0.1, posts a 280x280
drawing N times one after another to POST /api/predict (raw PNG) and to POST /read (the form
htmx sends, answered with the result fragment), and prints median and 95th percentile latency.
If `wrk` is installed, it then runs a short bounded load on 127.0.0.1 only (default 10 s,
4 connections, 2 threads) posting the same PNG, and prints requests per second.

    python -m bench.api_latency [-n 200] [--model book] [--wrk-seconds 10] [--connections 4]
"""

import argparse
import base64
import http.client
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from PIL import Image
from PIL import ImageDraw

from tools.servers import AppServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "drawings"

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "{content_type}"
{extra_headers}
local f = io.open("{body_path}", "rb")
wrk.body = f:read("*all")
f:close()
"""


def drawing_png() -> bytes:
    """A real 280x280 drawing: the first committed fixture, else a 7 drawn like the canvas does."""
    fixtures = sorted(FIXTURES.glob("*.png"))
    if fixtures:
        return fixtures[0].read_bytes()
    image = Image.new("RGB", (280, 280), "white")
    ImageDraw.Draw(image).line([(70, 56), (210, 56), (112, 238)], fill="black", width=18, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def time_requests(port: int, path: str, body: bytes, headers: dict, n: int) -> list:
    """Milliseconds for each of n sequential POSTs on one keep-alive connection (after 5 warm-ups)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for i in range(n + 5):
        start = time.perf_counter()
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            raise RuntimeError(f"POST {path} answered {response.status}")
        if i >= 5:
            times.append(elapsed)
    connection.close()
    return times


def percentile(values: list, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_wrk(
    port: int,
    path: str,
    body: bytes,
    content_type: str,
    extra_headers: dict,
    seconds: int,
    connections: int,
    workdir: Path,
) -> str:
    body_path = workdir / (path.strip("/").replace("/", "_") + ".body")
    body_path.write_bytes(body)
    script = workdir / (body_path.stem + ".lua")
    lines = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in extra_headers.items())
    script.write_text(WRK_SCRIPT.format(content_type=content_type, extra_headers=lines, body_path=body_path))
    threads = min(2, connections)
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=False,
    )
    out = result.stdout
    rate = next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Requests/sec")), "?")
    errors = [line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line]
    return rate + (f"  ({'; '.join(errors)})" if errors else "")


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="sequential requests per route (default 200)")
    parser.add_argument("--model", default="book", help="model to read with (default book)")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="wrk duration, at most 60 (default 10)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    args = parser.parse_args(argv)
    seconds = max(1, min(args.wrk_seconds, 60))

    png = drawing_png()
    form = urllib.parse.urlencode(
        {"image": "data:image/png;base64," + base64.b64encode(png).decode(), "model": args.model}
    ).encode()
    routes = [
        ("POST /api/predict (raw PNG, JSON answer)", f"/api/predict?model={args.model}", png, "image/png", {}),
        (
            "POST /read (htmx form, HTML fragment)",
            "/read",
            form,
            "application/x-www-form-urlencoded",
            {"HX-Request": "true"},
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        server = AppServer(workdir)
        port = server.port
        try:
            print(
                f"app on 127.0.0.1:{port}, model {args.model}, drawing {len(png)} bytes, {args.n} sequential "
                f"requests per route\n"
            )
            print(f"{'route':44} {'median ms':>10} {'p95 ms':>8} {'min ms':>8}")
            for label, path, body, content_type, extra in routes:
                times = time_requests(port, path, body, {"Content-Type": content_type, **extra}, args.n)
                print(f"{label:44} {statistics.median(times):10.2f} {percentile(times, 0.95):8.2f} {min(times):8.2f}")
            if shutil.which("wrk"):
                print(f"\nwrk: {seconds} s, {args.connections} connections, 127.0.0.1 only")
                for label, path, body, content_type, extra in routes:
                    rate = run_wrk(port, path, body, content_type, extra, seconds, args.connections, workdir)
                    print(f"{label:44} {rate} requests/s")
            else:
                print("\nwrk not installed: no load figures (apt-get install wrk)")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
