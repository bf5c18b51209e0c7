"""The classroom's routes through Flask's test client, on SQLite and PostgreSQL: the JSON API's
statuses, the lecturer's secret, the board and its conditional polling, export, the student and
join pages, and a clear 503 when the database cannot be written."""

import gzip
import io
import re
import zipfile

import pytest

from app import create_app
from nn.mnist import read_labelled
from tests.classroom_tests.conftest import close_store
from tests.helpers import HTMX
from tools.digits import data_url
from tools.digits import digit_png as png


def start_class(client) -> str:
    response = client.post("/class")
    assert response.status_code == 303
    return response.headers["Location"].rsplit("/", 1)[1]


def send(client, code: str, intended=1, digit: int = 1, **extra):
    body = {"image": data_url(png(digit)), "intended": intended} | extra
    return client.post(f"/api/classes/{code}/drawings", json=body)


@pytest.fixture
def lecturer(class_app):
    return class_app.test_client()


@pytest.fixture
def student(class_app):
    return class_app.test_client()


def test_start_page_has_the_button(lecturer):
    page = lecturer.get("/class").get_data(as_text=True)
    assert 'data-testid="start-class"' in page and 'action="/class"' in page


def test_a_submission_answers_201_with_the_reading(lecturer, student):
    code = start_class(lecturer)
    response = send(student, code, intended=1)
    assert response.status_code == 201
    body = response.get_json()
    assert body["predicted"] == 1 and len(body["probabilities"]) == 10
    assert body["confidence"] == pytest.approx(max(body["probabilities"]))
    assert isinstance(body["id"], int)
    assert "device=" in response.headers["Set-Cookie"]  # the rate limit's device id


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (
            {"image": "data:image/png;base64,iVBORw0KGgo=", "intended": 1},
            400,
            "This is not an image we can read (expected PNG, JPEG, GIF, BMP, WebP or TIFF).",  # a PNG signature alone
        ),
        (
            {"image": "not a url", "intended": 1},
            400,
            '"image" must be a base64 data URL starting with "data:image/png;base64,"',
        ),
        ({"intended": 1}, 400, '"image" must be a data URL string such as "data:image/png;base64,..."'),
        ({"image": None, "intended": 12}, 400, "Pick the digit you meant, 0 to 9."),
        ({"image": None, "intended": "x"}, 400, "Pick the digit you meant, 0 to 9."),
        ({"image": None}, 400, "Pick the digit you meant, 0 to 9."),
    ],
)
def test_bad_submissions_answer_400_with_an_error(lecturer, student, body, status, says):
    code = start_class(lecturer)
    if "image" in body and body["image"] is None:
        body["image"] = data_url(png(1))
    response = student.post(f"/api/classes/{code}/drawings", json=body)
    assert response.status_code == status
    assert response.get_json() == {"error": says}


@pytest.mark.parametrize("intended", [None, "", 12, "x", "²"])
def test_the_digit_meant_is_asked_for_in_the_page_s_language_as_before(lecturer, student, intended):
    """The classroom's own words for a missing or wrong digit, as before the refactor of issue 16:
    on the student's page and in the JSON API alike, in the page's language like its other
    refusals (a blank drawing, a closed class), not the request fields' generic English."""
    code = start_class(lecturer)
    fields = {"image": data_url(png(7))} | ({} if intended is None else {"intended": intended})
    for lang, says in [("en", "Pick the digit you meant, 0 to 9."), ("ko", "그리려던 숫자를 0부터 9 중에서 고르세요.")]:
        api = student.post(f"/api/classes/{code}/drawings?lang={lang}", json=fields)
        assert api.status_code == 400 and api.get_json() == {"error": says}
        page = student.post(f"/c/{code}?lang={lang}", data=fields, headers=HTMX)
        assert page.status_code == 400 and f"</strong> {says}</p>" in page.get_data(as_text=True)
    student.delete_cookie("lang")


