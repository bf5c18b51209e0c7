"""`python -m training download`: fetch the four official MNIST files, each checked against its md5.

A file is written under its own name only once its md5 is right: it is downloaded to a hidden
temporary file in the same folder and then renamed, so no run, failed or interrupted, leaves a
partial file behind, and a file already there with the right md5 is not fetched again.
"""

import argparse
import hashlib
import http.client
import os
import secrets
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import TextIO

from nn.mnist import PROJECT_DATA

# torchvision's mirror of the files from yann.lecun.com, byte for byte.
DEFAULT_MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
CHUNK = 64 * 1024


class DownloadError(Exception):
    """A file could not be fetched or is not the expected file; the message says which and why."""


def file_md5(path: Path) -> str:
    """The md5 hex digest of a file, read in chunks so a large file never sits in memory."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _describe(exc: BaseException, timeout: float) -> str:
    """A short, human reason for a network failure."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP error {exc.code} {exc.reason}"
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return f"timed out (no answer for {timeout:g} s)"
    if isinstance(reason, socket.gaierror):
        return f"host not found ({reason})"
    if isinstance(reason, http.client.IncompleteRead | ConnectionError):
        return f"connection broken ({reason!r})"
    return f"cannot download ({reason})"


class _Progress:
    """Bytes and percent: redrawn in place on a terminal, one line per quarter in a log."""

    def __init__(self, stream: TextIO | None, name: str, total: int | None):
        self.stream, self.name, self.total = stream, name, total
        self.tty = stream is not None and stream.isatty()
        self.shown = None
        self.open_line = False

    def update(self, done: int) -> None:
        if self.stream is None:
            return
        if self.total:
            percent = 100 * done // self.total
            step = percent if self.tty else percent // 25
            text = f"{self.name}: {done:,} / {self.total:,} bytes {percent:3d}%"
        else:
            step = done >> (20 if self.tty else 22)
            text = f"{self.name}: {done:,} bytes"
        if step == self.shown:
            return
        self.shown = step
        if self.tty:
            self.stream.write("\r" + text)
            self.open_line = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the line redrawn in place, so that what follows starts on a line of its own."""
        if self.open_line:
            self.stream.write("\n")
            self.stream.flush()
            self.open_line = False


def download_file(url: str, dest: Path, md5: str, timeout: float = 30.0, progress: TextIO | None = None) -> None:
    """Fetch url into dest if its md5 is right; on any failure dest is untouched and no
    temporary file is left. Network faults raise DownloadError, local ones OSError."""
    dest = Path(dest)
    # Not tempfile.mkstemp: its files are private (0600), and the rename would keep that.
    temp_name = dest.parent / f".{dest.name}.{secrets.token_hex(4)}.part"
    out = open(temp_name, "xb")
    try:
        with out:
            try:
                response = urllib.request.urlopen(url, timeout=timeout)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                if isinstance(exc, urllib.error.HTTPError):
                    exc.close()  # it holds the connection open
                raise DownloadError(f"{url}: {_describe(exc, timeout)}") from exc
            with response:
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                shown = _Progress(progress, dest.name, total)
                digest, done = hashlib.md5(), 0
                try:
                    shown.update(0)
                    while True:
                        try:
                            chunk = response.read(CHUNK)
                        except (OSError, http.client.HTTPException) as exc:
                            raise DownloadError(f"{url}: {_describe(exc, timeout)} after {done:,} bytes") from exc
                        if not chunk:
                            break
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        shown.update(done)
                finally:
                    shown.finish()
        if total is not None and done != total:
            raise DownloadError(f"{url}: connection closed after {done:,} of {total:,} bytes")
        found = digest.hexdigest()
        if found != md5:
            raise DownloadError(
                f"{dest.name}: md5 mismatch: the {done:,} bytes from {url} have md5 {found}, expected {md5}; not saved"
            )
        os.replace(temp_name, dest)
    except BaseException:
        # Includes KeyboardInterrupt: a half-written file must never stay behind.
        temp_name.unlink(missing_ok=True)
        raise


def download(
    out_dir: Path = PROJECT_DATA,
    mirror: str = DEFAULT_MIRROR,
    names: list | None = None,
    md5s: dict | None = None,
    timeout: float = 30.0,
    progress: TextIO | None = None,
) -> dict:
    """Fetch each of `names` (default: every file in md5s, the official MNIST table) from the
    mirror into out_dir, reporting on `progress` (e.g. sys.stderr; None is quiet). Returns
    {name: "present" | "downloaded"}; raises DownloadError at the first file that fails.
    md5s is a parameter so that tests can serve files of their own."""
    md5s = MD5 if md5s is None else md5s
    names = list(md5s) if names is None else list(names)
    unknown = [name for name in names if name not in md5s]
    if unknown:
        raise DownloadError(f"unknown file {', '.join(unknown)}; known: {', '.join(md5s)}")
    out_dir = Path(out_dir)
    result = {}
    for name in names:
        dest = out_dir / name
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            if dest.is_file():
                found = file_md5(dest)
                if found == md5s[name]:
                    _say(progress, f"{name}: already present, md5 ok")
                    result[name] = "present"
                    continue
                _say(progress, f"{name}: present with md5 {found}, expected {md5s[name]}; downloading again")
            download_file(mirror.rstrip("/") + "/" + name, dest, md5s[name], timeout, progress)
        except OSError as exc:
            raise DownloadError(f"{dest}: cannot write ({exc})") from exc
        result[name] = "downloaded"
    return result


def _say(stream: TextIO | None, text: str) -> None:
    if stream is not None:
        print(text, file=stream, flush=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=PROJECT_DATA, help=f"folder to write to (default {PROJECT_DATA})")
    parser.add_argument(
        "--mirror",
        default=DEFAULT_MIRROR,
        help=f"base URL holding the four files (default {DEFAULT_MIRROR}); file:// works too",
    )
    parser.add_argument(
        "--only", nargs="+", choices=list(MD5), metavar="NAME", help=f"fetch only these files, of: {', '.join(MD5)}"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the server (default 30)")


def run(args: argparse.Namespace) -> int:
    try:
        result = download(args.out, args.mirror, args.only, timeout=args.timeout, progress=sys.stderr)
    except DownloadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; no partial file was kept", file=sys.stderr)
        return 130
    fetched = sum(1 for status in result.values() if status == "downloaded")
    print(f"{len(result)} file(s) in {args.out}, {fetched} downloaded, md5 checked", file=sys.stderr)
    return 0
