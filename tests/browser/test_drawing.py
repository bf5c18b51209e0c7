"""The drawing page in real Chromium against the live server: mouse, touch, clear, undo, live
updates, reload, samples, errors, and screenshots at phone and projector sizes.

Every wait is on the page's state (Playwright's auto-waiting expect), never a fixed sleep or a polling loop."""

import base64
import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.held import clear_while_a_reading_is_held
from tests.digits import EXTRA_STROKE
from tests.digits import STROKES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
ONE_DIGIT = re.compile(r"^\d$")


def open_page(page, live_server, query="?model=book"):
    page.goto(live_server + "/" + query)
    page.evaluate("localStorage.clear()")
    page.reload()
    expect(page.get_by_test_id("invitation")).to_be_visible()
    return page


def canvas_point(page, x: float, y: float) -> tuple:
    box = page.get_by_test_id("canvas").bounding_box()
    return box["x"] + x * box["width"], box["y"] + y * box["height"]


def mouse_stroke(page, points, release=True):
    page.mouse.move(*canvas_point(page, *points[0]))
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*canvas_point(page, *point), steps=2)
    if release:
        page.mouse.up()


def mouse_draw(page, digit: str):
    for stroke in STROKES[digit]:
        mouse_stroke(page, stroke)


def stroke_count(page) -> int:
    return page.evaluate("JSON.parse(localStorage.getItem('digit-reader:strokes') || '[]').length")


def expect_digit(page, digit: str):
    expect(page.get_by_test_id("prediction")).to_have_text(digit)
    expect(page.get_by_test_id("probabilities").locator("li")).to_have_count(10)


def expect_empty(page):
    expect(page.get_by_test_id("invitation")).to_be_visible()
    expect(page.get_by_test_id("prediction")).to_have_text("")


@pytest.mark.parametrize("digit", ["1", "0", "7"])
def test_mouse_drawing_is_read(page, live_server, digit):
    open_page(page, live_server)
    mouse_draw(page, digit)
    expect_digit(page, digit)
    expect(page.locator("#result")).to_contain_text(f"reads {digit}")
    assert stroke_count(page) == len(STROKES[digit])


@pytest.mark.parametrize("digit", ["1", "7"])
def test_default_model_reads_mouse_drawing(page, live_server, digit):
    open_page(page, live_server, query="")
    expect(page.get_by_test_id("model")).to_have_value("default")
    mouse_draw(page, digit)
    expect_digit(page, digit)


def test_touch_drawing_is_read(touch_page, live_server):
    page = open_page(touch_page, live_server)
    cdp = page.context.new_cdp_session(page)
    stroke = STROKES["1"][0]

    def touch(kind, point=None):
        points = [] if point is None else [dict(zip(("x", "y"), canvas_point(page, *point), strict=True), id=1)]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", stroke[0])
    for point in stroke[1:]:
        touch("touchMove", point)
    touch("touchEnd")
    expect_digit(page, "1")
    assert page.evaluate("window.scrollY") == 0  # drawing did not scroll the page


def test_canvas_is_sharp_on_high_dpi_and_exports_280px(touch_page, live_server):
    page = open_page(touch_page, live_server)
    mouse_free = STROKES["7"][0]
    cdp = page.context.new_cdp_session(page)
    for kind, point in [("touchStart", mouse_free[0]), *[("touchMove", p) for p in mouse_free[1:]]]:
        x, y = canvas_point(page, *point)
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y, "id": 1}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    expect_digit(page, "7")
    sizes = page.evaluate(
        """() => { const c = document.querySelector('[data-testid=canvas]');
                 return [c.width, c.getBoundingClientRect().width, devicePixelRatio]; }"""
    )
    assert sizes[0] == round(sizes[1] * sizes[2]) and sizes[2] == 3
    assert 300 <= sizes[1] <= 390  # fits a phone's width
    url = page.locator('input[name="image"]').input_value()
    image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert image.size == (280, 280)
    assert image.convert("L").getpixel((0, 0)) == 255  # white background, not transparent


def test_live_update_during_a_stroke(page, live_server):
    open_page(page, live_server)
    mouse_stroke(page, STROKES["1"][0], release=False)
    # Still pressed: the reading must already be there (throttled updates during the stroke).
    expect(page.get_by_test_id("prediction")).not_to_have_text("")
    page.mouse.up()
    expect_digit(page, "1")