def test_a_blank_drawing_is_refused(lecturer, student):
    from PIL import Image

    code = start_class(lecturer)
    buffer = io.BytesIO()
    Image.new("L", (280, 280), 255).save(buffer, format="PNG")
    response = student.post(f"/api/classes/{code}/drawings", json={"image": data_url(buffer.getvalue()), "intended": 3})
    assert response.status_code == 400 and response.get_json() == {"error": "Draw a digit first: the drawing is empty."}


def test_unknown_class_404_closed_class_409(lecturer, student):
    response = send(student, "ZZZZZ")
    assert response.status_code == 404 and response.get_json() == {"error": "There is no class with this code."}
    code = start_class(lecturer)
    assert lecturer.post(f"/class/{code}/close").status_code == 303
    response = send(student, code)
    assert response.status_code == 409 and response.get_json() == {"error": "This class is closed."}


def test_too_large_an_image_answers_413(class_app, lecturer, student):
    class_app.config["CLASS_MAX_IMAGE_BYTES"] = 200
    code = start_class(lecturer)
    response = send(student, code)
    assert response.status_code == 413 and response.get_json() == {"error": "The drawing is too large."}


def test_too_many_from_one_device_answers_429_others_go_on(class_app, lecturer):
    class_app.config.update(CLASS_RATE_COUNT=2, CLASS_RATE_SECONDS=60)
    code = start_class(lecturer)
    phone, other = class_app.test_client(), class_app.test_client()
    assert [send(phone, code).status_code for _ in range(3)] == [201, 201, 429]
    refused = send(phone, code)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "5"
    assert refused.get_json() == {"error": "Too many drawings at once: wait a few seconds."}
    assert send(other, code).status_code == 201  # same address, another device


def test_a_full_class_answers_429(class_app, lecturer, student):
    class_app.config.update(CLASS_MAX_DRAWINGS=1)
    code = start_class(lecturer)
    assert send(student, code).status_code == 201
    full = send(class_app.test_client(), code)
    assert full.status_code == 429 and full.get_json() == {"error": "This class has all the drawings it can hold."}


def test_only_the_lecturer_moderates_and_exports(lecturer, student):
    code = start_class(lecturer)
    drawing = send(student, code).get_json()["id"]
    for method, url in [
        ("post", f"/class/{code}/drawings/{drawing}/hide"),
        ("post", f"/class/{code}/close"),
        ("post", f"/class/{code}/delete"),
        ("get", f"/class/{code}/export.zip"),
    ]:
        refused = getattr(student, method)(url)
        assert refused.status_code == 403, url
        assert "<p>Only the browser that started this class may do that.</p>" in refused.get_data(as_text=True)
    board = student.get(f"/class/{code}").get_data(as_text=True)
    assert 'data-testid="board-item"' in board  # anyone with the code follows the board ...
    for testid in ("hide", "close-class", "delete-class", "export"):
        assert f'data-testid="{testid}"' not in board  # ... but sees no controls
    owner_board = lecturer.get(f"/class/{code}").get_data(as_text=True)
    for testid in ("hide", "close-class", "delete-class", "export"):
        assert f'data-testid="{testid}"' in owner_board


def test_a_forged_session_gets_403(class_app, lecturer):
    code = start_class(lecturer)
    forger = class_app.test_client()
    with forger.session_transaction() as session:
        session["classes"] = {code: "guessed"}
    assert forger.get(f"/class/{code}/export.zip").status_code == 403


def board_items(html: str) -> list:
    return re.findall(r'data-testid="board-item"\s+data-id="(\d+)" data-intended="(\d)" data-predicted="(\d)"', html)


def test_the_board_shows_drawings_marks_and_statistics(lecturer, student):
    code = start_class(lecturer)
    right = send(student, code, intended=1, digit=1).get_json()["id"]
    wrong = send(student, code, intended=4, digit=1).get_json()["id"]
    html = lecturer.get(f"/class/{code}").get_data(as_text=True)
    assert board_items(html) == [(str(wrong), "4", "1"), (str(right), "1", "1")]
    assert re.search(r'data-testid="class-accuracy" data-correct="1" data-total="2"', html)
    assert "50.0%" in html
    assert 'data-intended="4" data-predicted="1" data-count="1"' in html
    assert 'data-intended="1" data-predicted="1" data-count="1"' in html
    assert html.count("data-count=") == 100
    assert "✗" in html and "✓" in html  # marks are symbols and words, not colour alone
    assert "/inside?" in html and f"drawing={wrong}" in html


