"""Faults that must not stop a class, for real: a worker of `python app.py` killed with SIGKILL (as the
out-of-memory killer or a crash in a C library would) while clients post drawings."""

import http.client
import os
import signal
import threading
import time

import pytest

from tests.digits import digit_png
from tests.test_serving import alive
from tests.test_serving import children
from tests.test_serving import request
from tests.test_serving import running_app
from tests.test_serving import wait_for_children

CLIENTS = 4
SETTLED = 3.0  # seconds after the kill from which every request must succeed


def live_workers(pid: int) -> set:
    return {child for child in children(pid) if alive(child)}


@pytest.mark.server
def test_a_killed_worker_is_replaced_and_the_server_keeps_answering(tmp_path):
    body, headers = digit_png("7"), {"Content-Type": "image/png"}
    answers = []  # (sent at, answered at, status or the error)
    stop = threading.Event()

    def post_drawings():
        while not stop.is_set():
            sent = time.monotonic()
            try:
                status, _ = request(port, "POST", "/api/predict?model=book", body, headers)
            except (OSError, http.client.HTTPException) as exc:
                status = exc
            answers.append((sent, time.monotonic(), status))

    with running_app(tmp_path, "--workers", "2") as (process, port):
        workers = set(wait_for_children(process.pid, 2))
        clients = [threading.Thread(target=post_drawings) for _ in range(CLIENTS)]
        for client in clients:
            client.start()
        try:
            time.sleep(1)
            victim = min(workers)
            os.kill(victim, signal.SIGKILL)
            killed = time.monotonic()
            while time.monotonic() < killed + 10 and len(live_workers(process.pid) - {victim}) < 2:
                time.sleep(0.05)
            replaced_after = time.monotonic() - killed
            time.sleep(max(0.0, killed + SETTLED + 2 - time.monotonic()))  # clients go on posting
        finally:
            stop.set()
            for client in clients:
                client.join()
        now = live_workers(process.pid)
        assert process.poll() is None, "the server exited when its worker was killed"
        assert len(now) == 2 and victim not in now and now - workers, f"workers {workers} -> {now}"
    assert replaced_after < SETTLED
    before = [status for _sent, answered, status in answers if answered < killed]
    after = [status for sent, _answered, status in answers if sent >= killed + SETTLED]
    assert before and all(status == 200 for status in before)
    assert len(after) >= CLIENTS and all(status == 200 for status in after), after
