"""Classroom mode: a lecturer starts a class, students draw on their phones, the board shows it all.

Lecturer: GET /class (start page), POST /class (start: a code, a secret in the signed session, a
redirect to the board), GET /class/<code> (the board; GET /class/<code>/live is its fragment, polled
every second, 304 while nothing changed), and, for the browser that started the class only,
POST .../drawings/<id>/hide|show, .../close, .../delete and GET .../export.zip (403 for others).
Students: GET /join, GET /c/<code> (the phone page), POST /c/<code> (a drawing from that page).
Scripts: POST /api/classes/<code>/drawings (JSON), GET /api/classes/<code>/drawings (the board as JSON).

Routes stay thin: the database is classroom.store's, the reading is web.reading's (decoded,
preprocessed and read once, then stored with its input, so nothing is recomputed later).
`python -m web.classes prune --older-than DAYS` deletes old classes.
"""

import argparse
import gzip
import io
import ipaddress
import os
import secrets
import socket
import sys
import time
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import segno
from flask import Blueprint
from flask import Flask
from flask import abort
from flask import current_app
from flask import g
from flask import jsonify
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import session
from flask import url_for
from PIL import Image

from classroom.export import export_zip
from classroom.store import Class
from classroom.store import ClassClosed
from classroom.store import ClassFull
from classroom.store import Limits
from classroom.store import NewDrawing
from classroom.store import Store
from classroom.store import TooFast
from classroom.store import Unavailable
from classroom.store import normal_code
from preprocess import PreprocessError
from web.drawing_input import BadDrawing
from web.drawing_input import image_bytes
from web.i18n import current_language
from web.i18n import gettext as _
from web.models import UnknownModel
from web.models import default_model_name
from web.models import get_model
from web.reading import read_drawing
from web.render import is_htmx
from web.render import page_or_fragment

lecturer = Blueprint("classes", __name__)
students = Blueprint("students", __name__)
api = Blueprint("classes_api", __name__, url_prefix="/api/classes")

DEVICE_COOKIE = "device"
SECRET_FILE = "secret_key"
SQLITE_FILE = "classes.sqlite3"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
OWNED_CLASSES_KEPT = 20  # the session (a cookie) remembers the secrets of this many classes


# --- setup --------------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Defaults (DIGITS_* environment variables and test_config win), the signing key, the routes."""
    for key, value in dict(
        CLASS_MAX_DRAWINGS=5000,
        CLASS_RATE_COUNT=10,  # drawings per device ...
        CLASS_RATE_SECONDS=10.0,  # ... in this many seconds
        CLASS_MAX_IMAGE_BYTES=512 * 1024,
        CLASS_GALLERY=120,  # the board shows the newest this many drawings
        CLASS_BOARD_FRESH_SECONDS=0.5,  # a board render is reused this long (see live_render)
        CLASS_PRUNE_DAYS=30,
        SESSION_COOKIE_SAMESITE="Lax",
    ).items():
        app.config.setdefault(key, value)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path))
    app.register_blueprint(lecturer)
    app.register_blueprint(students)
    app.register_blueprint(api)


def instance_secret(folder: Path) -> str:
    """The session signing key kept in the instance folder (never in the repository), made on
    first use; worker processes starting together all end up with the one that was written first."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SECRET_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _attempt in range(50):  # another process may be writing it this very moment
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it to make a new key") from None
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w") as out:
        out.write(key + "\n")
    return key


def database_url(app: Flask) -> str:
    """DATABASE_URL (DIGITS_DATABASE_URL), else a SQLite file in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        return url
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(app.instance_path) / SQLITE_FILE}"


def store() -> Store:
    """This process's Store, made on first use (so no connection is open before a fork)."""
    extensions = current_app.extensions
    if "classroom_store" not in extensions:
        extensions["classroom_store"] = Store(database_url(current_app))
    return extensions["classroom_store"]


def limits() -> Limits:
    config = current_app.config
    return Limits(config["CLASS_MAX_DRAWINGS"], config["CLASS_RATE_COUNT"], config["CLASS_RATE_SECONDS"])


# --- who is asking ------------------------------------------------------------------------------


def owner_secret(code: str) -> str | None:
    return session.get("classes", {}).get(code)


def is_owner(cls: Class) -> bool:
    return cls.owned_by(owner_secret(cls.code))


