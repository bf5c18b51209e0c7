"""The inside page in real Chromium against the live server: the drawing carries over from the
drawing page, live updates, neuron details by mouse and by keyboard, the activation switch,
samples, errors, and screenshots at phone and projector sizes.

Every wait is on the page's state (Playwright's auto-waiting expect), never a fixed sleep or a polling loop."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.held import HeldReading
from tests.browser.held import clear_while_a_reading_is_held
from tests.digits import STROKES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
NEURON = "svg[data-layer] [data-value]"


def fresh(page, live_server, path: str):
    """Open `path` with an empty drawing in storage."""
    page.goto(live_server + path)
    page.evaluate("localStorage.clear()")
    page.reload()
    return page


def draw(page, testid: str, digit: str, release: bool = True):
    box = page.get_by_test_id(testid).bounding_box()
    for stroke in STROKES[digit]:
        points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=2)
        if release:
            page.mouse.up()


def tab_to(page, selector: str, what: str) -> None:
    """Press Tab until the focus is on an element matching `selector`; fail when it never is."""
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"no {what} can be reached with Tab")


def softmax_values(page) -> list:
    return page.locator('[data-testid="softmax"] [data-value]').evaluate_all("els => els.map(e => e.dataset.value)")


def open_sample(page, live_server, query="sample=0&model=book"):
    page.goto(f"{live_server}/inside?{query}")
    expect(page.locator("#reading")).to_have_attribute("data-state", "ready")
    return page


def test_drawing_carries_over_from_the_drawing_page(page, live_server):
    fresh(page, live_server, "/?model=book")
    draw(page, "canvas", "1")
    expect(page.get_by_test_id("prediction")).to_have_text("1")
    page.get_by_role("link", name="Inside the network").click()
    expect(page.get_by_test_id("inside-model")).to_have_value("book")  # the drawing page's model
    expect(page.get_by_test_id("inside-digit")).to_have_text("1")
    expect(page.locator("#inside-form")).to_have_attribute("data-drawing-state", "drawn")
    expect(page.get_by_test_id("layer-1").locator("svg[data-symbol=a1] rect")).to_have_count(50)
    expect(page.get_by_test_id("layer-3").locator("[data-value]")).to_have_count(10)
    expect(page.get_by_test_id("softmax").locator("g.winner")).to_have_attribute("data-i", "1")


def test_the_page_updates_live_while_drawing_on_its_own_canvas(page, live_server):
    fresh(page, live_server, "/inside?model=book")
    expect(page.get_by_test_id("invitation")).to_be_visible()
    draw(page, "inside-canvas", "7", release=False)  # mid-stroke: the reading is already there
    expect(page.locator("#reading")).to_have_attribute("data-state", "ready")
    page.mouse.up()
    expect(page.get_by_test_id("inside-digit")).to_have_text("7")
    expect(page.locator("#reading .source")).to_contain_text("Your drawing")
    page.locator("#inside-form [data-action=clear]").click()  # a reading may still be in flight
    expect(page.get_by_test_id("invitation")).to_be_visible()


def test_clear_wins_over_a_reading_still_in_flight(page, live_server):
    """Clear while the drawing's reading is still on its way (held at the network): once that
    reading has arrived, the invitation shows and stays; a new drawing after it is read."""
    fresh(page, live_server, "/inside?model=book")
    expect(page.get_by_test_id("invitation")).to_be_visible()
    clear_while_a_reading_is_held(page, "/inside/read", lambda: draw(page, "inside-canvas", "7"), "#inside-form")
    expect(page.get_by_test_id("invitation")).to_be_visible()
    expect(page.locator("#reading")).to_have_attribute("data-state", "waiting")
    draw(page, "inside-canvas", "1")
    expect(page.get_by_test_id("inside-digit")).to_have_text("1")


def test_the_finished_drawing_wins_over_a_reading_still_in_flight(page, live_server):
    """The first reading of a stroke (a dot) held at the network until the 0 is finished: the
    reading of the whole 0, queued behind it, is the one that stays."""
    fresh(page, live_server, "/inside?model=book")
    expect(page.get_by_test_id("invitation")).to_be_visible()
    held = HeldReading(page, "/inside/read")
    with page.expect_request(held.is_drawing):
        draw(page, "inside-canvas", "0")
    held.release()
    expect(page.get_by_test_id("inside-digit")).to_have_text("0")  # the dot alone reads 4
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("inside-digit")).to_have_text("0")


def test_click_a_neuron_to_see_its_weights(page, live_server):
    open_sample(page, live_server)
    page.locator("[data-testid=layer-1] svg[data-symbol=a1] rect[data-i='12']").click()
    detail = page.get_by_test_id("neuron-detail")
    expect(detail).to_have_attribute("data-neuron", "12")
    expect(detail).to_have_attribute("data-layer", "1")
    expect(detail.get_by_test_id("neuron-weights").locator("rect")).to_have_count(784)
    expect(detail).to_be_in_viewport()
    # a deeper neuron lists the neurons that pushed it most; each opens that neuron
    page.locator("[data-testid=layer-2] svg[data-symbol=z2] rect[data-i='5']").click()
    expect(detail).to_have_attribute("data-layer", "2")
    strongest = detail.get_by_test_id("neuron-top").locator("button")
    expect(strongest).to_have_count(8)
    first = strongest.first.get_attribute("data-open-neuron")
    strongest.first.click()
    expect(detail).to_have_attribute("data-layer", "1")
    expect(detail).to_have_attribute("data-neuron", first)


def test_hover_shows_the_exact_value(page, live_server):
    open_sample(page, live_server)
    cell = page.locator("[data-testid=layer-2] svg[data-symbol=a2] rect[data-i='37']")
    cell.hover()
    value = cell.get_attribute("data-value")
    readout = page.get_by_test_id("layer-2").locator("output.readout")
    expect(readout).to_contain_text(f"a2[37] = {value}")
    expect(readout).to_contain_text("z2[37] = ")


def test_switching_the_activation_changes_the_output(page, live_server):
    open_sample(page, live_server)
    before = softmax_values(page)
    page.get_by_test_id("activation-step").check()
    expect(page.locator("#reading")).to_have_attribute("data-activation", "step")
    assert softmax_values(page) != before
    expect(page.get_by_test_id("own-answer")).to_contain_text("sigmoid")
    expect(page.locator("[data-testid=layer-1] code.formula").last).to_have_text("z1 = step_function(a1)")
    z1 = page.locator("[data-testid=layer-1] svg[data-symbol=z1] [data-value]").evaluate_all(
        "els => els.map(e => Number(e.dataset.value))"
    )
    assert set(z1) <= {0.0, 1.0}  # the step function passes on all or nothing
    assert "activation=step" in page.url  # a reload shows the same
    page.get_by_test_id("activation-identity").check()
    expect(page.locator("#reading")).to_have_attribute("data-activation", "identity")
    expect(page.locator(".answers tr[aria-current]")).to_have_attribute("data-activation", "identity")


def test_an_open_neuron_follows_a_new_reading(page, live_server):
    open_sample(page, live_server)
    page.locator("[data-testid=layer-1] svg[data-symbol=z1] rect[data-i='3']").click()
    expect(page.get_by_test_id("neuron-z")).to_be_visible()
    page.get_by_test_id("activation-relu").check()
    expect(page.locator("#reading")).to_have_attribute("data-activation", "relu")
    detail = page.get_by_test_id("neuron-detail")
    expect(detail).to_have_attribute("data-neuron", "3")
    expect(detail).to_contain_text("relu(")


def test_the_model_picker_starts_each_model_with_its_own_activation(page, live_server):
    models = page.request.get(live_server + "/api/models").json()["models"]
    assert len(models) >= 2, "models/ ships book, book-retrained and default"
    open_sample(page, live_server, "sample=0&model=book&activation=step")
    other = next(m for m in models if m["name"] != "book")
    page.get_by_test_id("inside-model").focus()
    page.get_by_test_id("inside-model").select_option(other["name"])
    reading = page.locator("#reading")
    expect(reading).to_have_attribute("data-model", other["name"])
    own = other["card"]["activation"]
    expect(reading).to_have_attribute("data-activation", own)
    expect(page.get_by_test_id(f"activation-{own}")).to_be_checked()
    expect(page.locator(".choice", has=page.get_by_test_id(f"activation-{own}"))).to_contain_text("trained with")
    expect(page.get_by_test_id("inside-model")).to_be_focused()  # the switch did not steal the focus
    assert f"model={other['name']}" in page.url and "activation=" not in page.url


def test_keyboard_only(page, live_server):
    open_sample(page, live_server)
    tab_to(page, NEURON, "neuron")  # Tab through the page to the first neuron
    layer = page.evaluate("document.activeElement.closest('svg').dataset.layer")
    page.keyboard.press("ArrowRight")
    expect(page.locator(":focus")).to_have_attribute("data-i", "1")
    readout = page.locator(f"[data-testid=layer-{layer}] output.readout")
    expect(readout).to_contain_text("[1] = ")
    page.keyboard.press("Enter")
    detail = page.get_by_test_id("neuron-detail")
    expect(detail).to_have_attribute("data-neuron", "1")
    expect(detail).to_have_attribute("data-layer", layer)
    expect(page.locator(":focus")).to_have_attribute("data-i", "1")  # focus stays in the chart
    page.keyboard.press("ArrowDown")  # one row down: 10 neurons a row for the book's layers
    expect(page.locator(":focus")).to_have_attribute("data-i", "11")
    page.keyboard.press(" ")
    expect(detail).to_have_attribute("data-neuron", "11")


def test_a_sample_stays_until_the_user_draws(page, live_server):
    fresh(page, live_server, "/?model=book")
    draw(page, "canvas", "1")
    expect(page.get_by_test_id("prediction")).to_have_text("1")
    open_sample(page, live_server)
    expect(page.locator("#inside-form")).to_have_attribute("data-drawing-state", "drawn")  # restored
    expect(page.locator("#reading .source")).to_contain_text("MNIST test image #0, labelled 7.")
    expect(page.get_by_test_id("inside-digit")).to_have_text("7")
    page.get_by_test_id("inside-sample").fill("1")
    page.get_by_test_id("inside-sample").press("Enter")
    expect(page.locator("#reading .source")).to_contain_text("MNIST test image #1, labelled 2.")
    assert "sample=1" in page.url
    page.locator("#inside-form [data-action=clear]").click()  # the user acts on the drawing
    expect(page.get_by_test_id("invitation")).to_be_visible()
    expect(page.get_by_test_id("inside-sample")).to_have_value("")


def test_an_unknown_neuron_shows_a_clear_message(page, live_server):
    open_sample(page, live_server)
    page.get_by_test_id("neuron-index").fill("500")
    page.get_by_test_id("neuron-index").press("Enter")
    expect(page.get_by_test_id("inside-error")).to_contain_text("there is no neuron 500")
    page.locator("[data-testid=layer-1] svg[data-symbol=a1] rect[data-i='2']").click()  # and it recovers
    expect(page.get_by_test_id("neuron-detail")).to_have_attribute("data-neuron", "2")


def test_korean(page, live_server):
    open_sample(page, live_server, "sample=0&model=book&lang=ko")
    expect(page.get_by_test_id("layer-1").locator("h2")).to_have_text("1층: 은닉층")
    expect(page.get_by_test_id("activation")).to_contain_text("계단 함수")


@pytest.mark.parametrize(("name", "width", "height"), [("phone", 390, 844), ("projector", 1920, 1080)])
def test_screenshots_at_phone_and_projector_size(page, live_server, name, width, height):
    page.set_viewport_size({"width": width, "height": height})
    open_sample(page, live_server)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    stages = [page.locator(".path > .stage").nth(i).bounding_box() for i in range(5)]
    if name == "projector":  # left to right, all in view
        assert all(a["x"] + a["width"] < b["x"] for a, b in zip(stages, stages[1:], strict=False))
        assert all(box["y"] < height / 2 for box in stages)
        assert page.get_by_test_id("inside-digit").bounding_box()["y"] < height / 2
    else:  # top to bottom, full width
        assert all(a["y"] + a["height"] < b["y"] for a, b in zip(stages, stages[1:], strict=False))
        assert all(box["width"] >= width - 60 for box in stages)
        assert page.get_by_test_id("inside-digit").bounding_box()["y"] < height
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"inside-{name}.png"))
    page.locator("[data-testid=layer-2] svg[data-symbol=a2] rect[data-i='0']").click()
    expect(page.get_by_test_id("neuron-top")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"inside-{name}-neuron.png"))
    page.screenshot(path=str(ARTIFACTS / f"inside-{name}-full.png"), full_page=True)
    assert page.url == f"{live_server}/inside?sample=0&model=book"  # a neuron's detail opens in place
