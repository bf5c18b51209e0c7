/* The flow view's small island of script (templates/charts/flow.html); the drawing is server-rendered SVG.

- Readout: hovering or focusing a node writes its exact value and its strongest inputs (the edges
  into it, their exact w·z) into the figure's <output>, and lights those edges.
- Keyboard: each layer is one Tab stop; ↑ ↓ move within a layer, ← → to the nearest node of the
  layer before or after, Home / End to a layer's first / last node. Enter or Space on a node
  presses it: on the inside page inside.js opens the neuron's detail (data-open-layer), in the
  lesson the node is a link to that neuron on the inside page.
*/
(() => {
  "use strict";

  const NODE = ".flow-node";

  function edgesInto(node) {
    const chart = node.closest("svg");
    return chart.querySelectorAll(`[data-testid="flow-edge"][data-layer="${node.dataset.layer}"][data-to="${node.dataset.index}"]`);
  }

  function describe(node) {
    const layer = node.closest("[data-flow-layer]");
    const figure = node.closest("[data-testid=flow]");
    const edges = [...edgesInto(node)].sort((a, b) => Math.abs(b.dataset.value) - Math.abs(a.dataset.value));
    const inputs = edges.map((e) => `${layer.dataset.source}[${e.dataset.from}] ${e.dataset.value.startsWith("-") ? "" : "+"}${e.dataset.value}`);
    return `${layer.dataset.symbol}[${node.dataset.index}] = ${node.dataset.value} · ${figure.dataset.inputsLabel}: ${inputs.join(", ")}`;
  }

  function light(node) {
    const chart = node.closest("svg");
    for (const lit of chart.querySelectorAll(".flow-edge.lit")) lit.classList.remove("lit");
    for (const edge of edgesInto(node)) edge.classList.add("lit");
    chart.classList.add("lighting");
  }

  function show(event) {
    const node = event.target.closest?.(NODE);
    if (!node) return;
    const readout = node.closest("[data-testid=flow]").querySelector("output.flow-readout");
    if (readout) readout.textContent = describe(node);
    light(node);
  }

  function unlight(event) {
    const node = event.target.closest?.(NODE);
    if (!node || node.contains(event.relatedTarget)) return;
    node.closest("svg")?.classList.remove("lighting");
  }

  function moveFocus(node, next) {
    if (!next || next === node) return;
    node.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  }

  function nearest(node, layer) {
    const y = node.getBoundingClientRect().top;
    let best = null;
    for (const other of layer?.querySelectorAll(NODE) || []) {
      if (!best || Math.abs(other.getBoundingClientRect().top - y) < Math.abs(best.getBoundingClientRect().top - y)) best = other;
    }
    return best;
  }

  function onKey(event) {
    const node = event.target.closest?.(NODE);
    if (!node || event.ctrlKey || event.metaKey || event.altKey) return;
    const layer = node.closest("[data-flow-layer]");
    const nodes = [...layer.querySelectorAll(NODE)];
    const at = nodes.indexOf(node);
    const layers = [...node.closest("svg").querySelectorAll("[data-flow-layer]")];
    const here = layers.indexOf(layer);
    const next = {
      ArrowUp: nodes[at - 1],
      ArrowDown: nodes[at + 1],
      Home: nodes[0],
      End: nodes[nodes.length - 1],
      ArrowLeft: here > 0 ? nearest(node, layers[here - 1]) : null,
      ArrowRight: nearest(node, layers[here + 1]),
    };
    if (event.key in next) {
      event.preventDefault();
      moveFocus(node, next[event.key]);
    } else if ((event.key === "Enter" && node.tagName !== "a") || event.key === " ") {
      event.preventDefault();
      node.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, view: window }));
    }
  }

  document.addEventListener("pointerover", show);
  document.addEventListener("focusin", show);
  document.addEventListener("pointerout", unlight);
  document.addEventListener("focusout", unlight);
  document.addEventListener("keydown", onKey);
})();
