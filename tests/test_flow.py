"""The flow view (web/flow.py, templates/charts/flow.html) on the shipped models, through Flask's
test client: every node and edge value is the forward pass's own, the edges into a node are its
five strongest inputs by |w·z|, a wide layer shows its most active nodes and says what it leaves
out, the "what if" activation switches the pass; the switch, its cookie and the network lesson."""

from html.parser import HTMLParser

import numpy as np
import pytest

from nn.mnist import load_test_set
from tests.helpers import HTMX
from tests.helpers import data_url
from tests.test_inside import drawing_png
from web.filters import short
from web.reading import read_drawing

SAMPLES = [0, 3, 1234]


class Flow(HTMLParser):
    """The flow's nodes {(layer, index): value} and edges {(layer, from, to): value} as the page
    writes them (float32, parsed from data-value), plus every attribute of the nodes."""

    def __init__(self, html: str):
        super().__init__()
        self.nodes, self.edges, self.node_attrs, self.flows, self.tables = {}, {}, [], 0, 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        testid = a.get("data-testid")
        if testid == "flow-node":
            self.nodes[int(a["data-layer"]), int(a["data-index"])] = np.float32(a["data-value"])
            self.node_attrs.append(a)
        elif testid == "flow-edge":
            key = int(a["data-layer"]), int(a["data-from"]), int(a["data-to"])
            assert key not in self.edges, f"edge {key} drawn twice"
            self.edges[key] = np.float32(a["data-value"])
        self.flows += testid == "flow"
        self.tables += testid == "flow-table"

    handle_startendtag = handle_starttag

    def shown(self, layer: int) -> list:
        return [i for (n, i) in self.nodes if n == layer]

    def edges_into(self, layer: int, target: int) -> dict:
        return {source: v for (n, source, t), v in self.edges.items() if n == layer and t == target}


@pytest.fixture(scope="module")
def images():
    """The test set's images as the network reads them: (10000, 784) float32, 0..1."""
    return load_test_set()[0]


def trace_of(real_models, name: str, image: np.ndarray, activation: str | None = None):
    return real_models[name].network.forward(image.reshape(1, 784), activation)


def flow_page(client, **query) -> Flow:
    response = client.get("/inside", query_string={"view": "flow", **query})
    assert response.status_code == 200
    found = Flow(response.get_data(as_text=True))
    assert found.flows == 1 and found.tables == 1
    return found


def layer_inputs(trace, layer: int) -> np.ndarray:
    """What layer `layer` multiplied by its weights: the pixels x, or the layer before's z."""
    return trace.x[0] if layer == 1 else trace.z[layer - 2][0]


def layer_values(trace, layer: int) -> np.ndarray:
    """A node's value: z of a hidden layer, the probability y at the output."""
    return trace.y[0] if layer == len(trace.a) else trace.z[layer - 1][0]


def assert_flow_is_the_pass(found: Flow, trace, network):
    for (layer, index), value in found.nodes.items():
        assert value == layer_values(trace, layer)[index], (layer, index)
    for (layer, source, target), value in found.edges.items():
        W = network.params[f"W{layer}"]
        assert value == layer_inputs(trace, layer)[source] * W[source, target], (layer, source, target)


@pytest.mark.parametrize("name", ["book", "default"])
@pytest.mark.parametrize("sample", SAMPLES)
def test_every_node_and_edge_is_the_forward_pass(real_client, real_models, images, name, sample):
    found = flow_page(real_client, model=name, sample=sample)
    trace = trace_of(real_models, name, images[sample])
    assert_flow_is_the_pass(found, trace, real_models[name].network)
    assert len(found.edges) == 5 * len(found.nodes)


@pytest.mark.parametrize("name", ["book", "default"])
@pytest.mark.parametrize("sample", SAMPLES)
def test_the_edges_into_a_node_are_its_five_strongest_inputs(real_client, real_models, images, name, sample):
    """From every pixel into the first hidden layer, from the shown nodes of the layer before into the others."""
    found = flow_page(real_client, model=name, sample=sample)
    trace, network = trace_of(real_models, name, images[sample]), real_models[name].network
    for layer in range(1, network.depth + 1):
        sources = np.arange(784) if layer == 1 else np.array(sorted(found.shown(layer - 1)))
        for target in found.shown(layer):
            products = layer_inputs(trace, layer)[sources] * network.params[f"W{layer}"][sources, target]
            strongest = np.argsort(-np.abs(products), kind="stable")[:5]
            drawn = found.edges_into(layer, target)
            assert sorted(drawn) == sorted(sources[strongest].tolist()), (layer, target)


def test_the_book_network_shows_every_node(real_client, real_models, images):
    found = flow_page(real_client, model="book", sample=3)
    assert [len(found.shown(layer)) for layer in (1, 2, 3)] == [50, 100, 10]
    assert sorted(found.shown(2)) == list(range(100))
    assert len(found.edges) == 5 * 160


