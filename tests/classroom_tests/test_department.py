"""A department's set-up for real (issue 17): two app servers (`python app.py --trusted-proxies 1`,
each with its own instance folder, one DIGITS_SECRET_KEY) on one PostgreSQL, behind a real nginx
that terminates TLS, running the committed site file of docs/deploy.md (docs/nginx/digits.conf).

A lecturer starts a class through nginx and students submit; one app server is killed (SIGKILL);
the students and the lecturer go on through nginx and the export holds every drawing answered 201.
Then a rolling restart as the guide does it, one server at a time, while students submit: not one
request fails."""

import http.client
import io
import json
import re
import secrets
import threading
import time
import zipfile

import pytest

from tools.digits import data_url
from tools.digits import digit_png as png
from tools.nginx import Nginx
from tools.servers import AppServer
from tools.servers import Client

pytestmark = pytest.mark.server

KEY = secrets.token_hex(32)
BACK_IN_ROTATION = 3.5  # s after a restarted server answers: nginx's fail_timeout (2 s, whole seconds) has passed
STUDENTS = 6
PAUSE = 1.2  # s between one student's drawings: under the rate limit of 10 in 10 s


class Students:
    """Phones submitting drawings through nginx until stopped; every answer with when it was sent."""

    def __init__(self, url: str, code: str, ssl_context, count: int = STUDENTS):
        self.answers = []  # (sent, answered, status or error, drawing id)
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self.draw, args=(Client(url, ssl_context), code, digit))
            for digit in [(0, 1, 7)[n % 3] for n in range(count)]
        ]
        for thread in self.threads:
            thread.start()

    def draw(self, phone: Client, code: str, digit: int) -> None:
        body = {"image": data_url(png(digit)), "intended": digit}
        while not self.stopping.is_set():
            sent = time.monotonic()
            try:
                status, _headers, answer = phone.request("POST", f"/api/classes/{code}/drawings", body)
            except (OSError, http.client.HTTPException) as exc:
                status, answer = exc, b""
            drawing = json.loads(answer)["id"] if status == 201 else None
            self.answers.append((sent, time.monotonic(), status, drawing))
            self.stopping.wait(PAUSE)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def stored(self) -> set:
        return {drawing for *_times, status, drawing in self.answers if status == 201}

    def failed(self, sent_after: float = 0.0) -> list:
        return [(sent, status) for sent, _answered, status, _id in self.answers if sent >= sent_after and status != 201]


def exported_ids(lecturer: Client, code: str) -> set:
    status, _headers, data = lecturer.get(f"/class/{code}/export.zip?include_hidden=1")
    assert status == 200
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rows = archive.read("drawings.csv").decode().splitlines()[1:]
    return {int(row.split(",", 1)[0]) for row in rows}


def wait_healthy(server: AppServer, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while Client(server.url).json("GET", "/healthz") != (200, {"status": "ok"}):
        assert time.monotonic() < deadline, "the restarted server's /healthz did not answer 200"
        time.sleep(0.1)


def wait_for_answers(students: Students, count: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while len(students.answers) < count and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def department(postgres, tmp_path):
    """(nginx, [app server, app server], database URL); every process stopped afterwards."""
    url = postgres.new_database()
    servers = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        servers.append(start(tmp_path / name, url))
    nginx = None
    try:
        nginx = Nginx([f"127.0.0.1:{server.port}" for server in servers])
        yield nginx, servers, url
    finally:
        for server in servers:
            server.stop()
        if nginx:
            print(nginx.log())
            nginx.remove()


def start(folder, url: str, port: int | None = None) -> AppServer:
    args = ("--trusted-proxies", "1", "--workers", "1")
    return AppServer(folder, url, port=port, args=args, env={"DIGITS_SECRET_KEY": KEY})


def test_a_class_survives_a_killed_server_and_a_rolling_restart(department):
    nginx, servers, url = department
    context = nginx.ssl_context()
    lecturer = Client(nginx.url, context)
    status, headers, _body = lecturer.post("/class")
    assert status == 303 and "; Secure" in headers["Set-Cookie"] and "max-age=" in headers["Strict-Transport-Security"]
    code = headers["Location"].rsplit("/", 1)[1]
    status, _headers, html = lecturer.get(f"/class/{code}")
    assert status == 200 and f">{nginx.url}/c/{code}<" in html.decode()  # the public https address
    assert Client(nginx.url, context).json("GET", "/healthz") == (200, {"status": "ok"})
    session = re.search(r"session=([^;]+)", headers["Set-Cookie"]).group(1)
    for server in servers:  # either server, whichever answered the start: the same key, the same lecturer
        assert Client(server.url).get(f"/class/{code}/export.zip", headers={"Cookie": f"session={session}"})[0] == 200

    # One app server killed while students submit.
    students = Students(nginx.url, code, context)
    try:
        wait_for_answers(students, 2 * STUDENTS)
        servers[0].kill()
        killed = time.monotonic()
        wait_for_answers(students, len(students.answers) + 2 * STUDENTS)
        drawing = next(iter(students.stored()))
        assert lecturer.post(f"/class/{code}/drawings/{drawing}/hide")[0] == 303
        assert lecturer.get(f"/class/{code}")[0] == 200
    finally:
        students.stop()
    assert not students.failed(sent_after=killed), students.failed(sent_after=killed)
    assert len(students.failed()) <= STUDENTS  # only what was in flight on the killed server
    assert students.stored() <= exported_ids(lecturer, code)

    # A rolling restart, one server at a time, as docs/deploy.md does it.
    servers[0] = start(servers[0].folder, url, port=servers[0].port)
    wait_healthy(servers[0])
    time.sleep(BACK_IN_ROTATION)
    students = Students(nginx.url, code, context)
    try:
        wait_for_answers(students, STUDENTS)
        for n, server in enumerate(servers):
            server.stop_gracefully()
            servers[n] = start(server.folder, url, port=server.port)
            wait_healthy(servers[n])
            time.sleep(BACK_IN_ROTATION)
        wait_for_answers(students, len(students.answers) + STUDENTS)
    finally:
        students.stop()
    assert not students.failed(), students.failed()
    assert students.stored() <= exported_ids(lecturer, code)
