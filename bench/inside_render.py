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


def measure(request, renders: int) -> tuple:
    """(median ms, p95 ms, bytes sent, bytes of HTML, median ms of CPU) of `renders` calls of
    request(i) after two warm-ups. The CPU time is this process's: on a machine shared with other
    work it moves far less than the time on the clock."""
    for i in range(2):
        request(i)
    times, cpu, size = [], [], 0
    for i in range(renders):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = request(i)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        size = len(response.data)
        html = len(gzip.decompress(response.data)) if response.headers.get("Content-Encoding") == "gzip" else size
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, size, html, statistics.median(cpu)


def flow_alone(app, model: Model, renders: int) -> tuple:
    """(median ms, p95 ms, gzip bytes, HTML bytes) of web.flow.flow and its template for test
    image i, as a page renders it (the forward pass not included: every view needs it)."""
    images = load_test_set()[0]
    with app.test_request_context("/inside"):
        chart = app.jinja_env.get_template("charts/flow.html").module.flow_chart
        traces = [model.network.forward(images[i].reshape(1, 784)) for i in range(renders + 2)]

        def render(i):
            html = str(chart(flow.flow(traces[i], model.network, model.network.activation)))
            return FakeResponse(gzip.compress(html.encode(), compresslevel=5, mtime=0), {"Content-Encoding": "gzip"})

        return measure(render, renders)


class FakeResponse:
    """What measure() reads of a response."""

    status_code = 200

    def __init__(self, data: bytes, headers: dict):
        self.data, self.headers = data, headers


def compare_views(app, models: dict, image: str, renders: int) -> None:
    """The flow view beside the grids, per model: the page, the reading while drawing, the flow alone."""
    clients = {view: app.test_client() for view in ("grids", "flow")}  # each keeps its own view cookie
    print(f"\nflow view beside the grids, {renders} renders each (ms: median on the clock / of CPU; kB sent gzipped)")
    print(f"{'model':<18} {'what':<33} {'grids':>17} {'flow':>17} {'flow - grids':>17}")
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
            grids = measure(lambda i, r=request: r(i, "grids"), renders)
            flows = measure(lambda i, r=request: r(i, "flow"), renders)
            cells = [f"{m:5.1f} / {c:5.1f} {s / 1024:3.0f} kB" for m, _, s, _, c in (grids, flows)]
            delta = f"{flows[0] - grids[0]:+5.1f} / {flows[4] - grids[4]:+5.1f} {(flows[2] - grids[2]) / 1024:+4.0f} kB"
            print(f"{name:<18} {what:<33} {cells[0]:>17} {cells[1]:>17} {delta:>17}")
        median, _, size, html, cpu = flow_alone(app, model, renders)
        alone = f"{median:5.1f} / {cpu:5.1f} {size / 1024:3.0f} kB"
        print(
            f"{name:<18} {'the flow alone (compute + render)':<33} {'':>17} {alone:>17}   ({html / 1024:.0f} kB HTML)"
        )


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
            median, p95, size, html, _ = measure(request, args.renders)
            print(
                f"{name:<18} {model.network.architecture:<15} {what:<33} {median:7.1f} {p95:7.1f} "
                f"{size / 1024:4.0f} kB {html / 1024:5.0f} kB"
            )
    compare_views(app, models, image, args.renders)
    return 0


if __name__ == "__main__":
    sys.exit(main())
