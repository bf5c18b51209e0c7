"""The chapter's ideas, one lesson page each, under /learn, in the chapter's order.

How a lesson is added (lessons may live in other modules, e.g. web/learn_data.py):
1. Register its view on this blueprint: `from web.learn import bp`, then `@bp.get("/<slug>")`
   with a function named after the slug (dashes become underscores), so its endpoint is
   `learn.<function name>`. Import that module in create_app before `app.register_blueprint(
   learn.bp)` (importing it registers the routes; only `web.learn.bp` is registered on the app):
   `from web import learn_data  # noqa: F401  (registers /learn/batches and /learn/test-set)`.
2. Its entry (slug, endpoint, title) is already in LESSONS below, in chapter order; the index,
   the previous/next links and the ← / → keys of presenter mode follow that list.
3. Its template extends "learn/lesson.html" and passes `lesson=lesson_context("<slug>")`
   (or calls `render_lesson("<slug>", "learn/<slug>.html", **context)`), which gives the
   title, the previous/next links and the breadcrumb.
4. Put the template in templates/learn/, its strings' Korean in web/translations/ko/<area>.json.
"""

from typing import NamedTuple

from flask import Blueprint
from flask import render_template
from flask import url_for
from werkzeug.routing import BuildError

bp = Blueprint("learn", __name__, url_prefix="/learn")


class Lesson(NamedTuple):
    slug: str
    endpoint: str
    title: str  # English; templates translate it with _()


LESSONS = [
    Lesson("neuron", "learn.neuron", "One neuron"),
    Lesson("activations", "learn.activations", "Activation functions"),
    Lesson("softmax", "learn.softmax", "Softmax at the output"),
    Lesson("network", "learn.network", "A three-layer network"),
    Lesson("batches", "learn.batches", "Batch processing"),
    Lesson("test-set", "learn.test_set", "The test set, digit by digit"),
]


def lesson_context(slug: str) -> dict:
    """The lesson, its number (from 1) and its neighbours in chapter order (None at the ends)."""
    index = next(i for i, lesson in enumerate(LESSONS) if lesson.slug == slug)
    return dict(
        lesson=LESSONS[index],
        number=index + 1,
        previous=LESSONS[index - 1] if index > 0 else None,
        next=LESSONS[index + 1] if index + 1 < len(LESSONS) else None,
        total=len(LESSONS),
    )


def render_lesson(slug: str, template: str, **context) -> str:
    return render_template(template, lesson=lesson_context(slug), **context)


@bp.app_template_global()
def lesson_url(lesson: Lesson) -> str | None:
    """The lesson's address, or None while its view is not registered (listed, not linked)."""
    try:
        return url_for(lesson.endpoint)
    except BuildError:
        return None


@bp.get("")
def index():
    return render_template("learn/index.html", lessons=LESSONS)


@bp.get("/neuron")
def neuron():
    return render_lesson("neuron", "learn/neuron.html")


@bp.get("/activations")
def activations():
    return render_lesson("activations", "learn/activations.html")


@bp.get("/softmax")
def softmax():
    return render_lesson("softmax", "learn/softmax.html")


@bp.get("/network")
def network():
    return render_lesson("network", "learn/network.html")
