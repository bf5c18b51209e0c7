"""Who may start a class on a shared server, and how fast a client may guess, on SQLite and
PostgreSQL: the lecturer's password (403, 429 after wrong ones, counted per device and per address
in the database), lookups of unknown class codes slowed per client address (429) while codes a
browser reached are never slowed, and old classes pruned by the app itself, at most once an
interval across processes."""

import time

import pytest

from app import create_app
from classroom.store import Store
from tests.classroom_tests.conftest import close_store
from tests.classroom_tests.test_web import send
from tests.classroom_tests.test_web import start_class

PASSWORD = "correct horse"
WRONG_EN = "That is not the lecturer&#39;s password."
WRONG_KO = "강사 비밀번호가 맞지 않습니다."


def from_address(app, address: str):
    """A test client whose requests come from this client address (request.remote_addr)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def class_count(app) -> int:
    with app.extensions["classroom_store"].engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM classes").scalar_one()


def test_without_a_password_nothing_changes(class_app):
    lecturer = class_app.test_client()
    assert 'data-testid="lecturer-password"' not in lecturer.get("/class").get_data(as_text=True)
    start_class(lecturer)


@pytest.mark.parametrize(("lang", "says"), [("en", WRONG_EN), ("ko", WRONG_KO)])
def test_a_password_guards_starting_a_class_only(class_app, lang, says):
    class_app.config["LECTURER_PASSWORD"] = PASSWORD
    lecturer = class_app.test_client()
    page = lecturer.get(f"/class?lang={lang}").get_data(as_text=True)
    assert 'name="password"' in page and 'data-testid="lecturer-password"' in page
    for form in ({}, {"password": "guess"}, {"password": PASSWORD.upper()}):
        refused = lecturer.post(f"/class?lang={lang}", data=form)
        assert refused.status_code == 403 and says in refused.get_data(as_text=True)
        assert 'data-testid="lecturer-password"' in refused.get_data(as_text=True)  # to try again
    assert class_count(class_app) == 0  # no class was made
    started = lecturer.post("/class", data={"password": PASSWORD})
    assert started.status_code == 303
    code = started.headers["Location"].rsplit("/", 1)[1]
    student = class_app.test_client()  # students never need it ...
    assert student.get(f"/join?code={code}").status_code == 302 and student.get(f"/c/{code}").status_code == 200
    assert send(student, code).status_code == 201
    assert student.get(f"/class/{code}").status_code == 200  # ... and the board stays readable by its code
    assert student.get(f"/class/{code}/live").status_code == 200


def test_wrong_passwords_from_one_device_are_slowed_across_processes(class_app, database_url):
    class_app.config.update(LECTURER_PASSWORD=PASSWORD, LECTURER_PASSWORD_TRIES=2)
    device = class_app.test_client()
    assert [device.post("/class", data={"password": "guess"}).status_code for _ in range(3)] == [403, 403, 429]
    slowed = device.post("/class", data={"password": PASSWORD})  # even the right one waits: guessing stops
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) > 0
    assert "Too many wrong passwords" in slowed.get_data(as_text=True)
    other = create_app(class_app.config | {"TESTING": True})  # another worker process on the same database
    same_device = other.test_client()
    same_device.set_cookie("device", device.get_cookie("device").value)
    assert same_device.post("/class", data={"password": PASSWORD}).status_code == 429
    assert other.test_client().post("/class", data={"password": PASSWORD}).status_code == 303  # another device
    close_store(other)


def test_wrong_passwords_from_one_address_are_slowed_even_without_cookies(class_app):
    """A script that drops its device cookie is a new device each time: its address still counts
    (four times a device's tries)."""
    class_app.config.update(LECTURER_PASSWORD=PASSWORD, LECTURER_PASSWORD_TRIES=1)
    fresh = [from_address(class_app, "192.0.2.9") for _ in range(5)]
    assert [device.post("/class", data={"password": "x"}).status_code for device in fresh] == [403] * 4 + [429]
    assert from_address(class_app, "198.51.100.1").post("/class", data={"password": PASSWORD}).status_code == 303


def test_the_password_from_the_environment_is_kept_as_written(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITS_LECTURER_PASSWORD", "1234")  # DIGITS_* values are read as JSON: this would be a number
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["LECTURER_PASSWORD"] == "1234"
    assert app.test_client().post("/class", data={"password": "1234"}).status_code == 303
    close_store(app)


UNKNOWN = ["/class/ZZZZ2", "/join?code=ZZZZ3", "/c/ZZZZ4", "/api/classes/ZZZZ5/drawings", "/class/ZZZZ6/live"]


def test_unknown_codes_are_slowed_per_address_known_codes_never(class_app):
    class_app.config.update(CLASS_LOOKUP_MISSES=len(UNKNOWN))
    nat = "203.0.113.5"  # a whole class behind one address, and a scanner behind it too
    code = start_class(from_address(class_app, nat))
    students = [from_address(class_app, nat) for _ in range(30)]
    assert {s.get(f"/c/{code}").status_code for s in students} == {200}  # reaching a code that exists counts nothing
    scanner = from_address(class_app, nat)
    assert [scanner.get(url).status_code for url in UNKNOWN] == [404] * len(UNKNOWN)
    slowed = scanner.get("/c/ZZZZ7")
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) == 60
    assert "Too many class codes" in slowed.get_data(as_text=True)
    api = scanner.get("/api/classes/ZZZZ8/drawings")
    assert api.status_code == 429 and "Too many class codes" in api.get_json()["error"]
    assert scanner.get(f"/c/{code}").status_code == 429  # over the limit no code is looked up: it learns nothing
    for student in students:  # the students, who reached their class before, are never slowed
        assert student.get(f"/class/{code}/live").status_code == 200
    assert send(students[0], code).status_code == 201
    assert from_address(class_app, "198.51.100.1").get("/c/ZZZZ9").status_code == 404  # another address
    other = create_app(class_app.config | {"TESTING": True})  # another worker process: the count is in the database
    assert from_address(other, nat).get("/c/ZZZZA").status_code == 429
    close_store(other)


DAY = 86400


def test_old_classes_are_pruned_by_the_app_at_most_once_an_interval(class_app, database_url):
    class_app.config.update(CLASS_RETENTION_DAYS=30)
    store = Store(database_url)
    old = store.new_class("book", "s", now=time.time() - 31 * DAY)
    young = store.new_class("book", "s", now=time.time() - 29 * DAY)
    class_app.test_client().get("/join")  # any classroom request
    assert store.find_class(old.code) is None and store.find_class(young.code) is not None
    again = store.new_class("book", "s", now=time.time() - 31 * DAY)
    other = create_app(class_app.config | {"TESTING": True})  # another process, asking for the first time
    other.test_client().get("/join")
    assert store.find_class(again.code) is not None  # pruned less than CLASS_PRUNE_INTERVAL ago: not again
    store.dispose()
    close_store(other)


def test_a_retention_of_0_keeps_every_class_and_the_command_still_prunes(class_app, database_url):
    class_app.config.update(CLASS_RETENTION_DAYS=0)
    store = Store(database_url)
    old = store.new_class("book", "s", now=time.time() - 400 * DAY)
    class_app.test_client().get("/join")
    assert store.find_class(old.code) is not None
    runner = class_app.test_cli_runner()
    assert "give --older-than" in runner.invoke(args=["classes", "prune"]).output
    class_app.config.update(CLASS_RETENTION_DAYS=365)
    assert "deleted 1 class started more than 365 days ago" in runner.invoke(args=["classes", "prune"]).output
    assert store.find_class(old.code) is None
    store.dispose()
