"""Server time of the inside page, all charts included, per model: median and p95 over N renders
through Flask's test client (no network, no browser). Not a test; prints figures.

    python -m bench.inside_render [--renders 50] [--model book ...]

Measures the whole page for a test image (GET /inside?sample=N), the reading fragment for a drawing
(POST /inside/read, what htmx asks while you draw) and a neuron's detail (layer 1 and the last
hidden layer). Without models/default, a random 784-768-384-10 ReLU network (its shape) stands in for it.

Then the flow view beside the grids, side by side: the page and the reading with `view=grids` and
`view=flow`, and the flow alone (web/flow.py on a trace plus its template, what it adds to any
page that shows it), each with the gzip size it sends.
"""

import argparse
import base64
import gzip
import io
import statistics
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image
from PIL import ImageDraw

from app import create_app
from nn import Model
from nn import Network
from nn import load_models
from nn.mnist import load_test_set
from nn.network import init_params
from web import flow

ROOT = Path(__file__).resolve().parent.parent
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}  # as a browser asks: the time includes gzip
HTMX = {"HX-Request": "true"} | BROWSER


def random_default(sizes=(784, 768, 384, 10), seed: int = 0) -> Model:
    """He-initialised random weights in the default model's shape."""
    params = init_params(list(sizes), "relu", np.random.default_rng(seed))
    architecture = "-".join(map(str, sizes))
    card = {"name": f"random {architecture} (stand-in for default)", "architecture": architecture, "activation": "relu"}
    return Model(name="default (random)", card=card, network=Network(params, "relu"))


