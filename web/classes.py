"""Classroom mode: a lecturer starts a class, students draw on their phones, the board shows it all.

This module is the lecturer's side: GET /class (start page), POST /class (start: a code, a secret
in the signed session, a redirect to the board), GET /class/<code> (the board; GET
/class/<code>/live is its fragment, polled every second, 304 while nothing changed), and, for the
browser that started the class only, POST .../drawings/<id>/hide|show, .../close, .../delete and
GET .../export.zip (403 for others). The students' pages and the JSON API are web.students';
who is asking and where the classes are, web.class_access; the join address, web.join_address.

Routes stay thin: the database is classroom.store's; the board shows what was stored with each
drawing and never computes a reading again.
`python -m web.classes prune --older-than DAYS` deletes old classes.
"""

import argparse
import gzip
import io
import secrets
import sys
import time
from pathlib import Path

from flask import Blueprint
from flask import Flask
from flask import abort
from flask import current_app
from flask import jsonify
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import session
from flask import url_for

from classroom.export import export_zip
from classroom.store import Class
from classroom.store import Unavailable
from web.class_access import find_or_404
from web.class_access import instance_secret
from web.class_access import is_owner
from web.class_access import owned_or_403
from web.class_access import remember_owner
from web.class_access import store
from web.class_access import unavailable_message
from web.i18n import current_language
from web.i18n import gettext as _
from web.join_address import join_url
from web.join_address import qr_svg
from web.models import UnknownModel
from web.models import default_model_name
from web.models import get_model
from web.render import is_htmx
from web.students import api
from web.students import students

lecturer = Blueprint("classes", __name__)


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


# --- the lecturer -------------------------------------------------------------------------------


@lecturer.get("/class")
def index():
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
    """Everything of the class, for good; the form's checkbox says the lecturer meant it."""
    cls = owned_or_403(code)
    if request.form.get("confirm") != "yes":
        return redirect(url_for("classes.board", code=cls.code), 303)
    store().delete_class(cls.id)
    owned = dict(session.get("classes", {}))
    owned.pop(cls.code, None)
    session["classes"] = owned
    return redirect(url_for("classes.index"), 303)


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
