"""Static files as sixty phones on one Wi-Fi want them: compressed once, under names that carry a
hash of their content, cached for a year.

At start, build() puts every file of static/ into build/static/ under a hashed name
(style.css -> style.3f2a9c0d1b7e.css) with its gzip and brotli versions beside it (WhiteNoise's
compressors, level 9 and 11), writing only what is missing, each file by a rename so processes
starting together never read half of one. A stylesheet's url("fonts/x.woff2") is rewritten to the
hashed name first, so the fonts are cached too. `url_for('static', filename='style.css')` gives the
hashed address (a url_defaults callback: templates name the plain file), and WhiteNoise, wrapped
around the WSGI app (so inside web/buffered_rsgi.py's adapter), serves those addresses: the
encoding the browser accepts, `Cache-Control: max-age=31536000, public, immutable`, ETag and 304,
and the security headers Flask would add. A changed file gets a new name, so nothing stale is ever
used. Any other /static/ address (the plain names) is still Flask's own route, `no-cache`.
"""

import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

HASH_LENGTH = 12
YEAR = 365 * 24 * 3600
CSS_URL = re.compile(rb'url\("([^":)]+)"\)')  # url("fonts/x.woff2"): relative, no scheme
COMPRESSOR = Compressor(quiet=True)  # its list of already compressed kinds (woff2, png, ...) is skipped


def hashed_name(name: str, data: bytes) -> str:
    """fonts/x.woff2 -> fonts/x.<first 12 hex digits of sha256>.woff2"""
    path = Path(name)
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    return path.with_name(f"{path.stem}.{digest}{path.suffix}").as_posix()


def with_hashed_urls(css: bytes, name: str, manifest: dict) -> bytes:
    """A stylesheet whose url("...") of other static files name their hashed versions."""
    folder = Path(name).parent

    def hashed(match: re.Match) -> bytes:
        target = (folder / match.group(1).decode()).as_posix()
        if target not in manifest:
            return match.group(0)
        return b'url("%s")' % os.path.relpath(manifest[target], folder).encode()

    return CSS_URL.sub(hashed, css)


def compressed_versions(name: str, data: bytes) -> dict:
    """{".br": ..., ".gz": ...}: those that save at least 5 % (WhiteNoise's rule); none for a woff2 or a PNG."""
    if not COMPRESSOR.should_compress(name):
        return {}
    versions = {".gz": COMPRESSOR.compress_gzip(data)}
    if COMPRESSOR.use_brotli:
        versions[".br"] = COMPRESSOR.compress_brotli(data)
    return {suffix: packed for suffix, packed in versions.items() if len(packed) <= 0.95 * len(data)}


def write_whole(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def build(source: Path, target: Path) -> dict:
    """{name: hashed name} for every file under source, each written to target with its compressed
    versions unless already there (the file itself last: when it exists, so do they)."""
    manifest = {}
    files = sorted((path for path in source.rglob("*") if path.is_file()), key=lambda p: (p.suffix == ".css", p))
    for path in files:
        name = path.relative_to(source).as_posix()
        data = path.read_bytes()
        if path.suffix == ".css":
            data = with_hashed_urls(data, name, manifest)
        manifest[name] = hashed_name(name, data)
        built = target / manifest[name]
        if not built.exists():
            for suffix, packed in compressed_versions(name, data).items():
                write_whole(built.with_name(built.name + suffix), packed)
            write_whole(built, data)
    return manifest


class HashedFiles(WhiteNoise):
    """WhiteNoise whose immutable files are kept a year (its own "forever" is ten)."""

    FOREVER = YEAR


def init_app(app: Flask, add_headers) -> None:
    """Build the hashed files, point url_for('static', ...) at them, and serve them with WhiteNoise;
    add_headers(headers) puts the security headers on each file's answer."""
    target = Path(app.config["STATIC_BUILD_DIR"])
    manifest = build(Path(app.static_folder), target)

    @app.url_defaults
    def hashed_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    app.wsgi_app = HashedFiles(
        app.wsgi_app,
        root=target,
        prefix=app.static_url_path,
        max_age=None,
        allow_all_origins=False,
        immutable_file_test=lambda _path, _url: True,  # every file there carries its hash
        add_headers_function=lambda headers, _path, _url: add_headers(headers),
    )
    app.extensions["static_manifest"] = manifest
