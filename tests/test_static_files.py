"""What a phone on a crowded Wi-Fi downloads. web/static_files.py: static files under content-hashed
names, compressed once (gzip and brotli), cached for a year, served by WhiteNoise inside the app (and
so inside web/buffered_rsgi.py's adapter). Pages and fragments: gzipped app-wide (web.render.compress)."""

import gzip
import re

import brotli
import pytest

from tests.conftest import ROOT
from tests.helpers import HTMX
from tests.test_buffered_rsgi import scope
from tests.test_buffered_rsgi import serve
from web.static_files import build
from web.static_files import hashed_name

IMMUTABLE = "max-age=31536000, public, immutable"


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "static"
    (folder / "fonts").mkdir(parents=True)
    (folder / "fonts" / "face.woff2").write_bytes(bytes(range(256)) * 8)  # already compressed: left as it is
    (folder / "app.js").write_text("const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];\n" * 50)
    (folder / "style.css").write_text('@font-face { src: url("fonts/face.woff2"); }\nbody { margin: 0; }\n' * 20)
    return folder


def test_build_writes_hashed_files_with_compressed_versions(source, tmp_path):
    target = tmp_path / "built"
    manifest = build(source, target)
    assert manifest["app.js"] == hashed_name("app.js", (source / "app.js").read_bytes())
    assert re.fullmatch(r"app\.[0-9a-f]{12}\.js", manifest["app.js"])
    assert re.fullmatch(r"fonts/face\.[0-9a-f]{12}\.woff2", manifest["fonts/face.woff2"])
    script = target / manifest["app.js"]
    assert script.read_bytes() == (source / "app.js").read_bytes()
    assert gzip.decompress((target / (manifest["app.js"] + ".gz")).read_bytes()) == script.read_bytes()
    assert brotli.decompress((target / (manifest["app.js"] + ".br")).read_bytes()) == script.read_bytes()
    assert not list(target.glob("fonts/*.gz")) and not list(target.glob("fonts/*.br"))
    css = (target / manifest["style.css"]).read_text()
    assert f'url("{manifest["fonts/face.woff2"]}")' in css and 'url("fonts/face.woff2")' not in css
    assert manifest["style.css"] == hashed_name("style.css", css.encode())  # the hash of what is served


def test_build_writes_only_what_changed(source, tmp_path):
    target = tmp_path / "built"
    first = build(source, target)
    written = {path: path.stat().st_mtime_ns for path in target.rglob("*") if path.is_file()}
    (source / "fonts" / "face.woff2").write_bytes(b"another font")
    second = build(source, target)
    assert second["app.js"] == first["app.js"]
    assert second["fonts/face.woff2"] != first["fonts/face.woff2"]
    assert second["style.css"] != first["style.css"]  # it names the font, so its content changed too
    assert all(path.stat().st_mtime_ns == mtime for path, mtime in written.items())  # nothing rewritten
    assert (target / first["style.css"]).exists()  # the old names still answer, for pages already out


def test_pages_name_the_hashed_files(client):
    manifest = client.application.extensions["static_manifest"]
    html = client.get("/").get_data(as_text=True)
    for name in ("style.css", "canvas.js", "vendor/htmx-4.0.1/htmx.min.js"):
        assert f'"/static/{manifest[name]}"' in html
    assert not re.search(r'"/static/[\w/.-]*?(?<![0-9a-f]{12})\.(css|js)"', html)  # no plain name left


@pytest.mark.parametrize(
    ("accepts", "encoding", "decompress"),
    [("gzip, deflate, br", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress), ("", None, bytes)],
)
def test_a_hashed_file_is_compressed_and_kept_a_year(client, accepts, encoding, decompress):
    manifest = client.application.extensions["static_manifest"]
    response = client.get(f"/static/{manifest['vendor/htmx-4.0.1/htmx.min.js']}", headers={"Accept-Encoding": accepts})
    body = response.get_data()
    response.close()
    original = (ROOT / "static" / "vendor" / "htmx-4.0.1" / "htmx.min.js").read_bytes()
    assert response.status_code == 200 and response.headers.get("Content-Encoding") == encoding
    assert decompress(body) == original and (encoding is None or len(body) < len(original) / 2)
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.mimetype == "text/javascript"


def test_a_hashed_file_carries_the_security_headers_of_a_page(client):
    page = client.get("/")
    name = client.application.extensions["static_manifest"]["style.css"]
    response = client.get(f"/static/{name}")
    response.close()
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy"):
        assert response.headers[header] == page.headers[header], header
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_hashed_file_answers_304_to_its_etag(client):
    name = client.application.extensions["static_manifest"]["canvas.js"]
    first = client.get(f"/static/{name}")
    first.close()
    again = client.get(f"/static/{name}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_a_plain_name_is_still_served_by_flask(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    response.close()


def test_the_rsgi_adapter_serves_the_hashed_files(app):
    """What granian serves: WhiteNoise sits inside BufferedWSGI."""
    name = app.extensions["static_manifest"]["canvas.js"]
    request = scope(f"/static/{name}", headers=(("Accept-Encoding", "br"),))
    status, headers, body, _ = serve(app, request, [b""])
    assert status == 200 and headers["Content-Encoding"] == "br" and headers["Cache-Control"] == IMMUTABLE
    assert brotli.decompress(body) == (ROOT / "static" / "canvas.js").read_bytes()


def test_pages_are_gzipped_app_wide_small_answers_and_json_are_not(client):
    code = client.post("/class").headers["Location"].rsplit("/", 1)[1]
    for path in ("/", f"/c/{code}", "/learn"):
        plain = client.get(path)
        zipped = client.get(path, headers={"Accept-Encoding": "gzip, deflate"})
        assert "Content-Encoding" not in plain.headers
        assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
        assert gzip.decompress(zipped.data) == plain.data and len(zipped.data) < len(plain.data) / 2
    small = client.post("/read", data={"image": ""}, headers=HTMX | {"Accept-Encoding": "gzip"})
    assert len(small.data) < 1400 and "Content-Encoding" not in small.headers
    assert "Content-Encoding" not in client.get("/api/models", headers={"Accept-Encoding": "gzip"}).headers
    client.application.extensions["classroom_store"].dispose()
