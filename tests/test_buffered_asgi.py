"""web/buffered_asgi.py: the Flask app over ASGI, each body read whole first. The ASGI side is
driven here by hand (the messages a server would send); tests/test_serving.py runs it for real
under granian with slow and stalled clients."""

import asyncio
import concurrent.futures
import json

from flask import Flask
from flask import request

from tests.digits import digit_png
from web.buffered_asgi import BufferedWSGI
from web.buffered_asgi import environ


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


def scope(path: str = "/x", method: str = "GET", query: bytes = b"", headers: tuple = ()) -> dict:
    return {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "query_string": query,
        "root_path": "",
        "headers": [(name.encode(), value.encode()) for name, value in headers],
        "client": ("192.0.2.7", 50000),
        "server": ("127.0.0.1", 5000),
    }


def serve(app: Flask, request_scope: dict, chunks: list) -> tuple:
    """(status, headers dict, body bytes, messages received) of one request whose body arrives in
    `chunks` (a None chunk: the client disconnects there)."""
    incoming = [
        {"type": "http.disconnect"}
        if chunk is None
        else {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    received, sent = [], []

    async def receive():
        message = incoming.pop(0)
        received.append(message)
        return message

    async def send(message):
        sent.append(message)

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, BufferedWSGI(app)(request_scope, receive, send)).result()
    if not sent:
        return None, {}, b"", received
    start, body = sent
    return start["status"], dict(start["headers"]), body["body"], received


def test_a_body_in_pieces_reaches_the_app_whole():
    status, headers, body, _ = serve(echo_app(), scope(method="POST"), [b"ab", b"cd", b"ef"])
    assert status == 200 and headers[b"content-type"] == b"application/json"
    assert json.loads(body)["length"] == 6 and json.loads(body)["data"] == "abcdef"


def test_path_query_headers_and_client_reach_the_app():
    request_scope = scope(
        "/caf\u00e9/x", query=b"a=1&a=2&b=%3Cs%3E", headers=(("Accept", "text/html"), ("Accept", "*/*"))
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
    status, _, _, received = serve(echo_app(limit=1000), scope(method="POST"), [b"x" * 300] * 20)
    assert status == 413
    assert len(received) == 4  # 1200 bytes: one piece past the limit, not all twenty


def test_a_malformed_length_is_the_length_that_arrived():
    request_scope = scope(method="POST", headers=(("Content-Length", "12abc"),))
    status, _, body, _ = serve(echo_app(), request_scope, [b"abc"])
    assert status == 200 and json.loads(body)["length"] == 3


def test_a_client_that_leaves_gets_no_answer_and_the_app_does_not_run():
    calls = []
    app = echo_app()
    app.before_request(lambda: calls.append(1))
    status, _, _, _ = serve(app, scope(method="POST"), [b"ab", None])
    assert status is None and calls == []


def test_the_real_app_reads_a_drawing_through_the_adapter(real_client):
    app = real_client.application
    request_scope = scope("/api/predict", "POST", b"model=book", (("Content-Type", "image/png"),))
    png = digit_png("7")
    status, _, body, _ = serve(app, request_scope, [png[:100], png[100:]])
    assert status == 200 and json.loads(body)["digit"] == 7


def test_environ_keeps_bytes_as_latin1_strings():
    env = environ(scope("/\u00e9", headers=(("X-Name", "caf\u00e9"),)), b"")
    assert env["PATH_INFO"] == "/\u00c3\u00a9"  # UTF-8 bytes as latin-1 characters (PEP 3333)
    assert env["HTTP_X_NAME"] == "caf\u00e9".encode().decode("latin-1")
    assert env["wsgi.input"].read() == b"" and env["SERVER_PORT"] == "5000"
