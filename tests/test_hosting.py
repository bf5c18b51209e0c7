"""Hosting a department's server (issue 17): behind a reverse proxy (--trusted-proxies, ProxyFix),
https (a Secure session cookie, HSTS), the session key from DIGITS_SECRET_KEY, GET /healthz.

The same with real servers, a real nginx terminating TLS and a real PostgreSQL is
tests/classroom_tests/test_department.py."""

import statistics
import time

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import EnvironBuilder

from app import create_app
from tests.conftest import ROOT
from web.classroom.join_address import qr_svg

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "digits.example.edu", "X-Forwarded-For": "203.0.113.9"}


def close_store(app) -> None:
    """Close the app's database connections (an unclosed one is a ResourceWarning, an error here)."""
    if "classroom_store" in app.extensions:
        app.extensions["classroom_store"].dispose()


@pytest.fixture
def app(tiny_models_dir, tmp_path):
    config = {"MODELS_DIR": str(tiny_models_dir), "DEFAULT_MODEL": "tiny", "INSTANCE_PATH": str(tmp_path / "instance")}
    app = create_app({"TESTING": True, **config})
    yield app
    close_store(app)


@pytest.fixture
def proxied_app(app):
    """The app behind one trusted proxy (TRUSTED_PROXIES set before init, as from the environment)."""
    proxied = create_app({**app.config, "TRUSTED_PROXIES": 1})
    yield proxied
    close_store(proxied)


def start_class(client, **kw) -> tuple:
    response = client.post("/class", **kw)
    assert response.status_code == 303
    return response.headers["Location"].rsplit("/", 1)[1], response


def session_cookie(response) -> str:
    return next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))


def test_behind_a_trusted_proxy_the_join_address_is_the_public_https_one(proxied_app):
    client = proxied_app.test_client()
    code, started = start_class(client, headers=FORWARDED)
    assert "; Secure" in session_cookie(started)
    assert started.headers["Strict-Transport-Security"] == "max-age=31536000"
    board = client.get(f"/class/{code}", headers=FORWARDED)
    html = board.get_data(as_text=True)
    url = f"https://digits.example.edu/c/{code}"
    assert f">{url}<" in html and qr_svg(url) in html  # the address shown and the one in the QR code
    assert board.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_without_the_flag_forwarded_headers_never_reach_the_join_address(client):
    forged = FORWARDED | {"X-Forwarded-Host": "evil.example"}
    code, started = start_class(client, headers=forged)
    assert "; Secure" not in session_cookie(started)
    assert "Strict-Transport-Security" not in started.headers
    html = client.get(f"/class/{code}", headers=forged).get_data(as_text=True)
    assert f">http://localhost/c/{code}<" in html and qr_svg(f"http://localhost/c/{code}") in html
    assert "evil.example" not in html and "https://" not in html


def test_plain_http_on_a_laptop_keeps_a_plain_cookie_and_no_hsts(client):
    _code, started = start_class(client)
    assert "; Secure" not in session_cookie(started) and "Strict-Transport-Security" not in started.headers
    assert "; Secure" in session_cookie(start_class(client, base_url="https://localhost")[1])  # https served directly


def test_trusted_proxies_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DIGITS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DIGITS_TRUSTED_PROXIES", "2")  # as `python app.py --trusted-proxies 2` writes it
    fixed = create_app().wsgi_app
    assert isinstance(fixed, ProxyFix) and (fixed.x_for, fixed.x_proto, fixed.x_host) == (2, 2, 2)
    monkeypatch.setenv("DIGITS_TRUSTED_PROXIES", "0")
    assert not isinstance(create_app().wsgi_app, ProxyFix)
    monkeypatch.setenv("DIGITS_TRUSTED_PROXIES", "some")
    with pytest.raises(ValueError, match="whole number"):
        create_app()


def test_the_session_key_comes_from_digits_secret_key(monkeypatch, tmp_path):
    """Two servers (own instance folders, one database) with one key share the lecturer's rights."""
    monkeypatch.setenv("DIGITS_SECRET_KEY", "1234")  # kept as written, not read as JSON (a number)
    monkeypatch.setenv("DIGITS_DATABASE_URL", f"sqlite:///{tmp_path / 'classes.sqlite3'}")
    one = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "one")})
    two = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "two")})
    assert one.config["SECRET_KEY"] == two.config["SECRET_KEY"] == "1234"
    assert not (tmp_path / "one" / "secret_key").exists()  # no key of its own is made
    lecturer = one.test_client()
    code, _ = start_class(lecturer)
    other = two.test_client()
    other.set_cookie("session", lecturer.get_cookie("session").value)
    assert other.get(f"/class/{code}/export.zip").status_code == 200
    assert two.test_client().get(f"/class/{code}/export.zip").status_code == 403
    close_store(one)
    close_store(two)


def test_healthz_answers_ok_without_a_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", ["sqlite:////no/such/folder/classes.sqlite3", "postgresql://digits@127.0.0.1:9/none"])
def test_healthz_answers_503_when_the_database_does_not(app, url):
    app.config["DATABASE_URL"] = url
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable"}


def test_healthz_takes_well_under_a_millisecond(app):
    environ = EnvironBuilder(path="/healthz").get_environ()
    answered = []
    app.test_client().get("/healthz")  # the database's schema and first connection

    def start_response(status, _headers, _exc_info=None):
        answered.append(status)

    times = []
    for _ in range(200):
        began = time.perf_counter()
        b"".join(app(dict(environ), start_response))
        times.append(time.perf_counter() - began)
    assert set(answered) == {"200 OK"}
    assert statistics.median(times) < 0.001, f"median {statistics.median(times) * 1000:.2f} ms"


@pytest.mark.parametrize("name", ["docs/nginx/digits.conf", "docs/systemd/digits@.service"])
def test_the_guide_shows_the_committed_files_line_for_line(name):
    """docs/deploy.md shows the nginx site file the department test runs and the systemd unit:
    every line of theirs, comments aside, is in the guide, so the two cannot drift apart."""
    guide = (ROOT / "docs" / "deploy.md").read_text()
    lines = [line.split("#", 1)[0].rstrip() for line in (ROOT / name).read_text().splitlines()]
    missing = [line for line in lines if line.strip() and line not in guide]
    assert not missing, f"docs/deploy.md does not show these lines of {name}: {missing}"