def drawing() -> str:
    """A drawn 7 on a 280x280 canvas, as the page's form sends it."""
    image = Image.new("RGB", (280, 280), "white")
    ImageDraw.Draw(image).line([(70, 56), (210, 56), (120, 240)], fill="black", width=18, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class Figures(NamedTuple):
    """What `renders` calls of one request took and sent."""

    median: float  # ms on the clock
    p95: float
    sent: int  # bytes, gzipped when the response is
    html: int  # bytes of HTML
    cpu: float  # median ms of this process's CPU: on a shared machine it moves less than the clock
    best: float  # the fastest call, ms on the clock: the nearest to an idle machine


def measure(request, renders: int) -> Figures:
    """Figures of `renders` calls of request(i) after two warm-ups."""
    return side_by_side({"one": request}, renders)["one"]


def side_by_side(requests: dict, renders: int) -> dict:
    """{name: Figures} of requests called in turn (i for each, then i + 1 ...), so that a busy
    moment of the machine falls on all of them alike."""
    for i in range(2):
        for request in requests.values():
            request(i)
    times, cpu, sizes = ({name: [] for name in requests} for _ in range(3))
    for i in range(renders):
        for name, request in requests.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            response = request(i)
            times[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, response.get_data(as_text=True)[:500]
            gzipped = response.headers.get("Content-Encoding") == "gzip"
            sizes[name] = len(response.data), len(gzip.decompress(response.data)) if gzipped else len(response.data)
    figures = {}
    for name, t in times.items():
        t.sort()
        p95 = t[min(len(t) - 1, round(0.95 * (len(t) - 1)))]
        figures[name] = Figures(statistics.median(t), p95, *sizes[name], statistics.median(cpu[name]), t[0])
    return figures


def flow_alone(app, model: Model, renders: int) -> Figures:
    """web.flow.flow and its template for test image i, as a page renders them (the forward pass
    not included: every view needs it), gzipped as the page is."""
    images = load_test_set()[0]
    with app.test_request_context("/inside"):
        chart = app.jinja_env.get_template("charts/flow.html").module.flow_chart
        traces = [model.network.forward(images[i].reshape(1, 784)) for i in range(renders + 2)]

        def render(i):
            html = str(chart(flow.flow(traces[i], model.network, model.network.activation)))
            return FakeResponse(gzip.compress(html.encode(), compresslevel=5, mtime=0), {"Content-Encoding": "gzip"})

        return measure(render, renders)


class FakeResponse:
    """What side_by_side() reads of a response."""

    status_code = 200

    def __init__(self, data: bytes, headers: dict):
        self.data, self.headers = data, headers


def compare_views(app, models: dict, image: str, renders: int) -> None:
    """The flow view beside the grids, per model: the page, the reading while drawing, the flow alone."""
    clients = {view: app.test_client() for view in ("grids", "flow")}  # each keeps its own view cookie
    print(f"\nflow view beside the grids, {renders} renders each, in turn (ms on the clock: median, fastest;")
    print("ms of CPU: median; kB sent gzipped)")
    print(f"{'model':<15} {'what':<33} {'grids':>23} {'flow':>23} {'flow - grids':>23}")

    def cells(f: Figures) -> str:
        return f"{f.median:5.1f} {f.best:5.1f} {f.cpu:5.1f} {f.sent / 1024:3.0f} kB"

    for name, model in models.items():
        cases = {
            "page, test image (GET)": lambda i, v, n=name: clients[v].get(
                f"/inside?sample={i}&model={n}&view={v}", headers=BROWSER
            ),
            "reading of a drawing (htmx POST)": lambda i, v, n=name: clients[v].post(
                "/inside/read", data={"image": image, "model": n, "shown_model": n, "view": v}, headers=HTMX
            ),
        }
        for what, request in cases.items():
            views = {v: (lambda i, r=request, v=v: r(i, v)) for v in clients}
            g, f = side_by_side(views, renders).values()
            delta = Figures(f.median - g.median, 0, f.sent - g.sent, 0, f.cpu - g.cpu, f.best - g.best)
            difference = f"{delta.median:+5.1f} {delta.best:+5.1f} {delta.cpu:+5.1f} {delta.sent / 1024:+3.0f} kB"
            print(f"{name:<15} {what:<33} {cells(g):>23} {cells(f):>23} {difference:>23}")
        alone = flow_alone(app, model, renders)
        what = "the flow alone (compute + render)"
        print(f"{name:<15} {what:<33} {'':>23} {cells(alone):>23}   ({alone.html / 1024:.0f} kB HTML)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--model", action="append", help="only these models (default: all)")
    args = parser.parse_args(argv)

    models = load_models(ROOT / "models")
    if "default" not in models:
        stand_in = random_default()
        models[stand_in.name] = stand_in
    if args.model:
        models = {name: m for name, m in models.items() if name in args.model}
    app = create_app({"TESTING": True, "MODELS": models})
    client = app.test_client()
    image = drawing()

    print(f"inside page server time, {args.renders} renders each (ms: median / p95; bytes sent gzipped / HTML)")
    print(f"{'model':<18} {'architecture':<15} {'what':<33} {'median':>7} {'p95':>7} {'sent':>7} {'HTML':>8}")
    for name, model in models.items():
        depth = model.network.depth
        cases = {
            "page, test image (GET)": lambda i, n=name: client.get(f"/inside?sample={i}&model={n}", headers=BROWSER),
            "reading of a drawing (htmx POST)": lambda i, n=name: client.post(
                "/inside/read", data={"image": image, "model": n, "shown_model": n}, headers=HTMX
            ),
            "neuron, layer 1 (htmx POST)": lambda i, n=name: client.post(
                "/inside/neuron", data={"sample": i, "model": n, "layer": 1, "neuron": i % 10}, headers=HTMX
            ),
            f"neuron, layer {depth - 1} (htmx POST)": lambda i, n=name, d=depth: client.post(
                "/inside/neuron", data={"sample": i, "model": n, "layer": d - 1, "neuron": i % 10}, headers=HTMX
            ),
        }
        for what, request in cases.items():
            median, p95, size, html, *_ = measure(request, args.renders)
            print(
                f"{name:<18} {model.network.architecture:<15} {what:<33} {median:7.1f} {p95:7.1f} "
                f"{size / 1024:4.0f} kB {html / 1024:5.0f} kB"
            )
    compare_views(app, models, image, args.renders)
    return 0


if __name__ == "__main__":
    sys.exit(main())