def remember_owner(code: str, secret: str) -> None:
    owned = dict(session.get("classes", {}))
    owned[code] = secret
    session["classes"] = dict(list(owned.items())[-OWNED_CLASSES_KEPT:])
    session.permanent = True  # survives closing the browser, for the next lecture's export


def device_id() -> str:
    """The device's id from its cookie; a new one (set on the response) for a first visit."""
    if "device" not in g:
        known = request.cookies.get(DEVICE_COOKIE, "")
        g.device = known if 16 <= len(known) <= 64 and known.isalnum() else secrets.token_hex(16)
        g.new_device = g.device != known
    return g.device


def with_device(response):
    """Hand a new device its id: the rate limit counts per device, never per network address."""
    if g.get("new_device"):
        response.set_cookie(DEVICE_COOKIE, g.device, max_age=365 * 24 * 3600, httponly=True, samesite="Lax")
    return response


def find_or_404(code: str) -> Class:
    cls = store().find_class(code)
    if cls is None:
        abort(404)
    return cls


def owned_or_403(code: str) -> Class:
    cls = find_or_404(code)
    if not is_owner(cls):
        abort(403)
    return cls


# --- the join address ---------------------------------------------------------------------------


@cache
def lan_address() -> str:
    """This machine's address on the local network, found without sending a packet: connect() on a
    UDP socket only picks the route and the local address; else the host name's addresses."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.254.254.254", 1))
            address = probe.getsockname()[0]
            if not ipaddress.ip_address(address).is_loopback and address != "0.0.0.0":
                return address
    except OSError:
        pass
    try:
        for *_rest, sockaddr in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            if not ipaddress.ip_address(sockaddr[0]).is_loopback:
                return sockaddr[0]
    except OSError:
        pass
    return "127.0.0.1"


def is_loopback(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def join_url(code: str) -> str:
    """http://<host>:<port>/c/<code> as students must type it: the address the board was opened
    with, except that a server listening on every interface (--host 0.0.0.0) opened as
    127.0.0.1 or localhost gives its LAN address, which phones can reach."""
    parts = urlsplit("//" + request.host)
    hostname = parts.hostname or "127.0.0.1"
    if current_app.config.get("LISTEN_HOST") in WILDCARD_HOSTS and is_loopback(hostname):
        hostname = lan_address()
    host = f"[{hostname}]" if ":" in hostname else hostname
    port = f":{parts.port}" if parts.port else ""
    return f"{request.scheme}://{host}{port}{url_for('students.student', code=code)}"


def qr_svg(url: str) -> str:
    """The join address as an inline SVG QR code (sized by CSS: the board shows it large)."""
    return segno.make(url, error="m").svg_inline(omitsize=True, border=2, dark="#000", light="#fff")


# --- submitting a drawing (the student page and the JSON API) ----------------------------------


class Refused(Exception):
    """A submission that is not stored: the HTTP status and what to tell the student."""

    def __init__(self, status: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


def as_png(data: bytes) -> bytes:
    """The image as PNG (the canvas sends PNG already; a JPEG or WebP from a script is converted)."""
    if data.startswith(PNG_SIGNATURE):
        return data
    buffer = io.BytesIO()
    Image.open(io.BytesIO(data)).save(buffer, format="PNG")
    return buffer.getvalue()


def intended_digit(value) -> int:
    text = str(value).strip() if value is not None else ""
    if len(text) != 1 or text not in "0123456789":
        raise Refused(400, _("Pick the digit you meant, 0 to 9."))
    return int(text)


def submit(code: str, intended) -> tuple:
    """Check, read once, store: (class, drawing id, reading). Refused says why not."""
    cls = store().find_class(code)
    if cls is None:
        raise Refused(404, _("There is no class with this code."))
    if not cls.is_open:
        raise Refused(409, _("This class is closed."))
    max_bytes = current_app.config["CLASS_MAX_IMAGE_BYTES"]
    if (request.content_length or 0) > max_bytes * 4 // 3 + 4096:  # base64 is 4/3 of the bytes
        raise Refused(413, _("The drawing is too large."))
    digit = intended_digit(intended)
    try:
        data = image_bytes(request)
        if len(data) > max_bytes:
            raise Refused(413, _("The drawing is too large."))
        try:
            model = get_model(cls.model)
        except UnknownModel:
            model = get_model(default_model_name())
        reading = read_drawing(data, model)
    except (BadDrawing, PreprocessError) as exc:
        raise Refused(400, str(exc)) from exc
    if reading.blank:
        raise Refused(400, _("Draw a digit first: the drawing is empty."))
    drawing = NewDrawing(
        intended=digit,
        predicted=reading.digit,
        confidence=reading.confidence,
        probabilities=reading.probabilities,
        model=model.name,
        x=reading.steps.mnist,
        png=as_png(data),
    )
    try:
        drawing_id = store().add_drawing(cls.id, device_id(), drawing, limits())
    except ClassClosed as exc:
        raise Refused(409, _("This class is closed.")) from exc
    except ClassFull as exc:
        raise Refused(429, _("This class has all the drawings it can hold.")) from exc
    except TooFast as exc:
        raise Refused(429, _("Too many drawings at once: wait a few seconds."), retry_after=5) from exc
    return cls, drawing_id, reading


# --- students -----------------------------------------------------------------------------------


@students.get("/join")
def join():
    typed = request.args.get("code")
    error = None
    if typed is not None:
        code = normal_code(typed)
        if store().find_class(code) is not None:
            return redirect(url_for("students.student", code=code))
        error = _("There is no class with this code.")
    response = make_response(render_template("class_join.html", error=error, typed=typed or ""))
    if error:
        response.status_code = 404
    return response


@students.get("/c/<code>")
def student(code: str):
    cls = store().find_class(code)
    if cls is None:
        return render_template("class_missing.html"), 404
    if cls.code != code:
        return redirect(url_for("students.student", code=cls.code))
    if not cls.is_open:
        return render_template("class_closed.html", cls=cls)
    device_id()
    return with_device(make_response(render_template("class_student.html", cls=cls, reading=None, error=None)))


@students.post("/c/<code>")
def student_submit(code: str):
    cls, drawing_id, reading, error, status = None, None, None, None, 201
    try:
        cls, drawing_id, reading = submit(code, request.form.get("intended"))
    except Refused as exc:
        error, status = exc.message, exc.status
    cls = cls or store().find_class(code)
    if cls is not None and not cls.is_open and not is_htmx():
        response = make_response(render_template("class_closed.html", cls=cls), 409)
    elif cls is None:
        response = make_response(render_template("class_missing.html"), 404)
    else:
        context = dict(cls=cls, reading=reading, drawing_id=drawing_id, error=error, closed=status == 409)
        response = page_or_fragment("class_student.html", "partials/class_result.html", **context)
        response.status_code = status
    return with_device(response)


# --- the JSON API -------------------------------------------------------------------------------


@api.post("/<code>/drawings")
def api_submit(code: str):
    body = request.get_json(silent=True) if request.mimetype == "application/json" else None
    intended = body.get("intended") if isinstance(body, dict) else request.args.get("intended")
    try:
        _cls, drawing_id, reading = submit(code, intended)
    except Refused as exc:
        response = jsonify(error=exc.message)
        response.status_code = exc.status
        if exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return with_device(response)
    response = jsonify(
        id=drawing_id,
        predicted=reading.digit,
        confidence=reading.confidence,
        probabilities=reading.probabilities,
        model=reading.model.name,
    )
    response.status_code = 201
    return with_device(response)


@api.get("/<code>/drawings")
def api_board(code: str):
    """What the board shows, as JSON: every visible drawing (newest first) and the counts."""
    cls = store().find_class(code)
    if cls is None:
        return jsonify(error=_("There is no class with this code.")), 404
    drawings = store().drawings_of(cls.id)
    confusion = store().confusion_of(cls.id)
    return jsonify(
        code=cls.code,
        open=cls.is_open,
        model=cls.model,
        total=confusion.total,
        correct=confusion.correct,
        drawings=[
            {"id": d.id, "intended": d.intended, "predicted": d.predicted, "confidence": d.confidence} for d in drawings
        ],
    )


# --- the lecturer -------------------------------------------------------------------------------


@lecturer.get("/class")
def start_page():
    owned = [cls for code in session.get("classes", {}) if (cls := store().find_class(code)) and is_owner(cls)]
    return render_template("class_start.html", owned=owned[::-1])


@lecturer.post("/class")
def start():
    secret = secrets.token_urlsafe(32)
    cls = store().new_class(default_model_name(), secret)
    remember_owner(cls.code, secret)
    return redirect(url_for("classes.board", code=cls.code), 303)


def board_context(cls: Class) -> dict:
    """Everything the board's live part shows, read from the database (never recomputed)."""
    try:
        model = get_model(cls.model)
    except UnknownModel:
        model = None
    confusion = store().confusion_of(cls.id)
    owner = is_owner(cls)
    return dict(
        cls=cls,
        owner=owner,
        drawings=store().drawings_of(cls.id, limit=current_app.config["CLASS_GALLERY"]),
        confusion=confusion,
        hidden_count=store().count_hidden(cls.id) if owner else 0,
        mnist_accuracy=(model.card.get("test_accuracy") if model else None),
        model_name=(model.card.get("name", cls.model) if model else cls.model),
        etag=board_etag(cls, owner),
    )


