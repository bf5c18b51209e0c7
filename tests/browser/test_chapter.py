"""The chapter from the app (issue 19) in real Chromium against the live server: ← / → after a
slider or a choice was used with the mouse, the drawing page's sample note going with the first
change, formulas drawn as mathematics, and presenter mode at 1920 × 1080 (no text under 20 px, the
confusion matrix on one screen, large misread images, model pickers never cut off).

Every wait is on the page's state (expect / wait_for_url), never a fixed sleep."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.pages import PAGES
from tests.browser.test_drawing import mouse_stroke
from tests.browser.test_drawing import open_page

pytestmark = pytest.mark.browser

PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
SMALL_TEXT = (Path(__file__).parent / "small_text.js").read_text()
MINIMUM_PX = 20


def drag(page, slider, to: float):
    """Drag a range input's thumb with the mouse from its middle to `to` (0..1 of its width)."""
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(box["x"] + to * box["width"], y, steps=4)
    page.mouse.up()


# --- ← / → -------------------------------------------------------------------------------------------


def test_after_dragging_a_slider_the_arrows_change_the_lesson(page, live_server):
    page.goto(live_server + "/learn/neuron?present=1")
    slider = page.get_by_test_id("slider-w1")
    drag(page, slider, 0.9)
    expect(slider).to_be_focused()
    expect(page.locator("#neuron-w1-value")).not_to_have_text("0.5")
    moved = slider.input_value()
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/learn/activations*")
    page.goto(live_server + "/learn/neuron?present=1")
    drag(page, page.get_by_test_id("slider-b"), 0.2)
    page.keyboard.press("ArrowLeft")
    page.wait_for_url("**/learn/perceptron*")
    assert moved != "0.5"


def test_a_slider_reached_with_tab_keeps_its_arrows(page, live_server):
    page.goto(live_server + "/learn/activations?x=1")
    page.get_by_test_id("x-slider").focus()  # as Tab would: no pointer
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("x-shown")).to_have_text("1.1")
    assert page.url.endswith("/learn/activations?x=1") or "/learn/activations" in page.url
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")  # back onto the slider by keyboard
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_test_id("x-shown")).to_have_text("1.0")
    assert "/learn/activations" in page.url


def test_after_clicking_a_choice_the_arrows_change_the_lesson(page, live_server):
    page.goto(live_server + "/learn/neuron")
    page.get_by_test_id("h-relu").click()
    expect(page.get_by_test_id("h-relu")).to_be_checked()
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/learn/activations*")


def test_a_text_field_keeps_its_arrows(page, live_server):
    page.goto(live_server + "/learn/softmax")
    field = page.get_by_test_id("logits")
    field.click()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowRight")
    expect(field).to_be_focused()
    assert "/learn/softmax" in page.url


def test_the_key_help_states_the_rule(page, live_server):
    page.goto(live_server + "/learn/perceptron?lang=en")
    page.locator("h1").click()
    page.keyboard.press("?")
    expect(page.get_by_test_id("arrows-rule")).to_be_visible()
    expect(page.get_by_test_id("arrows-rule")).to_contain_text("with the mouse, they change the lesson again")


# --- The drawing page's note on a loaded test image ------------------------------------------------------


@pytest.mark.parametrize("change", ["stroke", "clear"])
def test_the_sample_note_goes_as_soon_as_the_drawing_changes(page, live_server, change):
    open_page(page, live_server, "?model=book&lang=en")
    page.get_by_test_id("sample-digit").select_option("7")
    page.get_by_test_id("sample").click()
    note = page.locator("#sample-note")
    expect(note).to_contain_text("labelled 7")
    expect(page.get_by_test_id("prediction")).not_to_have_text("")
    expect(note).to_contain_text("labelled 7")  # the loaded image's own reading keeps it
    if change == "stroke":
        mouse_stroke(page, [(0.5, 0.2), (0.5, 0.8)])
    else:
        page.get_by_test_id("clear").click()
    expect(note).to_have_text("")


# --- Formulas as mathematics ---------------------------------------------------------------------------


