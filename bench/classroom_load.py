"""A class under load: simulated students submit through the JSON API while a board polls.

    python -m bench.classroom_load                      # SQLite, then PostgreSQL
    python -m bench.classroom_load --database sqlite --students 60 --interval 2 --seconds 60
    python -m bench.classroom_load --database postgresql --students 200 --via both   # direct, then nginx

For each database it starts `python app.py` on a free loopback port (its own instance folder;
for PostgreSQL a throwaway server started as in the tests), starts a class as a lecturer would,
then runs `--students` students, each with its own cookie jar (its own device), submitting a
drawing every `--interval` seconds for `--seconds` seconds (first submissions spread over one
interval), while a board polls the live fragment every second as htmx does (If-None-Match, so an
unchanged board answers 304). Then it checks that every 201 is on the board (the JSON board) and
in the export, and prints errors, lost drawings and the submission latency (p50, p99, max).

`--via nginx` serves the same class the way docs/deploy.md hosts a department: two app servers
(`--trusted-proxies 1`, one DIGITS_SECRET_KEY) on the one database behind a real nginx running
docs/nginx/digits.conf with a self-signed certificate, the students and the board on https; `--via
both` runs one server reached directly, then that, one after the other.

Loopback only and bounded: students x seconds / interval submissions, nothing else. Figures are
printed, never asserted; on a machine shared with other work they are noisy.
"""

import argparse
import contextlib
import io
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from tools.digits import data_url
from tools.digits import digit_png as png
from tools.nginx import Nginx
from tools.servers import AppServer
from tools.servers import Client

DIGITS = (0, 1, 7)  # drawings the shipped models read right