def board_etag(cls: Class, owner: bool) -> str:
    return f"v{cls.version}-{int(owner)}-{current_language()}"


@lecturer.get("/class/<code>")
def board(code: str):
    cls = find_or_404(code)
    if cls.code != code:
        return redirect(url_for("classes.board", code=cls.code))
    url = join_url(cls.code)
    return render_template("class_board.html", join_url=url, qr=qr_svg(url), **board_context(cls))


RENDERS_KEPT = 256


def renders() -> dict:
    """This app's recent live renders: (class id, owner, language) -> (version, time, etag, html)."""
    return current_app.extensions.setdefault("classroom_renders", {})


def live_render(cls: Class) -> tuple:
    """(etag, html, gzipped html) of the board's live part. A render is reused while the class has not changed,
    and for half a second even when it has: however many phones follow a busy class, a worker
    renders its board at most twice a second (a new drawing still shows within the 2 s promised).
    A cache of computed results, rebuilt by any worker; the database stays the only state."""
    owner = is_owner(cls)
    key, kept_renders = (cls.id, owner, current_language()), renders()
    kept = kept_renders.get(key)
    fresh = current_app.config["CLASS_BOARD_FRESH_SECONDS"]
    if kept and (kept[0] == cls.version or time.monotonic() - kept[1] < fresh):
        return kept[2:]
    etag = board_etag(cls, owner)
    html = render_template("partials/class_live.html", **board_context(cls))
    if len(kept_renders) >= RENDERS_KEPT:
        kept_renders.pop(next(iter(kept_renders)))
    # gzip: a busy board is about 130 kB of similar markup, 60 phones may follow it on one Wi-Fi
    kept_renders[key] = (cls.version, time.monotonic(), etag, html, gzip.compress(html.encode(), 5, mtime=0))
    return kept_renders[key][2:]


