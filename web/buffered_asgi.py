"""The Flask app served over ASGI, each request's body read whole before the app runs.

granian gives a WSGI app a request as soon as its head has arrived and lets the app read the body
from the connection: a phone whose upload stalls on a classroom's Wi-Fi would hold a worker, which
reads one drawing at a time, for as long as the upload takes (and thirty of them every worker).
Over ASGI the body arrives as awaited messages, so a worker waits for slow bodies without holding
anything. This adapter awaits the whole body (at most MAX_CONTENT_LENGTH + 1 bytes: beyond that
Flask answers 413 anyway), then runs the app on it in the worker's thread. A reading is CPU work
that would not yield if it ran elsewhere; the event loop only ever waits on clients.
"""

import io
import sys

from flask import Flask

ENCODING = "latin-1"  # WSGI's strings carry bytes as latin-1 (PEP 3333)


class BufferedWSGI:
    """An ASGI application (HTTP only, no lifespan) that serves a Flask app."""

    def __init__(self, app: Flask):
        self.app = app
        self.limit = app.config["MAX_CONTENT_LENGTH"]

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] != "http":
            return
        env = environ(scope, b"")
        declared = env.get("CONTENT_LENGTH", "")
        if not (declared.isdigit() and int(declared) > self.limit):  # else Flask answers 413 from the header
            body = await self.read_body(receive)
            if body is None:  # the client went away
                return
            env["wsgi.input"] = io.BytesIO(body)
            env["CONTENT_LENGTH"] = str(len(body))  # what arrived, chunked or not: over the limit, a 413
        response = Response()
        chunks = self.app(env, response.start)
        try:
            content = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        await send({"type": "http.response.start", "status": response.status, "headers": response.headers})
        await send({"type": "http.response.body", "body": content})

    async def read_body(self, receive) -> bytes | None:
        """The whole body, or its first limit + 1 bytes or more; None if the client left."""
        parts, size = [], 0
        while size <= self.limit:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            parts.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(parts)


class Response:
    """What the app passed to start_response, as ASGI wants it."""

    status = 500
    headers: list = []

    def start(self, status: str, headers: list, exc_info=None) -> None:
        self.status = int(status.split(" ", 1)[0])
        self.headers = [(name.lower().encode(ENCODING), value.encode(ENCODING)) for name, value in headers]


def environ(scope: dict, body: bytes) -> dict:
    """The WSGI environ of an ASGI HTTP scope whose body has been read (PEP 3333's keys; repeated
    headers joined with commas)."""
    server_name, server_port = scope.get("server") or ("localhost", 80)
    result = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", "").encode().decode(ENCODING),
        "PATH_INFO": scope["path"].encode().decode(ENCODING),
        "QUERY_STRING": scope["query_string"].decode(ENCODING),
        "SERVER_NAME": server_name,
        "SERVER_PORT": str(server_port),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,  # the stream ends where the body does, with or without a length
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if scope.get("client"):
        result["REMOTE_ADDR"], port = scope["client"]
        result["REMOTE_PORT"] = str(port)
    for name, value in scope["headers"]:
        key = name.decode(ENCODING).upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        value = value.decode(ENCODING)
        result[key] = f"{result[key]},{value}" if key in result else value
    return result
