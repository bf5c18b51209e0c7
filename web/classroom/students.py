"""The students' side of classroom mode: GET /join (type a code), GET /c/<code> (the phone page),
POST /c/<code> (a drawing from that page), and the same as JSON for scripts and the load test:
POST /api/classes/<code>/drawings, GET /api/classes/<code>/drawings (the board as JSON).

A drawing goes the way of every other reading (web.reading: decoded, preprocessed and read once)
and is stored with its 28x28 input, its PNG and its reading.
"""

import io

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from PIL import Image

from classroom.store import ClassClosed
from classroom.store import ClassFull
from classroom.store import NewDrawing
from classroom.store import TooFast
from classroom.store import Unavailable
from classroom.store import normal_code
from preprocess import PreprocessError
from web.class_store import store
from web.classroom import errors
from web.classroom.access import device_id
from web.classroom.access import limits
from web.classroom.access import with_device
from web.errors import error_response
from web.fields import BadInput
from web.fields import digit
from web.fields import image_bytes
from web.fields import model_choice
from web.i18n import gettext as _
from web.models import all_models
from web.reading import read_drawing
from web.render import is_htmx
from web.render import page_or_fragment

students = Blueprint("students", __name__)
api = Blueprint("classes_api", __name__, url_prefix="/api/classes")
for blueprint in (students, api):
    blueprint.register_error_handler(Unavailable, errors.unavailable)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JOIN, STUDENT, RESULT = "classroom/join.html", "classroom/student.html", "classroom/partials/result.html"


class Refused(Exception):
    """A submission that is not stored: the HTTP status and why, a message in the page's language
    or the error of the drawing (which the JSON API answers in English)."""

    def __init__(self, status: int, error: Exception | str, retry_after: int | None = None):
        super().__init__(str(error))
        self.status, self.error, self.retry_after = status, error, retry_after


def as_png(data: bytes) -> bytes:
    """The image as PNG (the canvas sends PNG already; a JPEG or WebP from a script is converted)."""
    if data.startswith(PNG_SIGNATURE):
        return data
    buffer = io.BytesIO()
    Image.open(io.BytesIO(data)).save(buffer, format="PNG")
    return buffer.getvalue()


def intended_digit(value) -> int:
    """The digit the student meant. Missing or not a digit, the classroom says so in its own words
    and in the page's language, on the student's page and in the JSON API alike (an app message,
    not the engine's English)."""
    try:
        return digit(value)
    except BadInput as exc:
        raise Refused(400, _("Pick the digit you meant, 0 to 9.")) from exc


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
    meant = intended_digit(intended)
    try:
        data = image_bytes(request)
        if len(data) > max_bytes:
            raise Refused(413, _("The drawing is too large."))
        model = all_models().get(cls.model) or model_choice()  # a class keeps its model while it is shipped
        reading = read_drawing(data, model)
    except (BadInput, PreprocessError) as exc:
        raise Refused(400, exc) from exc
    if reading.blank:
        raise Refused(400, _("Draw a digit first: the drawing is empty."))
    drawing = NewDrawing(
        intended=meant,
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


@students.get("/join")
def index():
    typed = request.args.get("code")
    if typed is None:
        return render_template(JOIN, error=None, typed="")
    code = normal_code(typed)
    if store().find_class(code) is None:
        return error_response(_("There is no class with this code."), 404, JOIN, typed=typed)
    return redirect(url_for("students.student", code=code))


@students.get("/c/<code>")
def student(code: str):
    cls = store().find_class(code)
    if cls is None:
        return render_template("classroom/missing.html"), 404
    if cls.code != code:
        return redirect(url_for("students.student", code=cls.code))
    if not cls.is_open:
        return render_template("classroom/closed.html", cls=cls)
    device_id()
    return with_device(make_response(render_template("classroom/student.html", cls=cls, reading=None, error=None)))


@students.post("/c/<code>")
def student_submit(code: str):
    try:
        cls, drawing_id, reading = submit(code, request.form.get("intended"))
    except Refused as exc:
        return with_device(refused(code, exc))
    context = dict(cls=cls, reading=reading, drawing_id=drawing_id, error=None, closed=False)
    return with_device(page_or_fragment(STUDENT, RESULT, 201, **context))


def refused(code: str, exc: Refused):
    """Why the drawing was not taken, in the result's place; a closed class's page without htmx."""
    cls = store().find_class(code)
    if cls is None:
        return make_response(render_template("classroom/missing.html"), 404)
    if not cls.is_open and not is_htmx():
        return make_response(render_template("classroom/closed.html", cls=cls), 409)
    return error_response(exc.error, exc.status, STUDENT, RESULT, cls=cls, reading=None, closed=exc.status == 409)


@api.post("/<code>/drawings")
def api_submit(code: str):
    body = request.get_json(silent=True) if request.mimetype == "application/json" else None
    intended = body.get("intended") if isinstance(body, dict) else request.args.get("intended")
    try:
        _cls, drawing_id, reading = submit(code, intended)
    except Refused as exc:
        retry = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        return with_device(error_response(exc.error, exc.status, headers=retry))
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
        return error_response(_("There is no class with this code."), 404)
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