def test_formulas_are_drawn_as_mathematics(page, live_server):
    page.goto(live_server + "/learn/softmax")
    maths = page.locator("math.math-formula")
    assert maths.count() == 3
    for i in range(maths.count()):
        box = maths.nth(i).bounding_box()
        assert box["width"] > 100 and box["height"] > 20
        assert maths.nth(i).evaluate("m => getComputedStyle(m).display").endswith("math")
    fraction = page.locator("math.math-formula mfrac").first
    top = fraction.evaluate("f => f.children[0].getBoundingClientRect().bottom")
    bottom = fraction.evaluate("f => f.children[1].getBoundingClientRect().top")
    assert top <= bottom + 1  # a fraction stacked, not a line of text
    alternative = "y k equals exp of a k over the sum, for i from 1 to n, of exp of a i."
    expect(maths.first).to_have_attribute("aria-label", alternative)


def test_the_exact_value_shows_on_focus(page, live_server):
    page.goto(live_server + "/learn/softmax?logits=1010,1000,990")
    small = page.locator("[data-testid=softmax-safe] .exact-on-focus").nth(1)
    expect(small).to_have_text("4.54 × 10⁻⁵")
    small.focus()
    shown = small.evaluate("e => getComputedStyle(e, '::after').content")
    assert shown.startswith('"= 4.5397') and shown.endswith('e-05"')


# --- Presenter mode at 1920 × 1080 ------------------------------------------------------------------------


def presenter_pages() -> list:
    return [p for p in PAGES if p.startswith(("/learn", "/inside", "/class", "/join")) or p == "/"]


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("path", presenter_pages())
def test_no_text_under_20px_in_presenter_mode(make_page, live_server, path, language):
    page = make_page(**PROJECTOR)
    page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}present=1&lang={language}", wait_until="networkidle")
    assert page.evaluate(SMALL_TEXT, MINIMUM_PX) == []


def test_no_text_under_20px_in_a_batch_run_or_a_reading(make_page, live_server):
    page = make_page(**PROJECTOR)
    page.goto(live_server + "/learn/batches?present=1&lang=ko")
    page.get_by_test_id("batch-run").click()
    expect(page.locator("[data-batch-size]")).to_have_count(4, timeout=120_000)
    expect(page.get_by_test_id("batch-chart")).to_be_visible()
    assert page.evaluate(SMALL_TEXT, MINIMUM_PX) == []
    open_page(page, live_server, "?present=1&lang=ko&model=book")
    page.get_by_test_id("sample").click()
    expect(page.get_by_test_id("prediction")).not_to_have_text("")
    assert page.evaluate(SMALL_TEXT, MINIMUM_PX) == []


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_confusion_matrix_fits_the_screen_and_misread_images_are_large(make_page, live_server, language):
    page = make_page(**PROJECTOR)
    page.goto(f"{live_server}/learn/test-set?true=4&predicted=9&present=1&lang={language}")
    matrix = page.get_by_test_id("confusion-matrix").bounding_box()
    assert matrix["y"] >= 0 and matrix["y"] + matrix["height"] <= 1080  # all ten rows, no scrolling
    image = page.locator("[data-testid=misread] img").first.bounding_box()
    assert image["width"] >= 84 and image["height"] >= 84  # three screen pixels per MNIST pixel


CUT_OFF = """() => [...document.querySelectorAll('select')].filter(s => s.offsetParent).map(s => {
  const shown = s.getBoundingClientRect().width;
  s.style.width = 'max-content'; s.style.maxWidth = 'none';
  const needed = s.getBoundingClientRect().width;
  s.style.width = ''; s.style.maxWidth = '';
  return {name: s.name, shown, needed};
}).filter(s => s.shown + 1 < s.needed)"""


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("path", ["/", "/inside?sample=3", "/learn/network", "/learn/batches", "/learn/test-set"])
def test_model_pickers_are_never_cut_off_in_presenter_mode(make_page, live_server, path, language):
    page = make_page(**PROJECTOR)
    page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}present=1&lang={language}")
    assert page.evaluate(CUT_OFF) == []


def test_the_inside_pages_hints_are_set_in_the_pages_font(page, live_server):
    page.goto(live_server + "/inside?sample=3&lang=ko")
    readout = page.locator(".readout").first
    assert "monospace" not in readout.evaluate("e => getComputedStyle(e).fontFamily")
    assert readout.evaluate("e => getComputedStyle(e).fontFamily") == page.evaluate(
        "getComputedStyle(document.body).fontFamily"
    )
