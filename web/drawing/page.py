"""The drawing page: a canvas, and the network's reading of it, live.

GET / renders the page; the canvas script posts the drawing (a PNG data URL in the form field
`image`) with the chosen `model` to POST /read, which answers the result fragment (the whole
page without htmx). POST /sample picks an MNIST test image and hands it to the canvas through
an HX-Trigger header, for keyboard users and lecturers.
"""

import json

from flask import Blueprint
from flask import current_app
from flask import make_response
from flask import render_template
from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from preprocess import PreprocessError
from web.errors import error_response
from web.errors import http_message
from web.fields import BadInput
from web.fields import digit
from web.fields import image_bytes
from web.fields import model_choice
from web.fields import sample_index
from web.models import all_models
from web.models import default_model_name
from web.models import page_model_name
from web.reading import read_drawing
from web.render import data_uri
from web.render import page_or_fragment
from web.samples import pick_sample

bp = Blueprint("draw", __name__)
PAGE, RESULT, SAMPLE_NOTE = "drawing/index.html", "drawing/result.html", "drawing/sample_note.html"


def page_context(model_name: str | None = None, **context) -> dict:
    """What the page (drawing/index.html) needs besides the reading: the models for the picker, the chosen one."""
    models = all_models()
    selected = model_name if model_name in models else default_model_name()
    return dict(models=models, selected_model=selected, reading=None, error=None, compare=False) | context


@bp.get("/")
def index():
    return render_template(PAGE, **page_context(page_model_name(request.args.get("model"))))


@bp.post("/read")
def read():
    reading = None
    compare = request.form.get("compare") == "on"
    context = page_context(request.form.get("model"), compare=compare)
    try:
        model = model_choice(request.form.get("model"))
        if request.form.get("image") != "":  # "" is the empty canvas: the invitation, no reading
            reading = read_drawing(image_bytes(request), model, compare_plain=compare)
    except (BadInput, PreprocessError) as exc:
        return error_response(exc, 400, PAGE, RESULT, **context)
    return page_or_fragment(PAGE, RESULT, **(context | {"reading": reading}))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc: RequestEntityTooLarge):
    """A body over MAX_CONTENT_LENGTH: the error fragment in the result's place, not Flask's page."""
    error = http_message(exc, current_app.config["MAX_CONTENT_LENGTH"])
    return error_response(error, 413, PAGE, RESULT, **page_context())


@bp.post("/sample")
def sample():
    try:
        index = sample_index(request.form.get("index"))
        wanted = digit(request.form["digit"]) if index is None and request.form.get("digit") else None
        chosen = pick_sample(wanted, index)
    except BadInput as exc:
        return error_response(exc, 400, SAMPLE_NOTE)
    response = make_response(render_template(SAMPLE_NOTE, sample=chosen))
    load = {"target": "#draw-form", "image": data_uri(chosen.png)}
    response.headers["HX-Trigger"] = json.dumps({"drawing-load": load})
    return response
