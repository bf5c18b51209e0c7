"""The JSON API: POST /api/predict and GET /api/models. Every failure is a 4xx JSON {"error"}."""

from flask import Blueprint
from flask import jsonify
from flask import request
from werkzeug.exceptions import HTTPException

from preprocess import PreprocessError
from web.drawing_input import BadDrawing
from web.drawing_input import image_bytes
from web.models import UnknownModel
from web.models import all_models
from web.models import default_model_name
from web.models import get_model
from web.reading import read_drawing

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.post("/predict")
def predict():
    try:
        model = get_model(request.args.get("model"))
        reading = read_drawing(image_bytes(request), model)
    except (UnknownModel, BadDrawing, PreprocessError) as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(
        digit=reading.digit,
        confidence=reading.confidence,
        probabilities=reading.probabilities,
        model=model.name,
        blank=reading.blank,
        input=reading.steps.mnist.round(4).tolist(),
    )


@bp.get("/models")
def models():
    default = default_model_name()
    return jsonify(
        default=default,
        models=[{"name": name, "default": name == default, "card": model.card} for name, model in all_models().items()],
    )


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    """404, 405, 413 ... under /api answer JSON too, never an HTML page (app-wide, because
    routing errors such as 405 happen before a blueprint is chosen); other paths keep Flask's."""
    if not request.path.startswith(bp.url_prefix + "/"):
        return exc
    response = jsonify(error=exc.description)
    response.status_code = exc.code
    if getattr(exc, "valid_methods", None):  # 405 says which methods would do
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response
