"""The database failing in the middle of a class: a real PostgreSQL stopped (`pg_ctl stop`) under a
real `python app.py` while phones send drawings and a board polls, then started again; a lock held
too long; a full disk and a read-only SQLite file. Every answer is a 503 with the translated message
within DATABASE_TIMEOUT (never a 500, never a hang), nothing is half-written, the app recovers by
itself once the database is back, and nothing answered 201 is lost."""

import socket
import threading
import time

import pytest
from sqlalchemy import event

from app import create_app
from classroom.store import Store
from classroom.store import Unavailable
from tests.classroom_tests.conftest import close_store
from tests.classroom_tests.test_store import reading
from tests.classroom_tests.test_web import send
from tests.classroom_tests.test_web import start_class
from tests.helpers import HTMX
from tools.digits import data_url
from tools.digits import digit_png as png
from tools.servers import AppServer
from tools.servers import Client

TIMEOUT = 2  # DATABASE_TIMEOUT in these tests, seconds
PROMISED = 10  # seconds: at most this long to a 503, and to recover once the database is back
UNAVAILABLE_EN = "The class database cannot be reached or written right now"
UNAVAILABLE_KO = "지금은 수업 데이터베이스에 연결하거나 쓸 수 없습니다"


def test_a_lock_held_too_long_raises_unavailable_within_the_timeout(database_url):
    """Another connection holds the class's row (PostgreSQL) or the write lock (SQLite): a drawing
    waits DATABASE_TIMEOUT at most, then Unavailable, never a hang."""
    store = Store(database_url, timeout=1)
    cls = store.new_class("book", "s")
    with store.engine.execution_options(write=True).connect() as holder:
        holder.begin()  # on SQLite, BEGIN IMMEDIATE: the write lock
        if holder.dialect.name == "postgresql":
            holder.exec_driver_sql(f"SELECT * FROM classes WHERE id = {cls.id} FOR UPDATE")
        started = time.monotonic()
        with pytest.raises(Unavailable):
            store.add_drawing(cls.id, "d", reading(1, 1))
        assert time.monotonic() - started < 1 + 2
        holder.rollback()
    store.add_drawing(cls.id, "d", reading(1, 1))  # the lock gone, the same store writes again
    assert store.find_class(cls.code).drawing_count == 1
    store.dispose()


