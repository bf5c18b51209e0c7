"""The shipped models, loaded once on first use and shared by every request (a request chooses
one through web.fields.model_choice)."""

from pathlib import Path

from flask import Response
from flask import current_app
from flask import request

from nn import ModelError
from nn import load_models
from web.render import remember


def skip_broken(path: Path, error: ModelError) -> None:
    current_app.logger.warning("skipping model %s: %s", path.name, error)


def all_models() -> dict:
    """{name: Model} from MODELS (tests may inject) or else the MODELS_DIR folder, cached. A broken
    model is skipped with a warning; a folder without any usable model is a ModelError."""
    cache = current_app.extensions.setdefault("digit_models", {})
    if "models" not in cache:
        folder = current_app.config["MODELS_DIR"]
        models = current_app.config["MODELS"] or load_models(folder, on_error=skip_broken)
        if not models:
            raise ModelError(f"{folder}: no usable model (NAME.npz with its card NAME.json)")
        cache["models"] = models
    return cache["models"]


def default_model_name() -> str:
    """DEFAULT_MODEL when shipped, else the first model by name."""
    models = all_models()
    name = current_app.config["DEFAULT_MODEL"]
    return name if name in models else next(iter(models))


PAGES = ("draw", "inside")  # blueprints whose model choice carries over to the other page (lessons open on the book's)


def page_model_name(asked: str | None) -> str | None:
    """The model a page opens with: the one asked for, else the one last picked on either page."""
    remembered = request.cookies.get("model")
    return asked or (remembered if remembered in all_models() else None)


def remember_model(response: Response) -> Response:
    """A model picked on one page is the one the other page opens with (a cookie, not the API)."""
    if request.blueprint not in PAGES or request.method != "POST" or response.status_code >= 400:
        return response
    name = request.form.get("model")
    if name in all_models():
        remember(response, "model", name)
    return response
