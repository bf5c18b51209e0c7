/* The inside page's small island of script; the charts themselves are server-rendered SVG.

- Readout: hovering or focusing a chart cell writes its exact value (and the values at the same
  index in the charts beside it) into the section's <output class="readout">.
- Keyboard: each chart is one Tab stop; arrow keys move between its cells (roving tabindex),
  Home/End jump to the first/last; Enter or Space on a neuron opens its detail, as a click does.
- Opening a neuron fills the visible "One neuron up close" form and submits it (htmx posts it
  with the drawing); the detail follows a new reading (redraw, other model or activation).
- A shown test image (?sample=N) stays until the user draws: a drawing-changed event whose
  detail.source is "restore" (canvas.js sending the drawing kept in storage) does not replace it.
*/
(() => {
  "use strict";

  const CELL = "[data-value]";
  const CHART = "svg[data-symbol]";
  let lastPick = null;   // {layer, neuron} of the detail the user opened

  function chartOf(cell) {
    return cell.closest(CHART);
  }

  function describe(cell) {
    const chart = chartOf(cell);
    const i = cell.dataset.i;
    const section = cell.closest(".charts, .neuron-charts, .stage") || chart;
    const parts = [];
    for (const other of section.querySelectorAll(CHART)) {
      const twin = other === chart ? cell : other.querySelector(`[data-i="${i}"]`);
      if (twin) parts.push(`${other.dataset.symbol}[${i}] = ${twin.dataset.value}`);
    }
    const position = chart.dataset.position;  // images: "row {row}, column {col}", translated
    if (position) parts.push(position.replace("{row}", Math.floor(i / 28)).replace("{col}", i % 28));
    return parts.join(" · ");
  }

  function showValue(event) {
    const cell = event.target.closest?.(CELL);
    if (!cell || !chartOf(cell)) return;
    const readout = cell.closest(".stage, .neuron-detail")?.querySelector("output.readout");
    if (readout) readout.textContent = describe(cell);
  }

  function moveFocus(cell, next) {
    if (!next || next === cell) return;
    cell.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  }

  function openNeuron(layer, neuron, scroll = true) {
    const form = document.getElementById("neuron-form");
    if (!form) return;
    lastPick = { layer: String(layer), neuron: String(neuron), scroll };
    form.elements.layer.value = String(layer);
    form.elements.neuron.value = String(neuron);
    form.requestSubmit();
  }

  document.addEventListener("pointerover", showValue);
  document.addEventListener("focusin", showValue);

  document.addEventListener("keydown", (event) => {
    const cell = event.target.closest?.(CELL);
    const chart = cell && chartOf(cell);
    if (!chart) return;
    const cells = chart.querySelectorAll(CELL);
    const i = Number(cell.dataset.i);
    const columns = Number(chart.dataset.columns) || 1;
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns }[event.key];
    if (step !== undefined) {
      event.preventDefault();
      moveFocus(cell, cells[i + step]);
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      moveFocus(cell, cells[event.key === "Home" ? 0 : cells.length - 1]);
    } else if ((event.key === "Enter" || event.key === " ") && chart.dataset.layer) {
      event.preventDefault();
      event.stopPropagation();
      openNeuron(chart.dataset.layer, cell.dataset.i);
    }
  });

  document.addEventListener("click", (event) => {
    const cell = event.target.closest?.(CELL);
    const chart = cell && chartOf(cell);
    if (chart?.dataset.layer) {
      moveFocus(chart.querySelector('[tabindex="0"]') || cell, cell);
      openNeuron(chart.dataset.layer, cell.dataset.i);
      return;
    }
    const link = event.target.closest?.("[data-open-layer]");
    if (link) openNeuron(link.dataset.openLayer, link.dataset.openNeuron);
  });

  // The detail follows the reading: after a new reading, reopen the neuron if it still exists.
  document.addEventListener("htmx:after:swap", () => {
    const detail = document.getElementById("neuron-detail");
    if (!lastPick || !detail) return;
    if (detail.classList.contains("empty")) {
      const { layer, neuron } = lastPick;
      const flowLayer = document.querySelector(`#reading [data-flow-layer="${layer}"]`);  // the flow view
      if (document.querySelector(`#reading svg[data-layer="${layer}"] [data-i="${neuron}"]`)
          || (flowLayer && Number(neuron) < Number(flowLayer.dataset.size))) {
        openNeuron(layer, neuron, false);
      }
    } else if (lastPick.scroll) {
      lastPick.scroll = false;
      const box = detail.getBoundingClientRect();
      if (box.top > window.innerHeight - 120 || box.bottom < 0) detail.scrollIntoView({ block: "start" });
    }
  });

  // A shown sample, or a class's drawing opened from its board (hidden fields), stays until the
  // user draws (or undoes, or clears); then the drawing replaces it.
  document.addEventListener("drawing-changed", (event) => {
    const elements = event.target.elements;
    const shown = [elements?.sample, elements?.drawing].filter((field) => field && field.value !== "");
    if (shown.length === 0) return;
    if (event.detail?.source === "restore") event.stopImmediatePropagation();   // keep showing it
    else shown.forEach((field) => { field.value = ""; });
  }, true);
})();
