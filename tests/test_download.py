"""training.download for real: an HTTP server on 127.0.0.1 (ephemeral port) serves files made here."""

import hashlib
import http.server
import io
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from nn.mnist import PROJECT_DATA
from training.download import MD5
from training.download import DownloadError
from training.download import download

ROOT = Path(__file__).resolve().parent.parent
GOOD = bytes(range(256)) * 1200  # 300 kB: several chunks, so progress has steps to show
GOOD_MD5 = hashlib.md5(GOOD).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    """Answers from the server's `routes`: path -> (status, body), or a special behaviour."""

    def do_GET(self):
        self.server.requests.append(self.path)
        status, body = self.server.routes.get(self.path, (404, b"not found"))
        try:
            if status == "hang":
                # Headers, then silence until the test is over: the client must time out.
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.flush()
                self.server.release.wait(30)
                return
            self.send_response(200 if status == "short" else status)
            self.send_header("Content-Length", str(len(body) * (2 if status == "short" else 1)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as some tests make it do
        if status == "short":
            self.close_connection = True

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.routes, httpd.requests, httpd.release = {}, [], threading.Event()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def listing(folder: Path) -> list:
    """Every name in the folder, hidden temporary files included."""
    return sorted(path.name for path in folder.iterdir())


def test_good_file_is_downloaded_with_progress(server, tmp_path):
    server.routes["/a.gz"] = (200, GOOD)
    progress = io.StringIO()
    result = download(tmp_path, server.url, md5s={"a.gz": GOOD_MD5}, progress=progress)
    assert result == {"a.gz": "downloaded"}
    assert (tmp_path / "a.gz").read_bytes() == GOOD
    assert listing(tmp_path) == ["a.gz"]
    shown = progress.getvalue()
    assert f"{len(GOOD):,} / {len(GOOD):,} bytes 100%" in shown
    assert shown.startswith("a.gz: 0 / 307,200 bytes   0%\n")
    assert shown.count("\n") >= 3  # steps between 0% and 100%


def test_only_the_names_asked_for(server, tmp_path):
    server.routes["/a.gz"] = (200, GOOD)
    result = download(tmp_path, server.url, names=["a.gz"], md5s={"a.gz": GOOD_MD5, "b.gz": "0" * 32})
    assert result == {"a.gz": "downloaded"}
    assert server.requests == ["/a.gz"]


def test_mirror_without_trailing_slash(server, tmp_path):
    server.routes["/a.gz"] = (200, GOOD)
    download(tmp_path, server.url.rstrip("/"), md5s={"a.gz": GOOD_MD5})
    assert (tmp_path / "a.gz").read_bytes() == GOOD


def test_md5_mismatch_leaves_nothing(server, tmp_path):
    server.routes["/a.gz"] = (200, GOOD[:-1] + b"X")
    with pytest.raises(DownloadError, match=r"a\.gz: md5 mismatch") as caught:
        download(tmp_path, server.url, md5s={"a.gz": GOOD_MD5})
    assert GOOD_MD5 in str(caught.value)
    assert listing(tmp_path) == []


def test_failed_download_leaves_an_existing_file_untouched(server, tmp_path):
    (tmp_path / "a.gz").write_bytes(b"old content")
    server.routes["/a.gz"] = (200, b"also wrong")
    with pytest.raises(DownloadError, match="md5 mismatch"):
        download(tmp_path, server.url, md5s={"a.gz": GOOD_MD5})
    assert (tmp_path / "a.gz").read_bytes() == b"old content"
    assert listing(tmp_path) == ["a.gz"]


@pytest.mark.parametrize("status", [404, 500])
def test_http_error_is_named(server, tmp_path, status):
    if status != 404:
        server.routes["/a.gz"] = (status, b"oops")
    with pytest.raises(DownloadError, match=f"HTTP error {status}") as caught:
        download(tmp_path, server.url, md5s={"a.gz": GOOD_MD5})
    assert "a.gz" in str(caught.value)
    assert listing(tmp_path) == []


def test_file_already_present_is_skipped(server, tmp_path):
    (tmp_path / "a.gz").write_bytes(GOOD)
    progress = io.StringIO()
    result = download(tmp_path, server.url, md5s={"a.gz": GOOD_MD5}, progress=progress)
    assert result == {"a.gz": "present"}
    assert server.requests == []
    assert "already present" in progress.getvalue()


def test_file_present_with_wrong_md5_is_replaced(server, tmp_path):
    (tmp_path / "a.gz").write_bytes(b"stale")
    server.routes["/a.gz"] = (200, GOOD)
    assert download(tmp_path, server.url, md5s={"a.gz": GOOD_MD5}) == {"a.gz": "downloaded"}
    assert (tmp_path / "a.gz").read_bytes() == GOOD


def test_connection_closed_early(server, tmp_path):
    server.routes["/a.gz"] = ("short", GOOD)
    with pytest.raises(DownloadError, match=f"closed after {len(GOOD):,} of {2 * len(GOOD):,} bytes"):
        download(tmp_path, server.url, md5s={"a.gz": GOOD_MD5})
    assert listing(tmp_path) == []


def test_timeout(server, tmp_path):
    server.routes["/a.gz"] = ("hang", GOOD)
    with pytest.raises(DownloadError, match="timed out"):
        download(tmp_path, server.url, md5s={"a.gz": GOOD_MD5}, timeout=0.5)
    assert listing(tmp_path) == []


def test_connection_refused(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Nothing listens on the port now.
    with pytest.raises(DownloadError, match="connection refused"):
        download(tmp_path, f"http://127.0.0.1:{port}/", md5s={"a.gz": GOOD_MD5})
    assert listing(tmp_path) == []


def test_interrupt_removes_the_temporary_file(server, tmp_path):
    """Ctrl-C in the middle of a download: the half-written temporary file goes too."""

    class InterruptedAfterFirstLine(io.StringIO):
        def write(self, text):
            if self.tell():
                raise KeyboardInterrupt
            return super().write(text)

    server.routes["/a.gz"] = (200, GOOD)
    with pytest.raises(KeyboardInterrupt):
        download(tmp_path, server.url, md5s={"a.gz": GOOD_MD5}, progress=InterruptedAfterFirstLine())
    assert listing(tmp_path) == []


def test_unknown_name(tmp_path):
    with pytest.raises(DownloadError, match="unknown file c.gz"):
        download(tmp_path, "http://127.0.0.1:1/", names=["c.gz"], md5s={"a.gz": GOOD_MD5})


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "training", "download", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_cli_help():
    done = run_cli("--help")
    assert done.returncode == 0
    for option in ("--out", "--mirror", "--only", "--timeout"):
        assert option in done.stdout


def test_cli_downloads_a_real_mnist_file_with_the_official_md5(server, tmp_path):
    name = "t10k-labels-idx1-ubyte.gz"
    server.routes["/" + name] = (200, (PROJECT_DATA / name).read_bytes())
    done = run_cli("--out", str(tmp_path), "--mirror", server.url, "--only", name)
    assert done.returncode == 0, done.stderr
    assert hashlib.md5((tmp_path / name).read_bytes()).hexdigest() == MD5[name]
    assert "100%" in done.stderr
    assert listing(tmp_path) == [name]
    again = run_cli("--out", str(tmp_path), "--mirror", server.url, "--only", name)
    assert again.returncode == 0 and "already present" in again.stderr
    assert server.requests == ["/" + name]


def test_cli_error_exits_non_zero(server, tmp_path):
    done = run_cli("--out", str(tmp_path), "--mirror", server.url, "--only", "train-labels-idx1-ubyte.gz")
    assert done.returncode == 1
    assert "error:" in done.stderr and "HTTP error 404" in done.stderr
    assert listing(tmp_path) == []


def test_cli_rejects_an_unknown_name(tmp_path):
    done = run_cli("--out", str(tmp_path), "--only", "nonsense.gz")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr
