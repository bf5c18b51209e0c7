"""The flow view in real Chromium against the live server: it follows the drawing while it is drawn,
the keyboard alone reaches a node and opens its detail, `f` switches views and the choice stays,
value changes glide unless the user asked for less motion, it fits a projector's screen in presenter
mode and a phone's width, and the network lesson's flow follows its pickers. Screenshots at phone,
laptop-projector and projector sizes in English and Korean go to test-artifacts/ to be looked at.

Every wait is on the page's state (Playwright's auto-waiting expect), never a fixed sleep."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_inside import draw
from tests.browser.test_inside import fresh
from tests.browser.test_inside import tab_to
from tests.conftest import ARTIFACTS
from tests.conftest import PHONE

pytestmark = pytest.mark.browser

FLOW = "[data-testid=flow]"
NODE = "[data-testid=flow-node]"


def open_flow(page, live_server, query="sample=3&model=book"):
    page.goto(f"{live_server}/inside?view=flow&{query}")
    expect(page.locator(FLOW)).to_be_visible()
    return page


def node_values(page) -> list:
    return page.locator(NODE).evaluate_all("els => els.map(e => e.dataset.value)")


def test_the_flow_follows_the_drawing_while_it_is_drawn(page, live_server):
    # Without the glide (test_value_changes_glide_unless_less_motion_is_asked_for checks it): the values
    # checked are the same, and the hundred readings of the two strokes cost half the CPU time.
    page.emulate_media(reduced_motion="reduce")
    fresh(page, live_server, "/inside?model=book&view=flow")
    expect(page.get_by_test_id("invitation")).to_be_visible()
    draw(page, "inside-canvas", "1")
    expect(page.locator(FLOW)).to_have_attribute("data-digit", "1")
    expect(page.locator(NODE)).to_have_count(160)
    page.wait_for_load_state("networkidle")
    one = node_values(page)
    draw(page, "inside-canvas", "7", release=False)  # a second stroke, the pointer still down
    page.wait_for_function(
        "one => [...document.querySelectorAll('[data-testid=flow-node]')].some((n, i) => n.dataset.value !== one[i])",
        arg=one,
    )  # a reading of the unfinished drawing is already drawn
    page.mouse.up()
    expect(page.get_by_test_id("inside-digit")).not_to_have_text("1")
    assert "view=flow" in page.url


def test_keyboard_only_reaches_a_node_and_opens_its_detail(page, live_server):
    open_flow(page, live_server)
    tab_to(page, NODE, "node of the flow")
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("data-layer", "1")
    expect(focused).to_have_attribute("data-index", "0")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(focused).to_have_attribute("data-index", "2")
    value = focused.get_attribute("data-value")
    readout = page.locator(f"{FLOW} output.flow-readout")
    expect(readout).to_contain_text(f"z1[2] = {value} · strongest inputs: x[")
    expect(page.locator(".flow-edge.lit")).to_have_count(5)
    page.keyboard.press("ArrowRight")  # the nearest node of hidden layer 2
    expect(focused).to_have_attribute("data-layer", "2")
    index = focused.get_attribute("data-index")
    page.keyboard.press("Enter")
    detail = page.get_by_test_id("neuron-detail")
    expect(detail).to_have_attribute("data-layer", "2")
    expect(detail).to_have_attribute("data-neuron", index)
    page.keyboard.press("End")
    expect(focused).to_have_attribute("data-index", "99")
    page.keyboard.press(" ")
    expect(detail).to_have_attribute("data-neuron", "99")


def test_a_click_opens_an_output_neuron(page, live_server):
    open_flow(page, live_server)
    page.locator(f"{NODE}[data-layer='3'][data-index='4']").click()
    expect(page.get_by_test_id("neuron-detail")).to_have_attribute("data-layer", "3")
    expect(page.get_by_test_id("neuron-detail")).to_have_attribute("data-neuron", "4")


def test_an_open_neuron_follows_a_new_reading_in_the_flow_view(page, live_server):
    open_flow(page, live_server)
    page.locator(f"{NODE}[data-layer='2'][data-index='7']").click()
    detail = page.get_by_test_id("neuron-detail")
    expect(detail).to_have_attribute("data-neuron", "7")
    z = page.get_by_test_id("neuron-z").text_content()
    page.get_by_test_id("activation-relu").check()  # a new reading: the detail is opened again for it
    expect(page.locator("#reading")).to_have_attribute("data-activation", "relu")
    expect(detail).to_have_attribute("data-neuron", "7")
    expect(page.get_by_test_id("neuron-z")).not_to_have_text(z)


def test_f_switches_the_view_and_the_choice_stays(page, live_server):
    page.goto(f"{live_server}/inside?sample=3&model=book&view=grids")
    expect(page.get_by_test_id("layer-1")).to_be_visible()
    page.locator("h1").click()
    page.keyboard.press("f")
    expect(page.locator(FLOW)).to_be_visible()
    expect(page.get_by_test_id("view-flow")).to_be_checked()
    expect(page).to_have_url(f"{live_server}/inside?model=book&sample=3&view=flow")
    page.goto(f"{live_server}/inside?sample=4")  # the cookie remembers
    expect(page.locator(FLOW)).to_be_visible()
    page.get_by_test_id("view-grids").check()
    expect(page.get_by_test_id("layer-1")).to_be_visible()
    expect(page.locator(FLOW)).to_have_count(0)


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_value_changes_glide_unless_less_motion_is_asked_for(page, live_server, motion):
    page.emulate_media(reduced_motion=motion)
    open_flow(page, live_server)
    circle = page.locator(f"{NODE} circle").first
    durations = circle.evaluate("c => getComputedStyle(c).transitionDuration")
    assert (durations == "0s") == (motion == "reduce"), durations
    before = circle.get_attribute("fill")
    page.get_by_test_id("activation-step").check()  # the same node, other values: morphed in place
    expect(page.locator("#reading")).to_have_attribute("data-activation", "step")
    expect(circle).not_to_have_attribute("fill", before)


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
@pytest.mark.parametrize("model", ["book", "default"])
def test_presenter_mode_shows_the_whole_flow_on_one_screen(page, live_server, width, height, model):
    page.set_viewport_size({"width": width, "height": height})
    open_flow(page, live_server, f"sample=3&model={model}&present=1")
    chart = page.locator(f"{FLOW} svg.flow-chart")
    chart.evaluate("svg => window.scrollTo(0, svg.getBoundingClientRect().top + window.scrollY)")
    box = chart.bounding_box()
    assert -1 <= box["y"] and box["y"] + box["height"] <= height and box["width"] <= width, box  # 1: sub-pixel
    readout = page.locator(f"{FLOW} output.flow-readout").bounding_box()
    assert readout["y"] + readout["height"] <= height, "the readout under the flow is off the screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_phone_never_scrolls_sideways_and_the_flow_stays_readable(make_page, live_server):
    page = make_page(**PHONE)
    open_flow(page, live_server, "sample=3&model=default")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    frame = page.locator(".flow-frame")
    assert frame.evaluate("f => f.scrollWidth > f.clientWidth")  # the drawing scrolls in its own box
    heading = page.locator(f"{FLOW} .flow-heading").first.bounding_box()
    digit = page.locator(f"{FLOW} .flow-digit").first.bounding_box()
    assert heading["height"] >= 11 and digit["height"] >= 11, (heading, digit)  # px on the screen
    node = page.locator(f"{NODE} circle").first.bounding_box()
    assert node["width"] >= 16  # a node can be touched


def test_the_lesson_flow_follows_its_pickers(page, live_server):
    page.goto(f"{live_server}/learn/network?model=book")
    expect(page.locator(NODE)).to_have_count(160)
    page.get_by_test_id("network-sample").fill("1")
    page.get_by_test_id("network-sample").press("Enter")
    expect(page.locator(FLOW)).to_have_attribute("data-digit", "2")  # test image 1 is a 2
    page.get_by_test_id("network-model").select_option("default")
    expect(page.locator(NODE)).to_have_count(74)
    node = page.locator(f"{NODE}[data-layer='2']").first
    index = node.get_attribute("data-index")
    node.click()  # a link to that neuron on the inside page, in the flow view
    expect(page.locator(FLOW)).to_be_visible()
    expect(page.get_by_test_id("neuron-detail")).to_be_in_viewport()
    expect(page.get_by_test_id("neuron-detail")).to_have_attribute("data-neuron", index)
    expect(page.get_by_test_id("neuron-detail")).to_have_attribute("data-layer", "2")


SIZES = [("phone", 390, 844), ("laptop", 1280, 720), ("projector", 1920, 1080)]


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize(("name", "width", "height"), SIZES)
def test_screenshots(make_page, live_server, name, width, height, language):
    """For looking at: the flow at each size in each language, presenter mode on the big screens."""
    page = make_page(**PHONE) if name == "phone" else make_page(viewport={"width": width, "height": height})
    present = 0 if name == "phone" else 1
    open_flow(page, live_server, f"sample=3&model=default&lang={language}&present={present}")
    page.locator(FLOW).scroll_into_view_if_needed()
    page.evaluate("document.fonts.ready.then(() => true)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(FLOW).screenshot(path=str(ARTIFACTS / f"flow-{name}-{language}.png"))
    page.screenshot(path=str(ARTIFACTS / f"flow-{name}-{language}-screen.png"))