def test_live_update_during_a_slow_stroke_on_a_slow_network(page, live_server):
    """With 300 ms of network latency and a new drawing every 100 ms, readings must still arrive
    while the pen is down: the newest drawing waits for the one in flight instead of aborting it."""
    open_page(page, live_server)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 300, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.evaluate(
        """() => { const canvas = document.querySelector('[data-testid=canvas]');
                 canvas.addEventListener('pointerdown', (e) => { window.penId = e.pointerId; }, { once: true }); }"""
    )
    mouse_stroke(page, STROKES["1"][0], release=False)
    x, y = canvas_point(page, *STROKES["1"][0][-1])
    # A hand that keeps moving a little every 50 ms, in the page itself, while we wait for a reading.
    page.evaluate(
        """([x, y]) => { const canvas = document.querySelector('[data-testid=canvas]'); let step = 0;
                 window.hand = setInterval(() => canvas.dispatchEvent(new PointerEvent('pointermove',
                   { pointerId: window.penId, pointerType: 'mouse', clientX: x + (step++ % 2), clientY: y,
                     bubbles: true, cancelable: true })), 50); }""",
        [x, y],
    )
    expect(page.get_by_test_id("prediction")).not_to_have_text("", timeout=3000)  # the pen is still down
    page.evaluate("clearInterval(window.hand)")
    page.mouse.up()
    expect_digit(page, "1")


def test_result_region_stays_in_place_for_screen_readers(page, live_server):
    """outerMorph keeps the aria-live element itself, so only changed text is announced."""
    open_page(page, live_server)
    page.evaluate("document.querySelector('#result').keptAcrossSwaps = true")
    mouse_draw(page, "1")
    expect_digit(page, "1")
    assert page.evaluate("document.querySelector('#result').keptAcrossSwaps === true")
    assert page.locator("#result").get_attribute("aria-live") == "polite"
    assert page.locator("#result .result-details").get_attribute("aria-live") == "off"


def test_clear_button_and_escape_key(page, live_server):
    open_page(page, live_server)
    mouse_draw(page, "7")
    expect_digit(page, "7")
    page.get_by_test_id("clear").click()
    expect_empty(page)
    assert stroke_count(page) == 0
    mouse_draw(page, "1")
    expect_digit(page, "1")
    page.keyboard.press("Escape")
    expect_empty(page)


def test_clear_wins_over_a_reading_still_in_flight(page, live_server):
    """Clear while the drawing's reading is still on its way (held at the network): once that
    reading has arrived, the invitation shows and stays (Clear's request, queued behind it, still
    has #result to swap into: outerMorph keeps it); a new drawing after it is read."""
    open_page(page, live_server)
    clear_while_a_reading_is_held(page, "/read", lambda: mouse_draw(page, "7"), "#draw-form")
    expect_empty(page)
    mouse_draw(page, "1")
    expect_digit(page, "1")


def test_undo_button_removes_the_last_stroke(page, live_server):
    open_page(page, live_server)
    mouse_draw(page, "1")
    expect_digit(page, "1")
    before = page.locator('input[name="image"]').input_value()
    mouse_stroke(page, EXTRA_STROKE)
    expect(page.locator('input[name="image"]')).not_to_have_value(before)
    assert stroke_count(page) == 2
    page.get_by_test_id("undo").click()
    expect(page.locator('input[name="image"]')).to_have_value(before)  # exactly the "1" again
    expect_digit(page, "1")
    assert stroke_count(page) == 1


def test_drawing_changed_says_what_changed_the_drawing(page, live_server):
    """canvas.js names the source of each change, so that a page can tell the user's drawing
    from the one restored from storage (the inside page keeps a shown sample for the latter)."""
    page.add_init_script(
        """document.addEventListener('drawing-changed', (e) => { const root = document.documentElement;
             root.dataset.sources = `${root.dataset.sources || ''} ${e.detail.source}`.trim(); });"""
    )
    open_page(page, live_server)
    mouse_draw(page, "1")
    expect_digit(page, "1")
    page.get_by_test_id("undo").click()
    expect_empty(page)
    page.keyboard.press("Escape")
    sources = page.locator("html")
    expect(sources).to_have_attribute("data-sources", re.compile(r"^(stroke )+undo clear$"))
    mouse_draw(page, "7")
    expect_digit(page, "7")
    page.reload()
    expect(sources).to_have_attribute("data-sources", "restore")
    expect_digit(page, "7")


