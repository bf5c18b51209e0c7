"""web/buffered_rsgi.py: the Flask app over RSGI, each body read whole first. The RSGI side is
driven here by hand (a scope and a protocol as granian passes them); tests/test_serving.py runs
it for real under granian with slow and stalled clients."""

import asyncio
import concurrent.futures
import json
import types

from flask import Flask
from flask import request
from granian.rsgi import ProtocolClosed

from tests.digits import digit_png
from web.buffered_rsgi import BufferedWSGI
from web.buffered_rsgi import environ


def echo_app(limit: int = 1000) -> Flask:
    """A Flask app that answers what it was sent."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = limit

    @app.route("/<path:path>", methods=["GET", "POST"])
    def echo(path):
        data = request.get_data()
        return {
            "path": path,
            "args": request.args.to_dict(flat=False),
            "length": len(data),
            "data": data.decode("latin-1")[:50],
            "accept": request.headers.get("Accept"),
            "remote": request.remote_addr,
            "scheme": request.scheme,
        }

    return app


class Headers:
    """RSGI's headers: (name, value) strings, names lowercased, repeats kept."""

    def __init__(self, pairs: tuple):
        self.pairs = [(name.lower(), value) for name, value in pairs]

    def items(self) -> list:
        return self.pairs


def scope(path: str = "/x", method: str = "GET", query: str = "", headers: tuple = ()):
    """An RSGI HTTP scope as granian makes it (the path percent-decoded, the query as sent)."""
    return types.SimpleNamespace(
        proto="http",
        http_version="1.1",
        method=method,
        scheme="http",
        path=path,
        query_string=query,
        headers=Headers(headers),
        client="192.0.2.7:50000",
        server="127.0.0.1:5000",
    )


class Protocol:
    """RSGI's request protocol: the body awaited whole or piece by piece (a None piece: the
    client disconnects there); the answer recorded."""

    def __init__(self, chunks: list):
        self.chunks = chunks
        self.received = []
        self.answer = None

    async def __call__(self) -> bytes:
        return b"".join([piece async for piece in self])

    async def __aiter__(self):
        for chunk in self.chunks:
            if chunk is None:
                raise ProtocolClosed("the client went away")
            self.received.append(chunk)
            yield chunk

    def response_bytes(self, status: int, headers: list, body: bytes) -> None:
        self.answer = (status, dict(headers), body)


def serve(app: Flask, request_scope, chunks: list) -> tuple:
    """(status, headers dict, body bytes, pieces of the body read) of one request whose body
    arrives in `chunks`."""
    proto = Protocol(chunks)
    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, BufferedWSGI(app).__rsgi__(request_scope, proto)).result()
    status, headers, body = proto.answer or (None, {}, b"")
    return status, headers, body, proto.received


def test_a_body_in_pieces_reaches_the_app_whole():
    request_scope = scope(method="POST", headers=(("Content-Length", "6"),))
    status, headers, body, _ = serve(echo_app(), request_scope, [b"ab", b"cd", b"ef"])
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["length"] == 6 and json.loads(body)["data"] == "abcdef"


def test_path_query_headers_and_client_reach_the_app():
    request_scope = scope(
        "/caf\u00e9/x", query="a=1&a=2&b=%3Cs%3E", headers=(("Accept", "text/html"), ("Accept", "*/*"))
    )
    answer = json.loads(serve(echo_app(), request_scope, [b""])[2])
    assert answer["path"] == "caf\u00e9/x"
    assert answer["args"] == {"a": ["1", "2"], "b": ["<s>"]}
    assert answer["accept"] == "text/html,*/*"  # repeated headers joined, as WSGI servers do
    assert answer["remote"] == "192.0.2.7" and answer["scheme"] == "http"


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body():
    request_scope = scope(method="POST", headers=(("Content-Length", "5000"),))
    status, _, _, received = serve(echo_app(limit=1000), request_scope, [b"x" * 100] * 50)
    assert status == 413
    assert received == []  # not one piece of the body was waited for


def test_an_undeclared_body_over_the_limit_is_read_only_to_the_limit_and_refused():
    chunked = scope(method="POST", headers=(("Transfer-Encoding", "chunked"),))
    status, _, _, received = serve(echo_app(limit=1000), chunked, [b"x" * 300] * 20)
    assert status == 413
    assert len(received) == 4  # 1200 bytes: one piece past the limit, not all twenty


def test_a_request_without_length_or_chunks_has_no_body_to_wait_for():
    for headers in ((), (("Content-Length", "12abc"),)):  # hyper refuses a malformed length; by hand here
        status, _, body, received = serve(echo_app(), scope(method="POST", headers=headers), [b"abc"])
        assert status == 200 and json.loads(body)["length"] == 0 and received == []


def test_a_client_that_leaves_gets_no_answer_and_the_app_does_not_run():
    calls = []
    app = echo_app()
    app.before_request(lambda: calls.append(1))
    status, _, _, _ = serve(app, scope(method="POST", headers=(("Content-Length", "10"),)), [b"ab", None])
    assert status is None and calls == []


def test_the_real_app_reads_a_drawing_through_the_adapter(real_client):
    app = real_client.application
    png = digit_png("7")
    headers = (("Content-Type", "image/png"), ("Content-Length", str(len(png))))
    request_scope = scope("/api/predict", "POST", "model=book", headers)
    status, _, body, _ = serve(app, request_scope, [png[:100], png[100:]])
    assert status == 200 and json.loads(body)["digit"] == 7


def test_environ_keeps_bytes_as_latin1_strings():
    env = environ(scope("/\u00e9", headers=(("X-Name", "cafe"),)))
    assert env["PATH_INFO"] == "/\u00c3\u00a9"  # UTF-8 bytes as latin-1 characters (PEP 3333)
    assert env["HTTP_X_NAME"] == "cafe" and env["SERVER_PORT"] == "5000" and env["REMOTE_PORT"] == "50000"
    assert env["wsgi.input"].read() == b""
