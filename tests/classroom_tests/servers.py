"""Real `python app.py` servers for the classroom tests and bench: start one on a free port with
its own instance folder and database URL, kill it (its whole process group), talk to it with a
cookie-keeping client (a browser's session, a phone's device id)."""

import http.cookiejar
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    import socket

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
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"did not answer in {seconds} s")


class AppServer:
    """`python app.py --port N` in its own process group, logging to folder/server-N.log."""

    def __init__(self, folder: Path, database_url: str | None = None, port: int | None = None, args=(), env=None):
        self.folder = Path(folder)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | {"DIGITS_INSTANCE_PATH": str(self.folder / "instance")} | (env or {})
        if database_url:
            env["DIGITS_DATABASE_URL"] = database_url
        self.log = self.folder / f"server-{self.port}.log"
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "app.py"), "--port", str(self.port), *args],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # kill() takes any worker processes along
            )
        self.wait_ready()

    def wait_ready(self, seconds: float = 60) -> None:
        try:
            wait_until_up(
                self.process, lambda: urllib.request.urlopen(self.url + "/api/models", timeout=2).close(), seconds
            )
        except RuntimeError as exc:
            self.kill()
            raise RuntimeError(f"the app {exc}: {self.log.read_text()}") from None

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
