"""The JSON API: POST /api/predict and GET /api/models. Every failure is a 4xx JSON {"error"}."""

from flask import Blueprint
from flask import jsonify
from flask import request
from werkzeug.exceptions import HTTPException

from preprocess import PreprocessError
from web.errors import error_response
from web.errors import is_api
from web.fields import BadInput
from web.fields import image_bytes
from web.fields import model_choice
from web.models import all_models
from web.models import default_model_name
from web.reading import read_drawing

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.post("/predict")
def predict():
    try:
        model = model_choice(request.args.get("model"))
        reading = read_drawing(image_bytes(request), model)
    except (BadInput, PreprocessError) as exc:
        return error_response(exc)
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
    if not is_api():
        return exc
    methods = getattr(exc, "valid_methods", None)  # 405 says which methods would do
    return error_response(exc.description, exc.code, headers={"Allow": ", ".join(methods)} if methods else None)
