"""The lessons and presenter mode in real Chromium against the live server: sliders by keyboard,
typed logits, the neuron's output, the presenter keys and the key help (focus trap, Esc), and every
lesson page loading without a console error.

Every wait is on the page's state (expect / wait_for_function), never a fixed sleep."""

import math

import numpy as np
import pytest
from playwright.sync_api import expect

from nn.functions import ACTIVATIONS
from nn.functions import softmax
from tests.browser.harness import PHONE
from tests.browser.harness import console_errors

pytestmark = pytest.mark.browser

LESSON_PAGES = ["/learn", "/learn/perceptron", "/learn/neuron", "/learn/activations", "/learn/softmax"]
LESSON_PAGES += ["/learn/network"]


@pytest.mark.parametrize("query", ["?present=0&lang=en", "?present=1&lang=ko"])
@pytest.mark.parametrize("path", LESSON_PAGES)
def test_lesson_page_loads_without_console_error(page, live_server, path, query):
    errors = console_errors(page, client_errors=True)  # not even a 4xx answer
    page.goto(live_server + path + query)
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".site-header nav a[href='/learn']")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert errors == []


def test_index_lists_the_lessons_in_order_and_the_nav_links_to_it(page, live_server):
    page.goto(live_server + "/")
    page.locator(".site-header").get_by_role("link", name="Lessons").click()
    page.wait_for_url("**/learn")
    slugs = page.locator("[data-testid=lessons] li").evaluate_all("els => els.map(e => e.dataset.slug)")
    assert slugs == ["perceptron", "neuron", "activations", "softmax", "network", "batches", "test-set"]


def test_x_slider_by_keyboard_moves_every_value(page, live_server):
    page.goto(live_server + "/learn/activations?x=0")
    slider = page.get_by_test_id("x-slider")
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")  # step 0.1: x = 0.5
    expect(page.get_by_test_id("x-shown")).to_have_text("0.5")
    expect(page.locator("#x-value")).to_have_text("0.5")
    x = np.float32(0.5)
    for name, h in ACTIVATIONS.items():
        expect(page.get_by_test_id(f"value-{name}")).to_have_text(f"{float(h(x)):.4f}")
    assert page.get_by_test_id("value-sigmoid").inner_text() == "0.6225"
    expect(slider).to_be_focused()  # the swap left the slider alone
    page.keyboard.press("End")
    expect(page.get_by_test_id("value-identity")).to_have_text("6.0000")
    expect(page.get_by_test_id("value-relu")).to_have_text("6.0000")
    expect(page.get_by_test_id("value-step")).to_have_text("1.0000")
    page.keyboard.press("Home")
    expect(page.get_by_test_id("value-step")).to_have_text("0.0000")
    expect(page.get_by_test_id("value-sigmoid")).to_have_text("0.0025")
    expect(page.get_by_test_id("value-identity")).to_have_text("-6.0000")


def test_linear_layers_collapse_to_one(page, live_server):
    page.goto(live_server + "/learn/activations")
    page.get_by_test_id("collapse-c").fill("1.5")
    page.get_by_test_id("collapse-x").fill("4")
    page.get_by_test_id("collapse-x").press("Enter")
    expect(page.get_by_test_id("collapse-three")).to_have_text("13.5")
    expect(page.get_by_test_id("collapse-one")).to_have_text("13.5")
    expect(page.get_by_test_id("identity-what-if")).to_have_attribute("href", "/inside?activation=identity&sample=0")


def test_typed_logits_give_data_values(page, live_server):
    page.goto(live_server + "/learn/softmax")
    field = page.get_by_test_id("logits")
    field.fill("1010, 1000, 990")
    expect(page.get_by_test_id("softmax-naive").first).to_have_attribute("data-value", "nan")
    naive = page.get_by_test_id("softmax-naive").evaluate_all("els => els.map(e => e.dataset.value)")
    safe = page.get_by_test_id("softmax-safe").evaluate_all("els => els.map(e => e.dataset.value)")
    assert naive == ["nan", "nan", "nan"]
    expected = softmax(np.array([1010, 1000, 990], dtype=np.float32))
    assert np.allclose([float(v) for v in safe], expected, rtol=1e-6)
    assert math.isclose(sum(float(v) for v in safe), 1.0, rel_tol=1e-6)
    expect(page.get_by_test_id("softmax-safe-sum")).to_have_text("1.0000")
    expect(page.get_by_test_id("overflow-note")).to_be_visible()

    field.fill("1, 2, x")  # a clear message in place, then back to numbers
    expect(page.get_by_test_id("lesson-error")).to_contain_text("“x” is not a number.")
    field.fill("0.3, 2.9, 4.0")
    expect(page.get_by_test_id("softmax-safe")).to_have_count(3)
    safe = page.get_by_test_id("softmax-safe").evaluate_all("els => els.map(e => e.dataset.value)")
    assert np.allclose([float(v) for v in safe], softmax(np.array([0.3, 2.9, 4.0], dtype=np.float32)), rtol=1e-6)
    assert page.url.endswith("logits=0.3%2C+2.9%2C+4.0")  # a reload shows the same