@pytest.mark.parametrize("sample", SAMPLES)
def test_a_wide_layer_shows_its_most_active_nodes_and_what_it_leaves_out(real_client, real_models, images, sample):
    response = real_client.get("/inside", query_string={"view": "flow", "model": "default", "sample": sample})
    html = response.get_data(as_text=True)
    found = Flow(html)
    trace = trace_of(real_models, "default", images[sample])
    for layer, size in ((1, 768), (2, 384)):
        z = trace.z[layer - 1][0]
        shown = found.shown(layer)
        assert len(shown) == 32 and set(shown) == set(np.argsort(-z, kind="stable")[:32].tolist())
        rest = np.delete(z, shown)
        assert z[shown].min() >= rest.max()
        note = f"the 32 most active of {size} neurons are shown; {size - 32} are left out, their z{layer} from "
        assert note + f"{short(rest.min())} to {short(rest.max())}." in html
    assert sorted(found.shown(3)) == list(range(10))


@pytest.mark.parametrize(("name", "activation"), [("book", "step"), ("book", "relu"), ("default", "sigmoid")])
def test_the_what_if_activation_shows_the_switched_pass(real_client, real_models, images, name, activation):
    found = flow_page(real_client, model=name, sample=3, activation=activation)
    switched = trace_of(real_models, name, images[3], activation)
    own = trace_of(real_models, name, images[3])
    assert_flow_is_the_pass(found, switched, real_models[name].network)
    assert any(value != layer_values(own, layer)[index] for (layer, index), value in found.nodes.items())


def test_a_drawing_read_while_drawing_shows_its_flow(real_client, real_models):
    png = drawing_png()
    form = {"image": data_url(png), "model": "default", "shown_model": "default", "view": "flow"}
    response = real_client.post("/inside/read", data=form, headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Replace-Url"] == "/inside?model=default&view=flow"
    trace = read_drawing(png, real_models["default"], compare_plain=True).trace  # row 0: the MNIST-style input
    assert_flow_is_the_pass(Flow(response.get_data(as_text=True)), trace, real_models["default"].network)


def test_the_answer_is_marked_and_the_table_lists_every_node(real_client, real_models, images):
    response = real_client.get("/inside?view=flow&model=book&sample=3")
    html = response.get_data(as_text=True)
    found = Flow(html)
    digit = int(np.argmax(trace_of(real_models, "book", images[3]).y[0]))
    answers = [a for a in found.node_attrs if "answer" in a["class"].split()]
    assert [(a["data-layer"], a["data-index"]) for a in answers] == [("3", str(digit))]
    table = html[
        html.index('data-testid="flow-table"') : html.index("</table>", html.index('data-testid="flow-table"'))
    ]
    assert table.count('<th scope="row">') == len(found.nodes)


def test_nodes_open_the_neuron_detail(real_client):
    found = flow_page(real_client, model="book", sample=3)
    node = found.node_attrs[0]
    assert node["role"] == "button" and node["data-open-layer"] == node["data-layer"]
    assert node["data-open-neuron"] == node["data-index"]
    assert [a["tabindex"] for a in found.node_attrs].count("0") == 3  # one Tab stop a layer


def test_the_switch_is_remembered_in_a_cookie(client):
    assert 'data-testid="flow"' not in client.get("/inside?sample=3").get_data(as_text=True)  # grids by default
    response = client.get("/inside?sample=3&view=flow")
    assert "view=flow" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get("/inside?sample=4").get_data(as_text=True)
    assert 'data-testid="flow"' in page and 'class="path"' not in page
    assert 'value="flow" data-testid="view-flow" aria-keyshortcuts="F" checked' in page
    assert 'data-testid="flow"' not in client.get("/inside?sample=4&view=grids").get_data(as_text=True)
    assert 'data-testid="flow"' not in client.get("/inside?sample=4&view=nonsense").get_data(as_text=True)


def test_the_neuron_detail_keeps_the_flow_view(client):
    html = client.get("/inside/neuron?sample=3&layer=1&neuron=2&view=flow").get_data(as_text=True)
    assert 'data-testid="flow"' in html and 'data-testid="neuron-detail"' in html


def test_the_key_help_lists_f(client):
    assert "<kbd>f</kbd>" in client.get("/inside").get_data(as_text=True)


def test_the_network_lesson_shows_the_flow_of_the_chosen_model_and_sample(real_client, real_models, images):
    response = real_client.get("/learn/network?model=default&sample=1234")
    found = Flow(response.get_data(as_text=True))
    assert found.flows == 1 and len(found.shown(1)) == 32
    assert_flow_is_the_pass(found, trace_of(real_models, "default", images[1234]), real_models["default"].network)
    assert found.node_attrs[0]["href"].startswith("/inside/neuron?model=default&sample=1234&view=flow&layer=1&neuron=")
    assert found.node_attrs[0]["href"].endswith("#neuron-detail")
    fragment = real_client.get("/learn/network?model=book&sample=7", headers=HTMX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="network-result"') and len(Flow(fragment).nodes) == 160


@pytest.mark.parametrize("sample", ["-1", "10000", "2.5", "x"])
def test_the_network_lesson_refuses_a_sample_it_does_not_have(real_client, sample):
    response = real_client.get(f"/learn/network?sample={sample}", headers=HTMX)
    assert response.status_code == 400 and 'id="network-result"' in response.get_data(as_text=True)
