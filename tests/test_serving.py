"""`python app.py` for real: worker processes, preloading, slow clients, a clean stop.

Each server test starts the app on a free port of 127.0.0.1 and stops it; the slow clients are
bounded (40 connections, a byte a second for as long as the normal requests take, at most 20 s).
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app import choose_server
from app import create_app
from app import preload
from app import served_app
from tests.digits import digit_png
from tools.servers import ROOT
from tools.servers import AppServer

SLOW_REQUEST = b"GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: one byte a second\r\n\r\n"
ANSWER_TIMEOUT = 3  # seconds: the issue asks for under one; a busy shared machine gets some slack


@contextlib.contextmanager
def running_app(tmp_path: Path, *args: str, python: str = sys.executable):
    """`python app.py --port N *args` until the block ends; yields (process, port)."""
    with AppServer(tmp_path, args=args, python=python) as server:
        yield server.process, server.port


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """(status, body) of one request on a new connection, failing after ANSWER_TIMEOUT seconds."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWER_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def children(pid: int) -> list:
    """The process ids whose parent is pid (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie (ended, not yet reaped by init) is not."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def wait_for_children(pid: int, count: int) -> list:
    deadline = time.monotonic() + 20
    while len(found := children(pid)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


# --- Choosing the server, preloading (no server needed) -------------------------------------------


@pytest.mark.parametrize(
    ("asked", "os_name", "server", "notice"),
    [
        (None, "posix", "granian", False),
        ("granian", "posix", "granian", False),
        ("waitress", "posix", "waitress", False),
        (None, "nt", "waitress", True),
        ("granian", "nt", "waitress", True),
        ("waitress", "nt", "waitress", False),
    ],
)
def test_choose_server(asked, os_name, server, notice):
    chosen, said = choose_server(asked, os_name)
    assert chosen == server
    assert (said is not None) == notice
    if said:
        assert "\n" not in said and "waitress" in said


def test_preload_loads_models_and_test_set():
    app = create_app({"TESTING": True})
    assert "models" not in app.extensions.get("digit_models", {})
    preload(app)
    assert set(app.extensions["digit_models"]["models"]) >= {"book", "default"}
    images, labels = app.extensions["digit_samples"]["test"]
    assert images.shape == (10_000, 28, 28) and labels.shape == (10_000,)


def test_served_app_takes_its_options_from_the_environment_and_is_preloaded(monkeypatch):
    monkeypatch.setenv("DIGITS_DEFAULT_MODEL", '"book"')  # as main() writes them: JSON strings
    monkeypatch.setenv("DIGITS_LISTEN_HOST", '"0.0.0.0"')
    app = served_app()
    assert app.config["DEFAULT_MODEL"] == "book" and app.config["LISTEN_HOST"] == "0.0.0.0"
    assert set(app.extensions["digit_models"]["models"]) >= {"book", "default"}
    assert app.extensions["digit_samples"]["test"][0].shape == (10_000, 28, 28)


# --- The real server ------------------------------------------------------------------------------


@pytest.mark.server
def test_workers_flag_starts_that_many_processes(tmp_path):
    with running_app(tmp_path, "--workers", "2") as (process, port):
        workers = wait_for_children(process.pid, 2)
        assert len(workers) == 2
        status, _ = request(port, "POST", "/api/predict?model=book", digit_png("7"), {"Content-Type": "image/png"})
        assert status == 200


@pytest.mark.server
def test_default_is_one_worker_per_core(tmp_path):
    with running_app(tmp_path) as (process, _):
        assert len(wait_for_children(process.pid, os.cpu_count())) == os.cpu_count()


@pytest.mark.server
def test_sigterm_stops_server_and_workers(tmp_path):
    with running_app(tmp_path, "--workers", "2") as (process, port):
        workers = wait_for_children(process.pid, 2)
        idle = socket.create_connection(("127.0.0.1", port))  # an open connection must not hold the stop
        stalled = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]  # nor uploads in progress
        for connection in stalled:
            connection.sendall(slow_upload()[0])
        request(port, "GET", "/api/models")  # the uploads have reached the server
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
        for connection in [idle, *stalled]:
            connection.close()
        assert not [pid for pid in workers if alive(pid)]


@pytest.mark.server
def test_python_app_py_outside_the_venv_becomes_the_server(tmp_path):
    """The README's `python3 app.py`, with a Python that lacks the requirements: it runs again
    from .venv in the same process, so the process started is the server and SIGTERM stops it."""
    python = getattr(sys, "_base_executable", sys.executable)  # the Python this test's venv was made from
    lacks = "import bootstrap, sys; sys.exit(0 if bootstrap.missing(bootstrap.ROOT / 'requirements.txt') else 1)"
    if subprocess.run([python, "-c", lacks], cwd=ROOT, check=False).returncode != 0:
        # Can happen: a system Python with Flask, NumPy, ... installed (a Docker image that pip-installed
        # requirements.txt system-wide, say) has nothing to run again from .venv.
        pytest.skip(f"{python} has every requirement: nothing runs again from .venv")
    with running_app(tmp_path, "--workers", "2", python=python) as (process, _):
        workers = wait_for_children(process.pid, 2)
        assert len(workers) == 2  # granian's workers are the started process's own children
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
        assert not [pid for pid in workers if alive(pid)]


def slow_upload() -> tuple:
    """(what a stalling upload sends at once, what it then sends a byte a second): a drawing's
    whole request head and its body's first bytes, then the rest of the body."""
    body = digit_png("7")
    head = (
        "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body[:10], body[10:]


def normal_requests_among_slow_clients(port: int, at_once: bytes = b"", trickled: bytes = SLOW_REQUEST) -> tuple:
    """Open 10 silent connections and 30 that send `at_once`, then `trickled` a byte a second (a
    request's head by default), then send a normal GET and POST: (GET's (status, body), POST's
    (status, body), errors of the slow clients). Raises TimeoutError when a normal request gets
    no answer within ANSWER_TIMEOUT."""
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(30)]
    for connection in slow:
        connection.sendall(at_once)
    stop = threading.Event()
    errors = []

    def drip():
        for i in range(min(20, len(trickled) - 1)):  # never the last byte: never a whole request
            for connection in slow:
                try:
                    connection.send(trickled[i : i + 1])
                except OSError as error:
                    errors.append(error)
            if stop.wait(1):
                return

    dripping = threading.Thread(target=drip)
    dripping.start()
    try:
        stop.wait(2)  # the slow clients have sent a couple of bytes each when the normal ones come
        get = request(port, "GET", "/api/models")
        post = request(port, "POST", "/api/predict?model=book", digit_png("0"), {"Content-Type": "image/png"})
        if not dripping.is_alive():
            errors.append("the slow clients stopped before the normal requests were answered")
    finally:
        stop.set()
        dripping.join()
        for connection in silent + slow:
            connection.close()
    return get, post, errors


@pytest.mark.server
@pytest.mark.parametrize("server", ["granian", "waitress"])
def test_slow_clients_do_not_hold_up_a_normal_request(tmp_path, server):
    with running_app(tmp_path, "--server", server, "--workers", "2") as (_, port):
        get, post, errors = normal_requests_among_slow_clients(port)
    assert get[0] == 200 and b'"models"' in get[1]
    assert post[0] == 200 and b'"digit"' in post[1]
    assert not errors, f"the slow clients were cut off: {errors[:3]}"


@pytest.mark.server
@pytest.mark.parametrize("server", ["granian", "waitress"])
def test_stalled_uploads_do_not_hold_up_a_normal_request(tmp_path, server):
    with running_app(tmp_path, "--server", server, "--workers", "2") as (_, port):
        get, post, errors = normal_requests_among_slow_clients(port, *slow_upload())
    assert get[0] == 200 and b'"models"' in get[1]
    assert post[0] == 200 and b'"digit"' in post[1]
    assert not errors, f"the slow clients were cut off: {errors[:3]}"