def test_a_database_server_that_never_answers_raises_unavailable_within_the_timeout():
    """A PostgreSQL host that takes the connection and then says nothing (a hung server, a
    firewall that swallows packets): the connect timeout gives up, the request does not hang."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        store = Store(f"postgresql://digits@127.0.0.1:{silent.getsockname()[1]}/none", timeout=TIMEOUT)
        started = time.monotonic()
        with pytest.raises(Unavailable):
            store.find_class("ABCDE")
        assert time.monotonic() - started < TIMEOUT + 2
        store.dispose()


# SQLite made read-only or its disk full. The tests run as root, where chmod stops no write, so the
# fault is made by SQLite itself on every connection the app takes from its pool: query_only refuses
# every write as a read-only file or mount does (SQLITE_READONLY), max_page_count at the database's
# size makes any growth fail exactly as a full disk does (SQLITE_FULL, "database or disk is full").
FAULTS = {
    "read-only": ("PRAGMA query_only = 1", "PRAGMA query_only = 0"),
    "disk full": ("PRAGMA max_page_count = {pages}", "PRAGMA max_page_count = 1073741823"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_read_only_or_full_sqlite_answers_503_writes_nothing_and_recovers(tmp_path, real_models, fault):
    path = tmp_path / "classes.sqlite3"
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{path}"}
    app = create_app(config | {"MODELS": real_models, "DATABASE_TIMEOUT": TIMEOUT})
    lecturer, student = app.test_client(), app.test_client()
    code = start_class(lecturer)
    assert send(student, code).status_code == 201
    engine = app.extensions["classroom_store"].engine
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
    on, off = (sql.format(pages=pages) for sql in FAULTS[fault])
    pragma = [on]
    event.listen(engine, "checkout", lambda dbapi, _record, _proxy: dbapi.execute(pragma[0]))

    started = time.monotonic()
    refused = send(student, code, intended=7, digit=7)
    assert refused.status_code == 503 and time.monotonic() - started < PROMISED
    assert UNAVAILABLE_EN in refused.get_json()["error"]
    korean = student.post(f"/c/{code}?lang=ko", data={"image": data_url(png(7)), "intended": "7"})
    assert korean.status_code == 503 and UNAVAILABLE_KO in korean.get_data(as_text=True)
    with engine.connect() as conn:  # nothing half-written: one drawing, and the class's counters agree
        assert conn.exec_driver_sql("SELECT count(*) FROM drawings").scalar_one() == 1
        assert conn.exec_driver_sql("SELECT drawing_count, version FROM classes").one() == (1, 1)
    board = student.get(f"/api/classes/{code}/drawings")  # reading still works: the board carries on
    assert board.status_code == 200 and board.get_json()["total"] == 1

    pragma[0] = off  # the disk has room again, the file is writable again: no restart
    assert send(student, code, intended=7, digit=7).status_code == 201
    assert student.get(f"/api/classes/{code}/drawings").get_json()["total"] == 2
    close_store(app)


class Phone(threading.Thread):
    """A student's phone sending a drawing every 0.2 s until told to stop: every answer's status,
    its id when 201, and how long it took."""

    def __init__(self, url: str, code: str):
        super().__init__(daemon=True)
        self.client, self.code = Client(url), code
        self.answers, self.stopping = [], threading.Event()

    def run(self):
        body = {"image": data_url(png(1)), "intended": 1}
        while not self.stopping.is_set():
            started = time.monotonic()
            status, answer = self.client.json("POST", f"/api/classes/{self.code}/drawings", body)
            self.answers.append((status, answer.get("id") if status == 201 else answer, time.monotonic() - started))
            self.stopping.wait(0.2)


def answer_within(seconds: float, ask, expected: int) -> float:
    """Ask until the answer has the expected status; how long that took (fails after `seconds`)."""
    started = time.monotonic()
    while True:
        status = ask()
        took = time.monotonic() - started
        if status == expected:
            return took
        assert took < seconds, f"still {status} after {took:.1f} s"
        time.sleep(0.1)


@pytest.mark.server
def test_postgresql_stopped_mid_class_answers_503_and_recovers_by_itself(postgres, tmp_path, monkeypatch):
    """pg_ctl stop while four phones send drawings and a board polls; pg_ctl start. The measured
    seconds to the first 503 and back to the first 201 are printed (pytest -s)."""
    monkeypatch.setenv("DIGITS_DATABASE_TIMEOUT", str(TIMEOUT))
    monkeypatch.setenv("DIGITS_CLASS_RATE_COUNT", "1000")
    server = AppServer(tmp_path, postgres.new_database(), args=["--workers", "2"])
    phones, stopped = [], False
    try:
        code = Client(server.url).start_class()
        board, probe = Client(server.url), Client(server.url)
        body = {"image": data_url(png(7)), "intended": 7}
        form = f"image={data_url(png(7))}&intended=7".replace("+", "%2B").encode()

        def submit() -> tuple:
            return probe.json("POST", f"/api/classes/{code}/drawings", body)

        def live() -> int:
            return board.get(f"/class/{code}/live", headers=HTMX)[0]

        assert live() == 200
        phones = [Phone(server.url, code) for _ in range(4)]
        for phone in phones:
            phone.start()
        time.sleep(1)

        postgres.stop()
        stopped = True
        started = time.monotonic()
        status, answer = submit()
        to_503 = time.monotonic() - started
        assert status == 503 and UNAVAILABLE_EN in answer["error"] and to_503 < PROMISED
        headers = HTMX | {"Content-Type": "application/x-www-form-urlencoded"}
        status, _headers, page = probe.post(f"/c/{code}?lang=ko", form, headers=headers)
        assert status == 503 and UNAVAILABLE_KO in page.decode() and 'id="class-result"' in page.decode()
        assert live() == 503  # the board's poll too: its page keeps polling and says the connection is lost
        time.sleep(2)

        postgres.start()
        stopped = False
        to_201 = answer_within(PROMISED, lambda: submit()[0], 201)
        assert answer_within(PROMISED, live, 200) < PROMISED
        time.sleep(1)
        for phone in phones:
            phone.stopping.set()
        for phone in phones:
            phone.join(30)
        status, shown = board.json("GET", f"/api/classes/{code}/drawings")
    finally:
        for phone in phones:
            phone.stopping.set()
        if stopped:
            postgres.start()
        server.stop()
    print(f"\npg_ctl stop: 503 in {to_503:.3f} s; pg_ctl start: 201 again in {to_201:.3f} s")

    answers = [answer for phone in phones for answer in phone.answers]
    assert {status for status, _id, _took in answers} == {201, 503}  # both happened, and nothing else: no 500
    assert max(took for *_, took in answers) < PROMISED  # never a hang
    assert all(UNAVAILABLE_EN in answer["error"] for status, answer, _took in answers if status == 503)
    created = {i for status, i, _took in answers if status == 201}
    assert created <= {d["id"] for d in shown["drawings"]}  # nothing answered 201 was lost