def test_ctrl_z_undoes(page, live_server):
    open_page(page, live_server)
    mouse_draw(page, "7")
    expect_digit(page, "7")
    page.keyboard.press("Control+z")
    expect_empty(page)
    assert stroke_count(page) == 0


def test_blank_canvas_shows_no_digit(page, live_server):
    open_page(page, live_server)
    expect_empty(page)
    page.get_by_test_id("clear").click()
    page.get_by_test_id("undo").click()
    expect_empty(page)
    expect(page.locator(".canvas-placeholder")).to_be_visible()


def test_reload_keeps_the_drawing(page, live_server):
    open_page(page, live_server)
    mouse_draw(page, "7")
    expect_digit(page, "7")
    page.reload()
    expect_digit(page, "7")  # restored from localStorage, then read once
    assert stroke_count(page) == 1
    expect(page.locator(".canvas-placeholder")).to_be_hidden()


def test_show_why_toggle_re_reads_with_the_plain_resize(page, live_server):
    open_page(page, live_server)
    mouse_draw(page, "7")
    expect_digit(page, "7")
    page.get_by_test_id("compare").check()
    expect(page.get_by_test_id("why")).to_be_visible()
    expect(page.get_by_test_id("plain-prediction")).to_have_text(ONE_DIGIT)
    page.get_by_test_id("compare").uncheck()
    expect(page.get_by_test_id("why")).to_have_count(0)
    expect_digit(page, "7")


def test_keyboard_user_loads_a_test_set_sample(page, live_server):
    open_page(page, live_server)
    page.get_by_test_id("sample-digit").select_option("3")
    page.get_by_test_id("sample").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#sample-note")).to_contain_text("labelled 3")
    expect(page.get_by_test_id("prediction")).to_have_text(ONE_DIGIT)
    items = page.evaluate("JSON.parse(localStorage.getItem('digit-reader:strokes'))")
    assert len(items) == 1 and items[0]["image"].startswith("data:image/png;base64,")
    page.get_by_test_id("undo").click()
    expect_empty(page)


def test_server_error_shows_a_clear_message(page, live_server):
    open_page(page, live_server)
    page.evaluate(
        """() => { const form = document.querySelector('#draw-form');
                 form.querySelector('input[name=image]').value = 'data:image/png;base64,AAAA';
                 form.dispatchEvent(new CustomEvent('drawing-changed', {bubbles: true})); }"""
    )
    expect(page.locator("#result [role=alert]")).to_contain_text("could not be read")
    expect(page.get_by_test_id("prediction")).to_have_text("")
    mouse_draw(page, "1")  # and the page recovers with the next stroke
    expect_digit(page, "1")


@pytest.mark.parametrize(("name", "width", "height"), [("phone", 390, 844), ("projector", 1920, 1080)])
def test_screenshots_at_phone_and_projector_size(page, live_server, name, width, height):
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, live_server)
    mouse_draw(page, "7")
    expect_digit(page, "7")
    canvas = page.get_by_test_id("canvas").bounding_box()
    assert canvas["width"] == pytest.approx(canvas["height"], abs=1)
    if name == "phone":
        assert canvas["width"] <= width - 24
    else:
        assert canvas["width"] >= 600  # large enough for the back of the room
        assert canvas["y"] + canvas["height"] <= height  # canvas fully in view
        assert page.get_by_test_id("prediction").bounding_box()["y"] < height  # and the answer
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"draw-{name}.png"))
    page.get_by_test_id("compare").check()
    expect(page.get_by_test_id("why")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"draw-{name}-why.png"), full_page=True)


def test_works_at_200_percent_zoom(make_page, live_server):
    page = make_page(viewport={"width": 640, "height": 450}, device_scale_factor=2)
    open_page(page, live_server)
    mouse_draw(page, "1")
    expect_digit(page, "1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    page.screenshot(path=str(ARTIFACTS / "draw-zoom-200.png"), full_page=True)
