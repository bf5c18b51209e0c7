"""The Flask app served over granian's RSGI interface, each request's body read whole before the
app runs.

granian gives a WSGI app a request as soon as its head has arrived and lets the app read the body
from the connection: a phone whose upload stalls on a classroom's Wi-Fi would hold a worker, which
reads one drawing at a time, for as long as the upload takes (and thirty of them every worker).
Over RSGI the body is awaited, so a worker waits for slow bodies without holding anything. This
adapter awaits the whole body (granian reads it; a body without a declared length is streamed,
at most MAX_CONTENT_LENGTH + 1 bytes of it; a declared length over that is answered 413 by Flask
without reading), then runs the app on it in the worker's thread: a reading is CPU work that would
not yield if it ran elsewhere, and the event loop only ever waits on clients. RSGI rather than
ASGI: one await a request instead of three, measurably cheaper (notes/serving.md).
"""

import io
import sys

from flask import Flask
from granian.rsgi import ProtocolClosed
from granian.rsgi import ProtocolError

ENCODING = "latin-1"  # WSGI's strings carry bytes as latin-1 (PEP 3333)


class BufferedWSGI:
    """An RSGI application (HTTP only) that serves a Flask app."""

    def __init__(self, app: Flask):
        self.app = app
        self.limit = app.config["MAX_CONTENT_LENGTH"]

    async def __rsgi__(self, scope, proto) -> None:
        if scope.proto != "http":
            return
        env = environ(scope)
        declared = env.get("CONTENT_LENGTH", "")
        if declared.isdigit() and int(declared) > self.limit:
            pass  # Flask answers 413 from the header; the body is never read
        elif declared.isdigit() or "HTTP_TRANSFER_ENCODING" in env:  # else the request has no body
            try:
                body = await proto() if declared.isdigit() else await self.read_stream(proto)
            except (ProtocolClosed, ProtocolError):  # the client went away
                return
            env["wsgi.input"] = io.BytesIO(body)
            env["CONTENT_LENGTH"] = str(len(body))  # what arrived, chunked or not: over the limit, a 413
            env.pop("HTTP_TRANSFER_ENCODING", None)  # no longer chunked: a body of that length
        response = Response()
        chunks = self.app(env, response.start)
        try:
            content = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        proto.response_bytes(response.status, response.headers, content)

    async def read_stream(self, proto) -> bytes:
        """A body of no declared length, up to its first limit + 1 bytes or a little more."""
        parts, size = [], 0
        async for chunk in proto:
            parts.append(chunk)
            size += len(chunk)
            if size > self.limit:
                break
        return b"".join(parts)


class Response:
    """What the app passed to start_response."""

    status = 500
    headers: list = []

    def start(self, status: str, headers: list, exc_info=None) -> None:
        self.status = int(status.split(" ", 1)[0])
        self.headers = headers


def host_and_port(address: str) -> tuple:
    """ "127.0.0.1:5000" or "[::1]:5000" -> (host, port)."""
    host, _, port = address.rpartition(":")
    return host.strip("[]"), port


def environ(scope) -> dict:
    """The WSGI environ of an RSGI HTTP scope, body not yet read (PEP 3333's keys; repeated
    headers joined with commas)."""
    server_name, server_port = host_and_port(scope.server)
    remote_addr, remote_port = host_and_port(scope.client)
    result = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": scope.path.encode().decode(ENCODING),
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": server_name,
        "SERVER_PORT": server_port,
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": remote_addr,
        "REMOTE_PORT": remote_port,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.scheme,
        "wsgi.input": io.BytesIO(),
        "wsgi.input_terminated": True,  # the stream ends where the body does, with or without a length
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in scope.headers.items():
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        result[key] = f"{result[key]},{value}" if key in result else value
    return result
