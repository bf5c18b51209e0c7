/* Drawing canvas: a small reusable component, no framework.

Contract (the drawing page and the inside page both rely on it):
- Any <canvas data-drawing> inside a <form> becomes a drawing surface. Mouse, finger and pen draw
  through Pointer Events (give the canvas `touch-action: none` in CSS so a phone does not scroll).
- Drawing units: 0..280 on both axes, whatever the canvas's CSS size or devicePixelRatio; the
  backing store follows CSS size x devicePixelRatio, so lines stay sharp. Round ink, 1/16 of the side.
- Strokes are arrays of [x, y] points in drawing units. The list is kept in localStorage under
  "digit-reader:strokes" and restored on load, then sent once (below) if not empty. Every page
  that uses this script shares it, and a change in another tab is picked up. An item may also be
  {"image": "data:image/png;base64,..."}: a picture over the whole canvas (a loaded test-set
  sample); strokes drawn after it go on top of it.
- On every change (at most every 100 ms during a stroke, and at once at stroke end, undo, clear,
  load and restore) the PNG of the drawing, 280x280 on white whatever the screen, is written as a
  data URL into the form's <input name="image">, then a `drawing-changed` event (bubbling) is
  dispatched on the form: put hx-trigger="drawing-changed" on the form. An empty drawing writes ""
  (the server answers with an invitation to draw). The event's detail.source says what changed
  it: "stroke", "undo", "clear" or "load" (the user, on this page) or "restore" (the drawing read
  back from storage: on page load, or changed in another tab).
- Give the form hx-sync="this:queue last" and a swap that keeps its target element
  (hx-swap="outerMorph"): htmx 4 fixes a request's target when the request is triggered and drops
  the answer if that element has left the page by then, so with outerHTML the request queued
  behind the one in flight (a Clear pressed during a reading, the finished stroke) was answered
  and thrown away, leaving a stale reading.
- Buttons inside the form with data-action="clear" / data-action="undo" are wired; so are the keys
  Escape or Delete (clear) and Ctrl+Z / Cmd+Z (undo) when the user is not typing in a field
  (static/keys.js, which base.html loads before this script, decides that for every script).
- A `drawing-load` event on the form with detail {image: data URL} replaces the drawing by that
  picture (the server sends it with an HX-Trigger response header).
- The form gets data-drawing-state="empty" or "drawn", for styling and for tests.
- An element with data-drawing-note (say, "Loaded test image no. 8321, labelled 7") describes the
  drawing as it was loaded: it is emptied as soon as the drawing changes in any other way.
*/
(() => {
  "use strict";

  const UNITS = 280;                 // drawing units per side; also the exported PNG's size
  const PEN = UNITS / 16;            // a marker: 1/16 of the side (how training's synthetic pens compare: training/pen.py)
  const INK = "#111111";
  const THROTTLE_MS = 100;
  const STORAGE_KEY = "digit-reader:strokes";
  const drawings = [];
  let lastUsed = null;

  function loadStrokes() {
    try {
      const value = JSON.parse(localStorage.getItem(STORAGE_KEY) || "[]");
      return Array.isArray(value) ? value.filter(isItem) : [];
    } catch (error) {
      return [];             // unreadable or blocked storage: start empty
    }
  }

  function isItem(item) {
    return (Array.isArray(item) && item.every((p) => Array.isArray(p) && p.length === 2))
      || (item !== null && typeof item === "object" && typeof item.image === "string"
          && item.image.startsWith("data:image/"));
  }

  function saveStrokes(strokes) {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(strokes));
    } catch (error) {
      /* private mode or full storage: the drawing still works, it just is not kept */
    }
  }

  // Pictures (loaded samples) decoded once; `ready` resolves when every one is drawable.
  const pictures = new Map();
  function picture(url) {
    if (!pictures.has(url)) {
      const img = new Image();
      const ready = new Promise((resolve) => {
        img.onload = () => resolve(img);
        img.onerror = () => resolve(null);
      });
      img.src = url;
      pictures.set(url, { img, ready });
    }
    return pictures.get(url);
  }

  function paint(ctx, strokes, scale) {
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, UNITS, UNITS);
    ctx.strokeStyle = INK;
    ctx.fillStyle = INK;
    ctx.lineWidth = PEN;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    for (const item of strokes) {
      if (Array.isArray(item)) {
        paintStroke(ctx, item);
      } else {
        const { img } = picture(item.image);
        if (img.complete && img.naturalWidth) ctx.drawImage(img, 0, 0, UNITS, UNITS);
      }
    }
  }

  // A smooth line through the points: quadratic curves between midpoints; one point is a dot.
  function paintStroke(ctx, points) {
    if (points.length === 0) return;
    const [x0, y0] = points[0];
    if (points.length === 1) {
      ctx.beginPath();
      ctx.arc(x0, y0, PEN / 2, 0, 2 * Math.PI);
      ctx.fill();
      return;
    }
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    for (let i = 1; i < points.length - 1; i++) {
      const [x, y] = points[i];
      const [nx, ny] = points[i + 1];
      ctx.quadraticCurveTo(x, y, (x + nx) / 2, (y + ny) / 2);
    }
    const [xl, yl] = points[points.length - 1];
    ctx.lineTo(xl, yl);
    ctx.stroke();
  }

  function setUp(canvas) {
    const form = canvas.closest("form");
    if (!form || canvas.dataset.drawingReady) return;
    canvas.dataset.drawingReady = "true";
    const input = form.querySelector('input[name="image"]')
      || Object.assign(form.appendChild(document.createElement("input")), { type: "hidden", name: "image" });
    const ctx = canvas.getContext("2d");
    const exportCanvas = document.createElement("canvas");
    exportCanvas.width = exportCanvas.height = UNITS;
    const exportCtx = exportCanvas.getContext("2d");

    const drawing = { canvas, form, strokes: loadStrokes(), current: null, pointerId: null };
    let lastSent = 0;
    let pending = null;

    function redraw() {
      paint(ctx, drawing.strokes, canvas.width / UNITS);
    }

    function resize() {
      const ratio = window.devicePixelRatio || 1;
      const side = Math.max(1, Math.round(canvas.getBoundingClientRect().width * ratio));
      if (canvas.width !== side || canvas.height !== side) {
        canvas.width = canvas.height = side;
      }
      redraw();
    }

    // Write the PNG into the form and tell htmx. Waits for pictures so the PNG holds them.
    async function send(source) {
      clearTimeout(pending);
      pending = null;
      lastSent = performance.now();
      const strokes = drawing.strokes;
      await Promise.all(strokes.filter((s) => !Array.isArray(s)).map((s) => picture(s.image).ready));
      if (strokes !== drawing.strokes) return;   // replaced meanwhile: that change sends its own
      const empty = strokes.length === 0;
      form.dataset.drawingState = empty ? "empty" : "drawn";
      if (empty) {
        input.value = "";
      } else {
        paint(exportCtx, strokes, 1);
        input.value = exportCanvas.toDataURL("image/png");
      }
      if (source !== "load") {
        for (const note of document.querySelectorAll("[data-drawing-note]")) note.replaceChildren();
      }
      form.dispatchEvent(new CustomEvent("drawing-changed", { bubbles: true, detail: { source } }));
    }

    function sendSoon() {
      if (pending) return;
      const wait = THROTTLE_MS - (performance.now() - lastSent);
      if (wait <= 0) send("stroke");
      else pending = setTimeout(send, wait, "stroke");
    }

    function changed(source) {
      saveStrokes(drawing.strokes);
      redraw();
      send(source);
    }

    function point(event) {
      const box = canvas.getBoundingClientRect();
      const x = ((event.clientX - box.left) / box.width) * UNITS;
      const y = ((event.clientY - box.top) / box.height) * UNITS;
      return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
    }

    canvas.addEventListener("pointerdown", (event) => {
      if (drawing.pointerId !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
      event.preventDefault();
      lastUsed = drawing;
      drawing.pointerId = event.pointerId;
      canvas.setPointerCapture?.(event.pointerId);
      drawing.current = [point(event)];
      drawing.strokes = [...drawing.strokes, drawing.current];
      redraw();
      sendSoon();
    });

    canvas.addEventListener("pointermove", (event) => {
      if (event.pointerId !== drawing.pointerId) return;
      event.preventDefault();
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      for (const e of events.length ? events : [event]) drawing.current.push(point(e));
      redraw();
      sendSoon();
    });

    function endStroke(event) {
      if (event.pointerId !== drawing.pointerId) return;
      drawing.pointerId = null;
      drawing.current = null;
      changed("stroke");
    }
    canvas.addEventListener("pointerup", endStroke);
    canvas.addEventListener("pointercancel", endStroke);
    canvas.addEventListener("contextmenu", (event) => event.preventDefault());

    drawing.clear = () => {
      if (drawing.pointerId !== null) return;
      drawing.strokes = [];
      changed("clear");
    };
    drawing.undo = () => {
      if (drawing.pointerId !== null || drawing.strokes.length === 0) return;
      drawing.strokes = drawing.strokes.slice(0, -1);
      changed("undo");
    };
    drawing.reload = (quietWhenEmpty = false) => {
      drawing.strokes = loadStrokes();
      redraw();
      if (quietWhenEmpty && drawing.strokes.length === 0) form.dataset.drawingState = "empty";
      else send("restore");
    };

    form.addEventListener("click", (event) => {
      const button = event.target.closest("[data-action]");
      if (!button || !form.contains(button)) return;
      lastUsed = drawing;
      if (button.dataset.action === "clear") drawing.clear();
      if (button.dataset.action === "undo") drawing.undo();
    });

    form.addEventListener("drawing-load", (event) => {
      const image = event.detail?.image;
      if (typeof image !== "string" || !image.startsWith("data:image/")) return;
      lastUsed = drawing;
      drawing.strokes = [{ image }];
      picture(image).ready.then(redraw);
      changed("load");
    });

    new ResizeObserver(resize).observe(canvas);
    window.addEventListener("resize", resize);   // zoom changes devicePixelRatio
    resize();
    Promise.all(drawing.strokes.filter((s) => !Array.isArray(s)).map((s) => picture(s.image).ready)).then(redraw);
    drawings.push(drawing);
    return drawing;
  }

  document.addEventListener("keydown", (event) => {
    const drawing = lastUsed || drawings[0];
    if (!drawing || event.defaultPrevented || window.digitKeys.isTyping(event.target)) return;
    if ((event.key === "Escape" || event.key === "Delete") && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      drawing.clear();
    } else if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key.toLowerCase() === "z") {
      event.preventDefault();
      drawing.undo();
    }
  });

  // Another tab (say, the inside page) changed the drawing: show it here too.
  window.addEventListener("storage", (event) => {
    if (event.key === STORAGE_KEY || event.key === null) drawings.forEach((d) => d.pointerId === null && d.reload());
  });

  function start() {
    // After htmx has wired the forms (it does so on DOMContentLoaded), so the first request is heard.
    setTimeout(() => {
      for (const canvas of document.querySelectorAll("canvas[data-drawing]")) {
        const drawing = setUp(canvas);
        if (drawing) drawing.reload(true);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