@lecturer.get("/class/<code>/live")
def live(code: str):
    """The board's live part. Polled every second with If-None-Match: 304 (htmx swaps nothing)
    until the class changes, so a quiet board costs one small query per second."""
    cls = store().find_class(code)
    if cls is None:
        return render_template("partials/class_gone.html"), 404  # no poll trigger: polling stops
    etag, html, compressed = live_render(cls)
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    elif "gzip" in request.accept_encodings:
        response = make_response(compressed)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = make_response(html)
    response.mimetype = "text/html"
    response.vary.add("Accept-Encoding")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Cookie")
    return response


def back_to_board(cls: Class):
    """htmx: the refreshed live part at once; without htmx: back to the board."""
    if is_htmx():
        renders().pop((cls.id, True, current_language()), None)  # the lecturer's own change shows at once
        return live_render(store().find_class(cls.code))[1]
    return redirect(url_for("classes.board", code=cls.code), 303)


@lecturer.post("/class/<code>/drawings/<int:drawing_id>/hide")
def hide(code: str, drawing_id: int):
    cls = owned_or_403(code)
    if not store().set_hidden(cls.id, drawing_id, True):
        abort(404)
    return back_to_board(cls)


@lecturer.post("/class/<code>/drawings/<int:drawing_id>/show")
def show(code: str, drawing_id: int):
    cls = owned_or_403(code)
    if not store().set_hidden(cls.id, drawing_id, False):
        abort(404)
    return back_to_board(cls)


@lecturer.post("/class/<code>/close")
def close(code: str):
    cls = owned_or_403(code)
    store().close_class(cls.id)
    return redirect(url_for("classes.board", code=cls.code), 303)


