"""Classroom mode in real Chromium against the real server: a lecturer at 1920x1080 starts a
class, three phones (390x844, touch through CDP) draw, pick a digit and send; the board shows them
with the right marks; hiding one takes it off every board; a phone gets 403 on export; the export
loads back through nn.mnist's IDX reader. Screenshots of the board and the student page, English
and Korean, go to test-artifacts/.

Every wait is on the page's state (expect), never a fixed sleep."""

import pytest
from playwright.sync_api import expect

from nn.mnist import read_labelled
from tests.browser.harness import ARTIFACTS
from tests.browser.harness import PHONE
from tests.browser.harness import PROJECTOR
from tests.browser.test_pages import AXE
from tests.browser.test_pages import serious_violations
from tests.digits import STROKES

pytestmark = pytest.mark.browser

# (strokes drawn, digit meant): the third student meant 4 but drew a 1, a wrong reading on the board.
STUDENTS = [("1", 1), ("7", 7), ("1", 4)]


def touch_draw(page, strokes) -> None:
    """A finger on the canvas: CDP touch events, as a phone's touchscreen sends them."""
    page.evaluate("localStorage.clear()")
    box = page.get_by_test_id("canvas").bounding_box()
    cdp = page.context.new_cdp_session(page)
    for stroke in strokes:
        points = [{"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"], "id": 1} for x, y in stroke]
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [points[0]]})
        for point in points[1:]:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_class_draws_and_the_board_follows(make_context, live_server, tmp_path):
    lecturer = make_context(**PROJECTOR)
    board = lecturer.page()
    board.goto(live_server + "/class")
    board.get_by_test_id("start-class").click()
    board.wait_for_url("**/class/*")
    code = board.url.rsplit("/", 1)[1]
    join = board.get_by_test_id("join-url").get_attribute("href")
    assert join == f"{live_server}/c/{code}"
    expect(board.get_by_test_id("qr").locator("svg")).to_be_visible()
    assert board.get_by_test_id("qr").bounding_box()["width"] >= 300  # scannable from the back row

    sent = []
    for strokes, meant in STUDENTS:
        phone = make_context(**PHONE)
        page = phone.page()
        page.goto(join)
        touch_draw(page, STROKES[strokes])
        assert page.evaluate("window.scrollY") == 0  # drawing did not scroll the page
        page.get_by_test_id(f"intent-{meant}").click()
        page.get_by_test_id("send").click()
        result = page.get_by_test_id("class-result")
        expect(result).to_be_visible()
        expect(result.locator("li")).to_have_count(10)  # the ten probabilities
        sent.append((phone, page, result.get_attribute("data-id"), meant, int(result.get_attribute("data-predicted"))))

    items = board.get_by_test_id("board-item")
    expect(items).to_have_count(3, timeout=2_000)  # polled every second: all three within 2 s
    for _phone, _page, drawing_id, meant, predicted in sent:
        item = board.locator(f'[data-testid=board-item][data-id="{drawing_id}"]')
        expect(item).to_have_attribute("data-intended", str(meant))
        expect(item).to_have_attribute("data-predicted", str(predicted))
        expect(item.get_by_test_id("mark")).to_contain_text("✓" if meant == predicted else "✗")
    assert sent[0][4] == 1 and sent[2][4] == 1  # the third student's "4" is read as the 1 it is
    expect(board.get_by_test_id("class-accuracy")).to_have_attribute("data-total", "3")
    expect(board.locator('[data-intended="4"][data-predicted="1"][data-count]')).to_have_attribute("data-count", "1")
    ARTIFACTS.mkdir(exist_ok=True)
    board.screenshot(path=str(ARTIFACTS / "classroom_board.png"))

    # A follower (a student's phone showing the board) and the lecturer's board both lose a hidden drawing.
    follower = sent[0][1]
    follower.goto(f"{live_server}/class/{code}")
    expect(follower.get_by_test_id("board-item")).to_have_count(3)
    expect(follower.get_by_test_id("hide")).to_have_count(0)
    hidden = sent[1][2]
    board.locator(f'[data-testid=board-item][data-id="{hidden}"]').get_by_test_id("hide").click()
    expect(items).to_have_count(2)
    expect(follower.get_by_test_id("board-item")).to_have_count(2)
    expect(follower.locator(f'[data-testid=board-item][data-id="{hidden}"]')).to_have_count(0)

    student = sent[0][0].context
    assert student.request.get(f"{live_server}/class/{code}/export.zip").status == 403
    export = lecturer.context.request.get(f"{live_server}/class/{code}/export.zip")
    assert export.status == 200
    path = tmp_path / "export.zip"
    path.write_bytes(export.body())
    images, labels = read_labelled(path)
    kept = [meant for _c, _p, drawing_id, meant, _r in sent if drawing_id != hidden]
    assert images.shape == (2, 28, 28) and labels.tolist() == kept

    board.get_by_test_id("close-class").click()
    expect(board.get_by_test_id("board-closed")).to_be_visible()
    phone_page = sent[2][1]
    phone_page.goto(join)
    expect(phone_page.get_by_test_id("class-closed")).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_screenshots_and_accessibility_of_board_and_student_page(make_context, live_server, lang):
    """The pages with content (a board with right and wrong readings, a phone with a reading):
    screenshots to look at, and no serious or critical axe-core violation."""
    lecturer = make_context(**PROJECTOR)
    board = lecturer.page()
    board.add_init_script(path=str(AXE))
    board.goto(f"{live_server}/class?lang={lang}")
    board.get_by_test_id("start-class").click()
    board.wait_for_url("**/class/*")
    join = board.get_by_test_id("join-url").get_attribute("href")
    phone = make_context(**PHONE).page()
    phone.add_init_script(path=str(AXE))
    phone.goto(f"{join}?lang={lang}")
    for strokes, meant in STUDENTS:
        touch_draw(phone, STROKES[strokes])
        phone.get_by_test_id(f"intent-{meant}").click()
        phone.get_by_test_id("send").click()
        expect(phone.get_by_test_id("class-result")).to_be_visible()
        expect(phone.get_by_test_id("draw-another")).to_be_in_viewport()  # the reading was scrolled into view
        phone.get_by_test_id("draw-another").click()
        expect(phone.locator("#class-form")).to_have_attribute("data-drawing-state", "empty")
        expect(phone.locator("input[name=intended]:checked")).to_have_count(0)
        expect(phone.get_by_test_id("canvas")).to_be_in_viewport(ratio=1)  # back at the canvas
        assert phone.evaluate("window.scrollY") == 0
    touch_draw(phone, STROKES["7"])
    phone.get_by_test_id("intent-7").click()
    phone.get_by_test_id("send").click()
    expect(phone.get_by_test_id("class-result")).to_be_visible()
    expect(board.get_by_test_id("board-item")).to_have_count(4)
    ARTIFACTS.mkdir(exist_ok=True)
    board.screenshot(path=str(ARTIFACTS / f"classroom_board_{lang}.png"))
    phone.screenshot(path=str(ARTIFACTS / f"classroom_student_{lang}.png"), full_page=True)
    assert serious_violations(board) == []
    assert serious_violations(phone) == []
