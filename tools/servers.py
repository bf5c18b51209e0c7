"""Real `python app.py` servers for the tests and the benchmarks (tests/ and bench/ both use this
module and never import each other): a free port of 127.0.0.1, a server started with its own
instance folder and settings, the one wait until it answers, a stop or a kill of its whole
process group, and an HTTP client with a cookie jar (a browser's session, a phone's device id)."""

import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY_PATH = "/api/models"  # answers 200 once the models are loaded


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(process: subprocess.Popen, probe, seconds: float) -> None:
    """Until probe() stops raising OSError; RuntimeError when the process exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("exited")
        try:
            probe()
            return
        except OSError:  # not listening yet, or an error status (HTTPError is an OSError)
            time.sleep(0.05)
    raise RuntimeError(f"did not answer in {seconds} s")


def wait_until_answering(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    """Until the server at url answers GET /api/models with 200; raises with the server's log when
    its process exits first or it does not answer within `seconds`."""
    try:
        wait_until_up(process, lambda: urllib.request.urlopen(url + READY_PATH, timeout=2).close(), seconds)
    except RuntimeError as exc:
        raise RuntimeError(f"the app {exc}: {log.read_text()}") from None


class AppServer:
    """`python app.py --port N *args` in its own process group, its instance folder (its classes
    database) in folder/instance, logging to folder/server-N.log, answering when the constructor
    returns. `settings` become DIGITS_* variables (DIGITS_MNIST_DIR=... for MNIST_DIR=...); `python`
    and `app` run another interpreter or another checkout's app.py. A context manager: stop() at
    the end of the block."""

    def __init__(
        self,
        folder: Path,
        database_url: str | None = None,
        port: int | None = None,
        args=(),
        settings: dict | None = None,
        python: str = sys.executable,
        app: Path = ROOT / "app.py",
        seconds: float = 60,
        env: dict | None = None,
    ):
        self.folder = Path(folder)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | {"DIGITS_INSTANCE_PATH": str(self.folder / "instance")} | (env or {})
        if database_url:
            env["DIGITS_DATABASE_URL"] = database_url
        env |= {f"DIGITS_{name}": value for name, value in (settings or {}).items()}
        self.log = self.folder / f"server-{self.port}.log"
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [python, str(app), "--port", str(self.port), *args],
                cwd=Path(app).parent,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # kill() takes any worker processes along
            )
        self.seconds = seconds
        self.wait_ready()

    def wait_ready(self, seconds: float | None = None) -> None:
        """Until the server answers (again, after a restart of the same process group's port)."""
        try:
            wait_until_answering(self.url, self.process, self.log, seconds or self.seconds)
        except BaseException:
            self.kill()
            raise

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Stop at once (SIGKILL by default: as a crash or a pulled plug would)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                pass
        self.process.wait(20)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def stop_gracefully(self) -> None:
        """SIGTERM to the main process only, as systemd's KillMode=mixed sends it: granian stops
        taking connections, finishes the requests it has, stops its workers and exits."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(20)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Client:
    """An HTTP client with a cookie jar: a browser or a phone, as far as the server can tell."""

    def __init__(self, base_url: str, ssl_context=None):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies),
            NoRedirect(),
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPSHandler(context=ssl_context),  # https: the certificate is checked against it
        )

    def request(self, method: str, path: str, body: dict | bytes | None = None, headers: dict | None = None):
        """(status, headers, bytes) of one request; 4xx/5xx and redirects are answers, not errors."""
        data, headers = body, dict(headers or {})
        if isinstance(body, dict):
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        url = path if path.startswith("http") else self.base_url + path
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, body=None, **kw):
        return self.request("POST", path, body if body is not None else b"", **kw)

    def json(self, method: str, path: str, body=None) -> tuple:
        status, _headers, data = self.request(method, path, body)
        return status, json.loads(data) if data else None

    def start_class(self) -> str:
        status, headers, _ = self.post("/class")
        assert status == 303, status
        return headers["Location"].rstrip("/").rsplit("/", 1)[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
