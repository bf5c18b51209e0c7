"""What every lesson page shares: the list of lessons in chapter order, a lesson's neighbours,
rendering a lesson (page or htmx fragment) and its error, the model a lesson opens with.

How a lesson is added:
1. Write its view in a module of this package (perceptron.py: lesson 1, basics.py: 2-5, data.py:
   6-7) and add its route in web/lessons/__init__.py; its endpoint is `learn.<function name>`.
2. Give it an entry (slug, endpoint, title) in LESSONS below, in chapter order; the index, the
   previous/next links and the ← / → keys of presenter mode follow that list.
3. Its template extends "learn/lesson.html" (fill block `lesson_body`) and gets
   `lesson=lesson_context("<slug>")`: the title, the previous/next links and the breadcrumb.
   `render_lesson("<slug>", "learn/<slug>.html", "learn/_<part>.html", **context)` does that
   and answers htmx requests with the fragment alone (the third argument is optional).
4. Put the template in templates/learn/, its strings' Korean in web/translations/ko/.
"""

from typing import NamedTuple

from flask import make_response
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.routing import BuildError

from nn.functions import ACTIVATIONS
from web.errors import error_response
from web.i18n import N_
from web.models import all_models
from web.models import default_model_name
from web.render import is_htmx
from web.terms import activation_names


class Lesson(NamedTuple):
    slug: str
    endpoint: str
    title: str  # English, marked with N_ for extraction; templates translate it with _()


LESSONS = [
    Lesson("perceptron", "learn.perceptron", N_("From perceptron to network")),
    Lesson("neuron", "learn.neuron", N_("One neuron")),
    Lesson("activations", "learn.activations", N_("Activation functions")),
    Lesson("softmax", "learn.softmax", N_("Softmax at the output")),
    Lesson("network", "learn.network", N_("A three-layer network")),
    Lesson("batches", "learn.batches", N_("Batch processing")),
    Lesson("test-set", "learn.test_set", N_("The test set, digit by digit")),
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


def render_lesson(slug: str, page: str, fragment: str | None = None, replace_url: bool = False, **context):
    """The lesson page, or for htmx only its fragment (the block the form swaps, with the
    out-of-band bits `oob` asks for); `replace_url`: the address bar follows the form, so a
    reload shows the same. Vary on HX-Request so caches keep both."""
    htmx = fragment is not None and is_htmx()
    body = render_template(fragment if htmx else page, lesson=lesson_context(slug), oob=htmx, **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    if htmx and replace_url:
        response.headers["HX-Replace-Url"] = request.full_path
    return response


def lesson_url(lesson: Lesson) -> str | None:
    """The lesson's address, or None while its view is not registered (listed, not linked)."""
    try:
        return url_for(lesson.endpoint)
    except BuildError:
        return None


def activation_label(name: str) -> str:
    """The activation's name in the page's language (the book's terms)."""
    return activation_names()[name]


def code_name(name: str) -> str:
    """The activation's function name in nn.functions, as the code panel shows it."""
    return ACTIVATIONS[name].__name__


def index():
    return render_template("learn/index.html", lessons=LESSONS)


CHAPTER_MODEL = "book"  # the chapter's own 784-50-100-10 weights, when shipped


def chapter_model_name() -> str:
    """The chapter's own model when shipped, else the app's default: what every lesson opens on."""
    return CHAPTER_MODEL if CHAPTER_MODEL in all_models() else default_model_name()


def chosen_model_name() -> str:
    """The model asked for (?model=), else the chapter's own. Lessons keep to the chapter: they
    neither follow nor change the model the drawing and inside pages remember."""
    return request.args.get("model") or chapter_model_name()


def lesson_error(slug: str, block: str, error: Exception, page: str = "learn/error.html", **context):
    """400: the message in place of the block for htmx (htmx 4 swaps it), else `page` with it."""
    context |= dict(lesson=lesson_context(slug), oob=False, block=block)
    return error_response(error, 400, page, "learn/_error.html", **context)