def percentile(values: list, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


class Tally:
    """What the students saw, shared by their threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies, self.created, self.errors = [], [], []

    def add(self, seconds: float, status: int, body: bytes):
        with self.lock:
            if status == 201:
                self.latencies.append(seconds)
                self.created.append(json.loads(body)["id"])
            else:
                self.errors.append(f"{status} {body[:120]!r}")


def student(url: str, code: str, tally: Tally, start: float, interval: float, end: float, seed: int, tls=None) -> None:
    """One phone: its own cookies (device id), a drawing every `interval` seconds until `end`."""
    rng = random.Random(seed)
    client = Client(url, tls)
    payloads = {d: json.dumps({"image": data_url(png(d)), "intended": d}).encode() for d in DIGITS}
    when = start + rng.uniform(0, interval)
    while when < end:
        time.sleep(max(0.0, when - time.monotonic()))
        began = time.monotonic()
        try:
            headers = {"Content-Type": "application/json"}
            status, _headers, body = client.request(
                "POST", f"/api/classes/{code}/drawings", payloads[rng.choice(DIGITS)], headers
            )
        except OSError as exc:
            status, body = 0, str(exc).encode()
        tally.add(time.monotonic() - began, status, body)
        # The next drawing at the next beat; after an answer that came late, at once, but no burst
        # of catching up (a student draws one at a time, a burst would be a script's, rate limited).
        when = max(when + interval, time.monotonic())


def board(url: str, code: str, end: float, counts: dict, tls=None) -> None:
    """The projector: the live fragment every second, conditional as htmx sends it."""
    client, etag = Client(url, tls), None
    while time.monotonic() < end:
        began = time.monotonic()
        headers = {"If-None-Match": etag} if etag else {}
        try:
            status, answer_headers, _body = client.get(f"/class/{code}/live", headers=headers)
            etag = answer_headers.get("ETag", etag)
        except OSError:
            status = 0
        counts[status] = counts.get(status, 0) + 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() - began)))


def room_for(args: argparse.Namespace) -> dict:
    """The app's settings for a class that can hold every drawing offered (5,000 by default: 200
    students drawing every 2 s for 60 s offer 6,000)."""
    offered = args.students * (int(args.seconds / args.interval) + 1)
    return {"DIGITS_CLASS_MAX_DRAWINGS": str(max(5000, offered))}


@contextlib.contextmanager
def direct(database_url: str | None, args: argparse.Namespace, folder: Path):
    """One `python app.py`, reached directly: yields (its URL, no TLS settings)."""
    server = AppServer(folder, database_url, args=args.app_arg, env=room_for(args))
    try:
        yield server.url, None
    finally:
        server.stop()


@contextlib.contextmanager
def through_nginx(database_url: str | None, args: argparse.Namespace, folder: Path):
    """Two app servers on the one database behind nginx with TLS, as docs/deploy.md hosts them:
    yields (nginx's https URL, TLS settings that trust its certificate)."""
    if database_url is None:  # two servers share a SQLite file only when both are told where it is
        database_url = f"sqlite:///{folder / 'classes.sqlite3'}"
    env, servers, nginx = room_for(args) | {"DIGITS_SECRET_KEY": secrets.token_hex(32)}, [], None
    try:
        for name in ("one", "two"):
            (folder / name).mkdir()
            servers.append(
                AppServer(folder / name, database_url, args=["--trusted-proxies", "1", *args.app_arg], env=env)
            )
        nginx = Nginx([f"127.0.0.1:{server.port}" for server in servers])
        yield nginx.url, nginx.ssl_context()
    finally:
        if nginx:
            nginx.remove()
        for server in servers:
            server.stop()


def run(name: str, database_url: str | None, args: argparse.Namespace, folder: Path, via: str = "direct") -> dict:
    serving = through_nginx if via == "nginx" else direct
    with serving(database_url, args, folder) as (url, tls):
        lecturer = Client(url, tls)
        code = lecturer.start_class()
        tally, polls = Tally(), {}
        start = time.monotonic() + 0.5
        end = start + args.seconds
        threads = [threading.Thread(target=board, args=(url, code, end + 1, polls, tls))]
        threads += [
            threading.Thread(target=student, args=(url, code, tally, start, args.interval, end, seed, tls))
            for seed in range(args.students)
        ]
        load_before = os.getloadavg()[0]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - start
        status, on_board = lecturer.json("GET", f"/api/classes/{code}/drawings")
        board_ids = {d["id"] for d in on_board["drawings"]} if status == 200 else set()
        status, _headers, data = lecturer.get(f"/class/{code}/export.zip")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            rows = archive.read("drawings.csv").decode().splitlines()[1:]
        export_ids = {int(row.split(",", 1)[0]) for row in rows}
        created = set(tally.created)
    result = {
        "database": name,
        "via": "nginx, 2 app servers" if via == "nginx" else "1 app server, directly",
        "students": args.students,
        "interval_s": args.interval,
        "seconds": args.seconds,
        "submitted": len(tally.created) + len(tally.errors),
        "per_second": round((len(tally.created) + len(tally.errors)) / elapsed, 1),
        "created": len(created),
        "errors": len(tally.errors),
        "lost_from_board": len(created - board_ids),
        "lost_from_export": len(created - export_ids),
        "p50_ms": round(1000 * statistics.median(tally.latencies), 1) if tally.latencies else None,
        "p99_ms": round(1000 * percentile(tally.latencies, 0.99), 1) if tally.latencies else None,
        "max_ms": round(1000 * max(tally.latencies), 1) if tally.latencies else None,
        "board_polls": dict(sorted(polls.items())),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],  # before, after: was the machine busy?
    }
    for error in tally.errors[:5]:
        print(f"  error: {error}", file=sys.stderr)
    return result


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.classroom_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--database-url", help="use this PostgreSQL database instead of starting a throwaway server")
    parser.add_argument(
        "--via",
        choices=("direct", "nginx", "both"),
        default="direct",
        help="one app server reached directly, two behind nginx with TLS (docs/deploy.md), or both one after the other",
    )
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between one student's drawings")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--app-arg", action="append", default=[], help="passed on to app.py (repeat), e.g. --workers=2")
    args = parser.parse_args(argv)
    if not (1 <= args.students <= 500 and 0.1 <= args.interval and 1 <= args.seconds <= 600):
        parser.error("keep it bounded: 1-500 students, an interval of at least 0.1 s, 1-600 seconds")
    names = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    vias = ["direct", "nginx"] if args.via == "both" else [args.via]
    for name, via in [(name, via) for name in names for via in vias]:
        with tempfile.TemporaryDirectory(prefix="classroom-load-") as folder:
            postgres = None
            url = None
            if name == "postgresql":
                url = args.database_url
                if url is None:
                    from tools.postgres import Postgres

                    postgres = Postgres()
                    url = postgres.new_database()
            try:
                print(json.dumps(run(name, url, args, Path(folder), via)), flush=True)
            finally:
                if postgres:
                    postgres.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