def test_a_drawing_opens_in_the_inside_view_from_its_stored_input(lecturer, student):
    code = start_class(lecturer)
    drawing = send(student, code, intended=4, digit=7).get_json()
    page = student.get(f"/inside?class={code}&drawing={drawing['id']}&model=book").get_data(as_text=True)
    assert f"#{drawing['id']}" in page and 'name="drawing"' in page
    assert f'Drawing #{drawing["id"]} of class <a href="/class/{code}">{code}</a>, meant as 4.' in page
    assert re.search(r'data-testid="inside-digit">(\d)<', page)
    url = f"/inside?class={code}&drawing={drawing['id']}&model={drawing['model']}"
    default = student.get(url).get_data(as_text=True)
    assert re.search(r'data-testid="inside-digit">(\d)<', default).group(1) == str(drawing["predicted"])
    no_drawing = "</strong> There is no such drawing in this class.</p>"
    missing = student.get(f"/inside?class={code}&drawing=999999")
    assert missing.status_code == 400 and no_drawing in missing.get_data(as_text=True)
    lecturer.post(f"/class/{code}/drawings/{drawing['id']}/hide")
    hidden = student.get(f"/inside?class={code}&drawing={drawing['id']}")
    assert hidden.status_code == 400 and no_drawing in hidden.get_data(as_text=True)
    assert lecturer.get(f"/inside?class={code}&drawing={drawing['id']}").status_code == 200


def test_hiding_takes_a_drawing_off_every_board(lecturer, student):
    code = start_class(lecturer)
    keep = send(student, code).get_json()["id"]
    hide = send(student, code, intended=7).get_json()["id"]
    answer = lecturer.post(f"/class/{code}/drawings/{hide}/hide", headers=HTMX)
    assert answer.status_code == 200 and board_items(answer.get_data(as_text=True)) == [(str(keep), "1", "1")]
    assert [i for i, *_ in board_items(student.get(f"/class/{code}").get_data(as_text=True))] == [str(keep)]
    assert student.get(f"/class/{code}/drawings/{hide}.png").status_code == 404
    assert lecturer.get(f"/class/{code}/drawings/{hide}.png").status_code == 200
    assert [d["id"] for d in student.get(f"/api/classes/{code}/drawings").get_json()["drawings"]] == [keep]


