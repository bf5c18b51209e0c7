"""The lecturer's side of classroom mode: GET /class (start page), POST /class (start: a code, a secret
in the signed session, a redirect to the board), GET /class/<code> (the board; GET
/class/<code>/live is its fragment, polled every second, 304 while nothing changed), and, for the
browser that started the class only, POST .../drawings/<id>/hide|show, .../close, .../delete and
GET .../export.zip (403 for others).

Routes stay thin: the database is classroom.store's; the board shows what was stored with each
drawing and never computes a reading again.
"""

import io
import secrets
import time

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import session
from flask import url_for
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import TooManyRequests

from classroom.export import export_zip
from classroom.store import Class
from classroom.store import Unavailable
from web import terms
from web.class_store import is_owner
from web.class_store import store
from web.classroom import errors
from web.classroom.access import find_or_404
from web.classroom.access import owned_or_403
from web.classroom.access import remember_owner
from web.classroom.access import with_device
from web.classroom.guard import check_password
from web.classroom.guard import password_required
from web.classroom.join_address import join_url
from web.classroom.join_address import qr_svg
from web.errors import error_response
from web.i18n import current_language
from web.models import all_models
from web.models import default_model_name
from web.render import compress
from web.render import gzipped
from web.render import is_htmx
from web.scales import shade

SHADES = 4  # colour steps of the board matrix (shade-0 .. shade-4 in classroom.css), linear: a few dozen drawings

START = "classroom/start.html"
lecturer = Blueprint("classes", __name__)
lecturer.register_error_handler(Unavailable, errors.unavailable)
lecturer.register_error_handler(403, errors.forbidden)
lecturer.register_error_handler(404, errors.missing)


# --- the lecturer -------------------------------------------------------------------------------


@lecturer.get("/class")
def index():
    return render_template(START, **start_context())


def start_context() -> dict:
    """The start page's: the classes this browser started, and whether a password is asked for."""
    owned = [cls for code in session.get("classes", {}) if (cls := store().find_class(code)) and is_owner(cls)]
    return dict(owned=owned[::-1], password=password_required())


@lecturer.post("/class")
def start():
    """A new class, unless a lecturer's password is set and this is not it (403, 429 when guessed)."""
    try:
        check_password(request.form.get("password", ""))
    except (Forbidden, TooManyRequests) as exc:
        retry = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        return with_device(error_response(exc.description, exc.code, START, headers=retry, **start_context()))
    secret = secrets.token_urlsafe(32)
    cls = store().new_class(default_model_name(), secret)
    remember_owner(cls.code, secret)
    return redirect(url_for("classes.board", code=cls.code), 303)


def board_context(cls: Class) -> dict:
    """Everything the board's live part shows, read from the database (never recomputed)."""
    model = all_models().get(cls.model)  # None once the class's model is no longer shipped
    confusion = store().confusion_of(cls.id)
    counts = confusion.matrix.tolist()
    most = max(map(max, counts))
    owner = is_owner(cls)
    return dict(
        cls=cls,
        owner=owner,
        drawings=store().drawings_of(cls.id, limit=current_app.config["CLASS_GALLERY"]),
        confusion=confusion,
        counts=counts,
        shades=[[shade(n, most, SHADES) for n in row] for row in counts],
        hidden_count=store().count_hidden(cls.id) if owner else 0,
        mnist_accuracy=(model.card.get("test_accuracy") if model else None),
        model_name=(terms.model_name(model) if model else cls.model),
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
    return render_template("classroom/board.html", join_url=url, qr=qr_svg(url), **board_context(cls))


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
    html = render_template("classroom/partials/live.html", **board_context(cls))
    if len(kept_renders) >= RENDERS_KEPT:
        kept_renders.pop(next(iter(kept_renders)))
    # gzip once per render: a busy board is about 130 kB of similar markup, 60 phones may follow it on one Wi-Fi
    kept_renders[key] = (cls.version, time.monotonic(), etag, html, gzipped(html.encode()))
    return kept_renders[key][2:]


@lecturer.get("/class/<code>/live")
def live(code: str):
    """The board's live part. Polled every second with If-None-Match: 304 (htmx swaps nothing)
    until the class changes, so a quiet board costs one small query per second."""
    cls = store().find_class(code)
    if cls is None:
        return render_template("classroom/partials/gone.html"), 404  # no poll trigger: polling stops
    etag, html, compressed = live_render(cls)
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = compress(make_response(html), compressed)
    response.vary.add("Accept-Encoding")  # a 304 too: it stands for the body the client has
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
