"""Every page of tests/browser/pages.py fits a phone's width (390 x 844), in English and Korean,
with presenter mode off and on: the document does not scroll sideways and no text reaches past the
right edge of the screen.

Text inside a box that scrolls sideways on purpose (overflow-x: auto or scroll, as the wide tables
do) may lie beyond the box's edge when it belongs to a part narrower than the box (a table cell, a
line of code): scrolling brings it in whole. Not so text laid out across a part wider than the box,
such as a table's caption, which is as wide as its table: cut at the box's edge, it would have to be
scrolled back and forth line by line.

Every <details> is opened first: what it holds is on the page for whoever opens it.

One visit a page and language: presenter mode changes nothing in the page but the class `present`
on <body> (web/present.py, templates/base.html), so the check runs once, then again with the class
added, in the same visit. The visits of the module share one phone-sized browser context, and so its
cache of the app's scripts, styles and fonts: three times faster than a new context a visit. Like the
`page` fixture's, it is watched by tests/browser/harness.py's Watch: it refuses every other host and
fails a visit that asks one, or that logs a JavaScript or console error."""

import pytest

from tests.browser.harness import ARTIFACTS
from tests.browser.harness import PHONE
from tests.browser.harness import Watch
from tests.browser.pages import LANGUAGES
from tests.browser.pages import PAGES

pytestmark = pytest.mark.browser

# [problem, ...] of the page as it is now. `width` is the viewport's: with a mobile viewport Chromium
# zooms out to show a page that is too wide, so window.innerWidth grows with the fault it would show.
FIND_OVERFLOW = """(width) => {
  const SLACK = 1;  // px: sub-pixel rounding of text boxes
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > width) problems.push(`the document is ${root.scrollWidth} px wide`);
  // What is read of an element, once (a page has thousands of table cells); left: of its inside.
  const styles = new Map();
  const style = (el) => {
    if (!styles.has(el)) {
      const {clip, position, transform, overflowX, display} = getComputedStyle(el);
      const left = overflowX === "visible" ? 0 : el.getBoundingClientRect().left + el.clientLeft;
      styles.set(el, {clip, position, transform, overflowX, display, left});
    }
    return styles.get(el);
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.classList.length ? "." + [...el.classList].join(".") : "");
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!text) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
    if (!rects.length) continue;  // not rendered: display: none, a closed dialog, an <option>
    if (!node.parentElement.checkVisibility({visibilityProperty: true})) continue;  // laid out, not shown
    const right = Math.max(...rects.map((r) => r.right));  // of the text as laid out
    // What of it is drawn: cut by each box around it that clips or scrolls sideways, up to <body>
    // (whose overflow is the viewport's). An absolutely positioned box is cut only by the boxes
    // from its containing block (the nearest positioned one) up; a fixed one by none of them.
    let shown = right, scroller = null, hidden = false, escaping = false;
    for (let el = node.parentElement; el && el !== document.body; el = el.parentElement) {
      const s = style(el);
      if (s.clip === "rect(0px, 0px, 0px, 0px)") hidden = true;  // .visually-hidden
      if (escaping && s.position === "static" && s.transform === "none") continue;
      escaping = false;
      if (s.overflowX !== "visible") {
        if (!scroller && ["auto", "scroll"].includes(s.overflowX) && el.scrollWidth > el.clientWidth) {
          scroller = el;
          // Text in a part wider than the box that scrolls it: cut at the box's edge?
          let block = node.parentElement;
          while (block !== el && ["inline", "contents"].includes(style(block).display)) block = block.parentElement;
          const wide = block.getBoundingClientRect().width;
          if (block !== el && wide > el.clientWidth + SLACK && right > s.left + el.clientWidth + SLACK) {
            problems.push(`"${text.slice(0, 60)}" (${name(node.parentElement)}) is ${Math.round(wide)} px wide `
              + `in ${name(el)}, which shows ${el.clientWidth} px: cut at its edge`);
          }
        }
        shown = Math.min(shown, s.left + el.clientWidth);
      }
      if (s.position === "fixed") break;
      if (s.position === "absolute") escaping = true;
    }
    if (!hidden && shown > width + SLACK) {
      problems.push(`"${text.slice(0, 60)}" (${name(node.parentElement)}) reaches ${Math.round(shown)} px`);
    }
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def phone(chromium):
    """(page, watch): a page of a phone-sized context kept for the module, and the Watch of its
    context, which a test clears before its visit and checks after it."""
    watch = Watch(chromium.new_context(**(PHONE | {"device_scale_factor": 1})))  # CSS pixels as at 3
    yield watch.page(), watch
    watch.context.close()


def settle(page):
    """Until the fonts the page now needs are loaded (the layout is forced first, so that it asks for them)."""
    page.evaluate("document.body.offsetWidth; document.fonts.ready.then(() => true)")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", PAGES, ids=[p.lstrip("/").replace("/", "_") or "draw" for p in PAGES])
def test_nothing_overflows_a_phone_screen(phone, live_server, request, path, language):
    page, watch = phone
    watch.clear()
    page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={language}&present=0")  # until "load"
    settle(page)
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    width = page.viewport_size["width"]
    found = {"presenter mode off": page.evaluate(FIND_OVERFLOW, width)}
    page.evaluate("document.body.classList.add('present')")
    settle(page)  # presenter mode's larger type may need more of the font (another weight)
    found["presenter mode on"] = page.evaluate(FIND_OVERFLOW, width)
    report = "\n".join(f"{mode}: {problem}" for mode, problems in found.items() for problem in problems)
    if report:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    assert not report, f"{path} in {language} at {width} px:\n{report}"
    watch.check()