def test_polling_answers_304_until_something_changes(class_app, lecturer, student):
    class_app.config["CLASS_BOARD_FRESH_SECONDS"] = 0  # every change shows at the next poll
    code = start_class(lecturer)
    first = student.get(f"/class/{code}/live")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and 'hx-trigger="every 1s"' in first.get_data(as_text=True)
    assert student.get(f"/class/{code}/live", headers={"If-None-Match": etag}).status_code == 304
    send(student, code)
    changed = student.get(f"/class/{code}/live", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert len(board_items(changed.get_data(as_text=True))) == 1
    assert lecturer.get(f"/class/{code}/live").headers["ETag"] != changed.headers["ETag"]  # owner's view differs


def test_the_board_is_gzipped_for_browsers_and_its_304_varies_alike(lecturer, student):
    code = start_class(lecturer)
    send(student, code)
    plain = student.get(f"/class/{code}/live")
    zipped = student.get(f"/class/{code}/live", headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers and zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data and zipped.headers["ETag"] == plain.headers["ETag"]
    same = student.get(f"/class/{code}/live", headers={"If-None-Match": plain.headers["ETag"]})
    assert same.status_code == 304 and "Accept-Encoding" in same.headers["Vary"]


def test_a_busy_board_is_rendered_at_most_every_half_second(class_app, lecturer, student):
    class_app.config["CLASS_BOARD_FRESH_SECONDS"] = 60
    code = start_class(lecturer)
    first = student.get(f"/class/{code}/live")
    send(student, code)
    assert student.get(f"/class/{code}/live").headers["ETag"] == first.headers["ETag"]  # the kept render
    class_app.config["CLASS_BOARD_FRESH_SECONDS"] = 0
    again = student.get(f"/class/{code}/live")
    assert again.headers["ETag"] != first.headers["ETag"] and len(board_items(again.get_data(as_text=True))) == 1


def test_a_deleted_class_is_gone_and_its_poll_stops(lecturer, student):
    code = start_class(lecturer)
    send(student, code)
    assert lecturer.post(f"/class/{code}/delete").status_code == 303  # not confirmed: nothing happens
    assert student.get(f"/class/{code}").status_code == 200
    assert lecturer.post(f"/class/{code}/delete", data={"confirm": "yes"}).status_code == 303
    gone = student.get(f"/class/{code}/live")
    assert gone.status_code == 404 and "hx-trigger" not in gone.get_data(as_text=True)
    assert student.get(f"/class/{code}").status_code == 404
    assert send(student, code).status_code == 404


def test_export_holds_idx_pngs_and_csv(lecturer, student, tmp_path):
    code = start_class(lecturer)
    ids = [send(student, code, intended=d, digit=d).get_json()["id"] for d in (1, 7, 0)]
    lecturer.post(f"/class/{code}/drawings/{ids[1]}/hide")
    response = lecturer.get(f"/class/{code}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    path = tmp_path / "export.zip"
    path.write_bytes(response.data)
    images, labels = read_labelled(path)
    assert labels.tolist() == [1, 0] and images.shape == (2, 28, 28)
    with zipfile.ZipFile(path) as archive:
        assert archive.read(f"png/{ids[0]}.png") == png(1)
        csv_rows = archive.read("drawings.csv").decode().splitlines()
    assert len(csv_rows) == 3
    (tmp_path / "all.zip").write_bytes(lecturer.get(f"/class/{code}/export.zip?include_hidden=1").data)
    assert read_labelled(tmp_path / "all.zip")[1].tolist() == [1, 7, 0]


def test_student_page_join_and_closed(lecturer, student):
    code = start_class(lecturer)
    page = student.get(f"/c/{code}").get_data(as_text=True)
    for testid in ["canvas", "send", *(f"intent-{d}" for d in range(10))]:
        assert f'data-testid="{testid}"' in page
    assert "<script>" not in page and " style=" not in page and " onclick" not in page
    assert student.get(f"/c/{code.lower()}").status_code == 302
    assert student.get(f"/join?code={code.lower()}").headers["Location"] == f"/c/{code}"
    unknown = student.get("/join?code=NOPE")
    assert unknown.status_code == 404
    assert 'data-testid="join-error">There is no class with this code.</p>' in unknown.get_data(as_text=True)
    korean = student.get("/join?code=NOPE&lang=ko").get_data(as_text=True)
    assert 'data-testid="join-error">이 코드의 수업이 없습니다.</p>' in korean
    student.delete_cookie("lang")
    assert 'data-testid="join-code"' in student.get("/join").get_data(as_text=True)
    sent = student.post(f"/c/{code}", data={"image": data_url(png(7)), "intended": "7"}, headers=HTMX)
    assert sent.status_code == 201 and 'data-testid="class-result"' in sent.get_data(as_text=True)
    refused = student.post(f"/c/{code}", data={"image": data_url(png(7))}, headers=HTMX)
    assert refused.status_code == 400 and refused.get_data(as_text=True).lstrip().startswith('<div id="class-result"')
    assert "<strong>Not sent.</strong> Pick the digit you meant, 0 to 9.</p>" in refused.get_data(as_text=True)
    korean = student.post(f"/c/{code}?lang=ko", data={"image": data_url(png(7)), "intended": "x"}, headers=HTMX)
    assert korean.status_code == 400
    assert "<strong>보내지 못했습니다.</strong> 그리려던 숫자를 0부터 9 중에서 고르세요.</p>" in korean.get_data(
        as_text=True
    )
    student.delete_cookie("lang")
    lecturer.post(f"/class/{code}/close")
    closed = student.get(f"/c/{code}")
    assert 'data-testid="class-closed"' in closed.get_data(as_text=True)
    too_late = student.post(f"/c/{code}", data={"image": data_url(png(7)), "intended": "7"}, headers=HTMX)
    assert too_late.status_code == 409 and "</strong> This class is closed.</p>" in too_late.get_data(as_text=True)


def test_board_has_a_server_rendered_qr_without_inline_style(lecturer):
    code = start_class(lecturer)
    html = lecturer.get(f"/class/{code}").get_data(as_text=True)
    qr = re.search(r'data-testid="qr"[^>]*>\s*(<svg.*?</svg>)', html, re.S).group(1)
    assert "viewBox" in qr and "style=" not in qr
    assert f"http://localhost/c/{code}" in html  # the address the board was opened with
    assert "<script>" not in html and " style=" not in html


def test_join_address_uses_the_lan_address_when_listening_everywhere(class_app, lecturer):
    from web.classroom.join_address import lan_address

    class_app.config["LISTEN_HOST"] = "0.0.0.0"
    code = start_class(lecturer)
    html = lecturer.get(f"/class/{code}", base_url="http://127.0.0.1:5000").get_data(as_text=True)
    assert f"http://{lan_address()}:5000/c/{code}" in html
    html = lecturer.get(f"/class/{code}", base_url="http://192.168.7.7:5000").get_data(as_text=True)
    assert f"http://192.168.7.7:5000/c/{code}" in html  # opened by its LAN address already


def test_the_session_key_persists_in_the_instance_folder(tmp_path, database_url):
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url}
    first = create_app(config)
    key = (tmp_path / "instance" / "secret_key").read_text().strip()
    assert first.config["SECRET_KEY"] == key and len(key) >= 64
    client = first.test_client()
    code = start_class(client)
    again = create_app(config)  # a restart, or another worker
    assert again.config["SECRET_KEY"] == key
    cookie = client.get_cookie("session")
    other = again.test_client()
    other.set_cookie("session", cookie.value)
    assert other.get(f"/class/{code}/export.zip").status_code == 200
    close_store(first)
    close_store(again)


def test_a_database_that_cannot_be_written_answers_503(tmp_path):
    path = tmp_path / "classes.sqlite3"
    writable = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{path}"})
    lecturer = writable.test_client()
    code = start_class(lecturer)
    read_only = create_app(
        {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///file:{path}?mode=ro&uri=true"}
    )
    client = read_only.test_client()
    response = send(client, code)
    unavailable = "The class database cannot be reached or written right now; try again in a moment."
    assert response.status_code == 503 and response.get_json()["error"] == unavailable
    assert response.get_json()["detail"]  # what the driver said, for whoever runs the server
    page = client.post("/class")
    assert page.status_code == 503 and f'data-testid="class-error"><p>{unavailable}</p>' in page.get_data(as_text=True)
    fragment = client.post(f"/c/{code}", data={"image": data_url(png(1)), "intended": "1"}, headers=HTMX)
    assert fragment.status_code == 503 and 'id="class-result"' in fragment.get_data(as_text=True)
    assert f"<strong>Not sent.</strong> {unavailable}</p>" in fragment.get_data(as_text=True)
    client.set_cookie("session", lecturer.get_cookie("session").value)  # the lecturer, on the read-only server
    hide = client.post(f"/class/{code}/drawings/1/hide", headers=HTMX)  # a write: refused, the board keeps polling
    assert hide.status_code == 503 and 'hx-trigger="every 2s"' in hide.get_data(as_text=True)
    assert f'data-testid="class-error"><p>{unavailable}</p>' in hide.get_data(as_text=True)
    close_store(writable)
    close_store(read_only)
