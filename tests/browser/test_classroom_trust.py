"""Classroom mode on a shared server, in real Chromium against a real `python app.py` on a real
PostgreSQL with a lecturer's password: the lecturer types the password; PostgreSQL is stopped
(`pg_ctl stop`) in the middle of the class and started again: the student's phone keeps its drawing,
says sending failed and sends it again; the board says it lost its connection, keeps what it shows
and polls on until it comes back by itself. The same with no network at all (requests aborted at the
browser). Screenshots of the password page and the board's "connection lost", English and Korean,
phone (390x844) and projector (1920x1080), go to test-artifacts/.

Every wait is on the page's state (expect), never a fixed sleep."""

import pytest
from playwright.sync_api import expect

from tests.browser.harness import ARTIFACTS
from tests.browser.harness import PHONE
from tests.browser.harness import PROJECTOR
from tests.browser.test_classroom import touch_draw
from tests.browser.test_pages import AXE
from tests.browser.test_pages import serious_violations
from tests.classroom_tests.conftest import postgres  # noqa: F401 (a fixture)
from tests.digits import STROKES
from tools.servers import AppServer

pytestmark = pytest.mark.browser

PASSWORD = "lecture-hall-4"
SCREENS = {"phone": PHONE, "projector": PROJECTOR}


@pytest.fixture(scope="module")
def server(postgres, tmp_path_factory):  # noqa: F811 (the fixture imported above)
    """`python app.py` (one worker) on its own PostgreSQL database, with a lecturer's password and
    a database timeout of 2 s."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DIGITS_LECTURER_PASSWORD", PASSWORD)
        env.setenv("DIGITS_DATABASE_TIMEOUT", "2")
        app = AppServer(tmp_path_factory.mktemp("trust"), postgres.new_database(), args=["--workers", "1"])
    yield app
    app.stop()


# What the faults these tests cause on purpose log in the console.
FAULT_NOTES = ("the server responded with a status of 5", "net::ERR_", "htmx:error: Failed to fetch")


@pytest.fixture
def contexts(make_context):
    """make_context's watched contexts, less the console notes of the 503s and refused requests these
    tests cause on purpose; a JavaScript error, a CSP violation or another host still fails them."""
    made = []

    def make(**options):
        made.append(make_context(**options))
        return made[-1]

    yield make
    for watch in made:
        for page in watch.context.pages:  # first: a board left polling logs a failed poll after the filter
            page.close()
        watch.errors[:] = [error for error in watch.errors if not any(note in error for note in FAULT_NOTES)]


def start_class(page, url: str, lang: str = "en") -> str:
    """The lecturer starts a class with the password; the board's code."""
    page.goto(f"{url}/class?lang={lang}")
    page.get_by_test_id("lecturer-password").fill(PASSWORD)
    page.get_by_test_id("start-class").click()
    page.wait_for_url("**/class/*")
    return page.url.rsplit("/", 1)[1]


def draw_and_send(page, strokes: str, meant: int) -> None:
    touch_draw(page, STROKES[strokes])
    page.get_by_test_id(f"intent-{meant}").click()
    page.get_by_test_id("send").click()


def test_a_wrong_password_starts_nothing_and_the_right_one_does(contexts, server):
    page = contexts(**PROJECTOR).page()
    page.goto(f"{server.url}/class?lang=ko")
    page.get_by_test_id("lecturer-password").fill("guess")
    page.get_by_test_id("start-class").click()
    expect(page.get_by_test_id("start-error")).to_contain_text("강사 비밀번호가 맞지 않습니다")
    assert page.url.endswith("/class")  # still the start page: no board, no class
    start_class(page, server.url)
    expect(page.get_by_test_id("board-live")).to_be_visible()


def test_postgresql_stopped_mid_class_the_phone_keeps_its_drawing_the_board_says_so(
    contexts,
    server,
    postgres,  # noqa: F811
):
    board = contexts(**PROJECTOR).page()
    code = start_class(board, server.url)
    phone = contexts(**PHONE).page()
    phone.goto(f"{server.url}/c/{code}")
    draw_and_send(phone, "1", 1)
    expect(phone.get_by_test_id("class-result")).to_be_visible()
    expect(board.get_by_test_id("board-item")).to_have_count(1)
    phone.get_by_test_id("draw-another").click()

    postgres.stop()
    try:
        lost = board.get_by_test_id("connection-lost")
        expect(lost).to_be_visible()  # the next poll answered 503: said, in words, at the top of the board
        expect(lost).to_contain_text("Connection lost")
        expect(board.get_by_test_id("board-item")).to_have_count(1)  # what it showed stays
        draw_and_send(phone, "7", 7)
        error = phone.get_by_test_id("class-error")
        expect(error).to_contain_text("Not sent")
        expect(phone.locator("#class-form")).to_have_attribute("data-drawing-state", "drawn")  # the drawing stays
        expect(phone.locator("input[name=intended][value='7']")).to_be_checked()
    finally:
        postgres.start()

    phone.get_by_test_id("send").click()  # the same drawing, sent again
    expect(phone.get_by_test_id("class-result")).to_have_attribute("data-predicted", "7")
    expect(board.get_by_test_id("board-item")).to_have_count(2)  # the board came back by itself ...
    expect(board.get_by_test_id("connection-lost")).to_be_hidden()  # ... and says so


def test_no_network_at_all_the_phone_and_the_board_say_so(contexts, server):
    board = contexts(**PROJECTOR).page()
    code = start_class(board, server.url)
    board.route("**/live", lambda route: route.abort("internetdisconnected"))
    expect(board.get_by_test_id("connection-lost")).to_be_visible()
    board.unroute("**/live")
    expect(board.get_by_test_id("connection-lost")).to_be_hidden()

    phone = contexts(**PHONE).page()
    phone.goto(f"{server.url}/c/{code}")
    phone.route(f"**/c/{code}", lambda route: route.abort("internetdisconnected"))
    draw_and_send(phone, "1", 1)
    expect(phone.locator("[data-testid=class-error][data-network]")).to_contain_text("press Send again")
    expect(phone.locator("#class-form")).to_have_attribute("data-drawing-state", "drawn")
    phone.unroute(f"**/c/{code}")
    phone.get_by_test_id("send").click()
    expect(phone.get_by_test_id("class-result")).to_have_attribute("data-predicted", "1")
    expect(board.get_by_test_id("board-item")).to_have_count(1)


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_screenshots_of_the_password_page_and_a_lost_board(contexts, server, lang, screen):
    """The password page after a wrong password and a board that lost its connection, to look at;
    no serious or critical axe-core violation on either."""
    page = contexts(**SCREENS[screen]).page()
    page.add_init_script(path=str(AXE))
    page.goto(f"{server.url}/class?lang={lang}")
    page.get_by_test_id("lecturer-password").fill("guess")
    page.get_by_test_id("start-class").click()
    expect(page.get_by_test_id("start-error")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"classroom_password_{lang}_{screen}.png"), full_page=True)
    assert serious_violations(page) == []

    start_class(page, server.url, lang)
    page.route("**/live", lambda route: route.abort("internetdisconnected"))
    expect(page.get_by_test_id("connection-lost")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"classroom_connection_lost_{lang}_{screen}.png"))
    assert serious_violations(page) == []