@lecturer.post("/class/<code>/delete")
def delete(code: str):
    cls = owned_or_403(code)
    store().delete_class(cls.id)
    owned = dict(session.get("classes", {}))
    owned.pop(cls.code, None)
    session["classes"] = owned
    return redirect(url_for("classes.start_page"), 303)


@lecturer.get("/class/<code>/export.zip")
def export(code: str):
    cls = owned_or_403(code)
    include_hidden = request.args.get("include_hidden") == "1"
    data = export_zip(store().export_drawings(cls.id, include_hidden=include_hidden))
    name = f"class-{cls.code}{'-all' if include_hidden else ''}.zip"
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name)


@lecturer.get("/class/<code>/drawings/<int:drawing_id>.png")
def drawing_png(code: str, drawing_id: int):
    """A drawing as sent; a hidden one only for the lecturer."""
    cls = find_or_404(code)
    drawing = store().drawing(cls.id, drawing_id)
    if drawing is None or (drawing.hidden and not is_owner(cls)):
        abort(404)
    response = send_file(io.BytesIO(drawing.png), mimetype="image/png", max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def stored_input(code: str, drawing_id: str):
    """A class's drawing with its stored 28x28 input, for the inside view (which then shows exactly
    what the network read for the board); LookupError with the message when there is none."""
    try:
        cls = store().find_class(code)
        drawing = store().drawing(cls.id, int(drawing_id)) if cls and str(drawing_id).isdigit() else None
    except Unavailable as exc:
        raise LookupError(unavailable_message()) from exc
    if drawing is None or (drawing.hidden and not is_owner(cls)):
        raise LookupError(_("There is no such drawing in this class."))
    return drawing


# --- errors -------------------------------------------------------------------------------------


def unavailable_message() -> str:
    return _("The class database cannot be reached or written right now; try again in a moment.")


def unavailable(exc: Unavailable):
    """The database cannot be written (or reached): a clear 503, JSON for the API, never a 500."""
    message = unavailable_message()
    current_app.logger.error("classroom database unavailable: %s", exc)
    if request.path.startswith(api.url_prefix + "/"):
        return jsonify(error=message, detail=str(exc)), 503
    if is_htmx() and request.endpoint == "students.student_submit":  # in the result's place: sending again works
        return render_template("partials/class_result.html", error=message, reading=None), 503
    if is_htmx() and request.endpoint in ("classes.live", "classes.hide", "classes.show"):
        # In the board's place, still polling: the board comes back by itself with the database.
        code = request.view_args["code"]
        return render_template("partials/class_live_error.html", code=code, message=message), 503
    if is_htmx():
        return render_template("partials/class_error.html", message=message), 503
    return render_template("class_error.html", message=message), 503


for blueprint in (lecturer, students, api):
    blueprint.register_error_handler(Unavailable, unavailable)


def forbidden(_exc):
    if request.path.startswith(api.url_prefix + "/"):
        return jsonify(error=_("Only the browser that started this class may do that.")), 403
    return render_template("class_error.html", message=_("Only the browser that started this class may do that.")), 403


def missing(_exc):
    return render_template("class_missing.html"), 404


lecturer.register_error_handler(403, forbidden)
lecturer.register_error_handler(404, missing)


# --- command line -------------------------------------------------------------------------------


def main(argv: list | None = None) -> int:
    """python -m web.classes prune --older-than DAYS: delete classes (and their drawings) older
    than DAYS, in the database the app uses (DIGITS_DATABASE_URL or the instance folder's file)."""
    parser = argparse.ArgumentParser(prog="python -m web.classes", description="Manage the classroom's database.")
    commands = parser.add_subparsers(dest="command", required=True)
    prune = commands.add_parser("prune", help="delete classes started more than DAYS days ago")
    prune.add_argument("--older-than", type=float, metavar="DAYS", help="default: CLASS_PRUNE_DAYS (30)")
    args = parser.parse_args(argv)

    from app import create_app

    app = create_app()
    days = app.config["CLASS_PRUNE_DAYS"] if args.older_than is None else args.older_than
    if days < 0:
        parser.error("--older-than must not be negative")
    with app.app_context():
        try:
            deleted = store().prune(days * 24 * 3600)
        except Unavailable as exc:
            print(f"error: the database cannot be written: {exc}", file=sys.stderr)
            return 1
    print(f"deleted {deleted} class{'es' if deleted != 1 else ''} started more than {days:g} days ago")
    return 0


if __name__ == "__main__":
    sys.exit(main())
