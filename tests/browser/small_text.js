(minimum) => {
  // Every text a student reads that is drawn under `minimum` px, as "size tag.class in #id: text":
  // SVG text counts at the size it is drawn (its font size times the chart's scale on screen); text
  // not drawn (hidden, closed, screen-reader only, SVG titles, unopened options) does not count.
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!text) continue;
    const el = node.parentElement;
    if (!el || el.closest("title, desc, script, style, option, .visually-hidden, dialog:not([open]), [aria-hidden=true] .visually-hidden")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
    if (!rects.length) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement && el.getScreenCTM) {
      const m = el.getScreenCTM();
      size *= Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    }
    if (size < minimum - 0.05) {
      const where = el.closest("[id]");
      found.push(`${size.toFixed(1)}px ${el.tagName.toLowerCase()}.${[...el.classList].join(".")} in #${where ? where.id : "-"}: ${text.slice(0, 40)}`);
    }
  }
  return found;
}