@pytest.mark.parametrize("language", ["en", "ko"])
def test_on_a_phone_the_softmax_table_is_cards_every_value_in_view_and_still_a_table(make_page, live_server, language):
    """Six columns do not fit 390 px: each row becomes a card (static/learn.css), so the nan of
    softmax_naive and softmax's result are seen without scrolling; each value says its column, and
    a screen reader still reads a table of six column heads."""
    page = make_page(**PHONE)
    page.goto(f"{live_server}/learn/softmax?logits=1010,1000,990&lang={language}")
    table = page.locator(".softmax-table")
    box = page.locator("#softmax-result .table-scroll")
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth"), "the table scrolls sideways"
    for cell in page.get_by_test_id("softmax-naive").all() + page.get_by_test_id("softmax-safe").all():
        cell_box, table_box = cell.bounding_box(), table.bounding_box()
        assert cell_box["x"] + cell_box["width"] <= table_box["x"] + table_box["width"] + 1
        assert cell.is_visible()
    label = page.get_by_test_id("softmax-naive").first.evaluate("c => getComputedStyle(c, '::before').content")
    assert label == '"softmax_naive(a)"'
    snapshot = table.aria_snapshot()
    assert snapshot.startswith("- table") and snapshot.count("- columnheader") == 6, snapshot
    assert snapshot.count("- cell") == 3 * 5 + 3, snapshot


def test_neuron_output_follows_the_sliders(page, live_server):
    page.goto(live_server + "/learn/neuron?x1=1&x2=0.5&w1=0.5&w2=0.5&b=-0.7&h=sigmoid")
    output = page.get_by_test_id("neuron-output")
    expect(output).to_have_text("0.5125")
    page.get_by_test_id("slider-b").focus()
    for _ in range(7):
        page.keyboard.press("ArrowRight")  # b = 0.0
    expect(page.locator("#neuron-b-value")).to_have_text("0.0")
    a = np.dot(np.float32([1, 0.5]), np.float32([0.5, 0.5])) + np.float32(0.0)
    expect(output).to_have_text(f"{float(ACTIVATIONS['sigmoid'](a)):.4f}")
    page.get_by_test_id("h-step").check()
    expect(output).to_have_text("1.0000")
    expect(page.locator('[data-testid="source"][data-name="step_function"]')).to_be_visible()


def test_network_lesson_follows_the_model_picker(page, live_server):
    page.goto(live_server + "/learn/network")
    expect(page.get_by_test_id("shape-W1")).to_have_text("W1 (784, 50)")
    page.get_by_test_id("network-model").select_option("default")
    expect(page.get_by_test_id("shape-W1")).to_have_text("W1 (784, 768)")
    expect(page.get_by_test_id("inside-link")).to_have_attribute("href", "/inside?model=default&sample=0")


def test_arrow_keys_move_between_lessons_but_not_from_a_slider(page, live_server):
    page.goto(live_server + "/learn/activations")
    page.locator("h1").click()
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/learn/softmax")
    page.locator("h1").click()
    page.keyboard.press("ArrowLeft")
    page.wait_for_url("**/learn/activations")
    page.get_by_test_id("x-slider").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("x-shown")).to_have_text("1.1")
    assert page.url.endswith("/learn/activations")


def test_p_toggles_presenter_mode_and_it_is_remembered(page, live_server):
    page.goto(live_server + "/learn/softmax?present=0")
    expect(page.locator("body")).not_to_have_class("present")
    page.locator("h1").click()
    page.keyboard.press("p")
    expect(page.locator("body")).to_have_class("present")
    expect(page.get_by_test_id("present-switch")).to_have_attribute("aria-pressed", "true")
    page.goto(live_server + "/learn")
    expect(page.locator("body")).to_have_class("present")  # the cookie
    page.keyboard.press("p")
    expect(page.locator("body")).not_to_have_class("present")


def test_keys_do_nothing_inside_a_text_field(page, live_server):
    page.goto(live_server + "/learn/softmax?present=0")
    field = page.get_by_test_id("logits")
    field.fill("")
    field.type("1, 2")
    field.press("p")
    field.press("?")
    expect(field).to_have_value("1, 2p?")
    expect(page.locator("body")).not_to_have_class("present")
    expect(page.get_by_test_id("keys-help")).not_to_be_visible()


def test_help_dialog_traps_focus_and_closes_with_escape(page, live_server):
    page.goto(live_server + "/learn/neuron?present=0")
    opener = page.get_by_test_id("keys-help-open")
    opener.focus()
    page.keyboard.press("?")
    dialog = page.get_by_test_id("keys-help")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Presenter mode on or off")
    close = page.get_by_test_id("keys-help-close")
    expect(close).to_be_focused()
    for key in ("Tab", "Tab", "Shift+Tab"):
        page.keyboard.press(key)
        assert page.evaluate("document.getElementById('keys-help').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(dialog).not_to_be_visible()
    expect(opener).to_be_focused()  # focus comes back
    opener.click()
    expect(dialog).to_be_visible()
    close.click()
    expect(dialog).not_to_be_visible()


def test_c_and_u_clear_and_undo_the_drawing(page, live_server):
    page.goto(live_server + "/?present=1")
    page.evaluate("localStorage.clear()")
    page.reload()
    box = page.get_by_test_id("canvas").bounding_box()
    for x0, x1 in ((0.3, 0.7), (0.5, 0.5)):
        page.mouse.move(box["x"] + x0 * box["width"], box["y"] + 0.2 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + x1 * box["width"], box["y"] + 0.8 * box["height"], steps=8)
        page.mouse.up()
    form = page.locator("#draw-form")
    strokes = "JSON.parse(localStorage.getItem('digit-reader:strokes') || '[]').length"
    page.wait_for_function(f"{strokes} === 2")
    page.keyboard.press("u")
    page.wait_for_function(f"{strokes} === 1")
    page.keyboard.press("c")
    expect(form).to_have_attribute("data-drawing-state", "empty")
