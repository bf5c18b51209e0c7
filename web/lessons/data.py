"""Lessons 6 and 7: the whole MNIST test set through the network.

/learn/batches times the book's per-image loop against batches of 10, 100 and 1000 on the server.
Any worker process may answer any request, so no job lives on the server: each request measures
one way (`batch_size`) and answers its row plus a row that, once loaded, asks for the next way.
The rows measured so far travel back with it as hidden fields (`measured`, "batch size,µs per
image,correct"), checked here, and the chart is drawn from them.

/learn/test-set shows the confusion matrix of the chosen model (computed once per model and
process) and, for ?true=&predicted=&page=, the images of that cell, each linking to /inside.
"""

import math
from dataclasses import dataclass

from flask import current_app
from flask import render_template
from flask import request
from flask import url_for

from nn import Model
from nn import batches as nn_batches
from nn.evaluate import Confusion
from nn.evaluate import confusion
from nn.mnist import load_test_set
from preprocess import to_png
from web import samples
from web.errors import error_response
from web.fields import BadInput
from web.fields import digit
from web.fields import model_choice
from web.fields import whole_number
from web.filters import number
from web.i18n import gettext as _
from web.lessons.compute import shape_chain
from web.lessons.compute import source
from web.lessons.pages import chapter_model_name
from web.lessons.pages import chosen_model_name
from web.lessons.pages import lesson_context
from web.lessons.pages import render_lesson
from web.models import all_models
from web.render import data_uri
from web.render import is_htmx
from web.render import page_or_fragment
from web.render import shown
from web.scales import shade

BATCH_SIZES = nn_batches.BATCH_SIZES
PER_PAGE = 40  # misread images per page
MAX_PAGE = 10**6  # a page number beyond any cell's pages, still an int a URL can carry
SHADES = 5  # colour steps of the matrix cells: classes level-0 (none) .. level-5 in learn_data.css


@dataclass(frozen=True)
class Row:
    """One way of reading the test set, as measured (batch_size 1 is the book's loop)."""

    batch_size: int
    us_per_image: float
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total

    @property
    def us_data(self) -> str:
        """µs per image for data-us-per-image: machine-readable, not the page's number format."""
        return f"{self.us_per_image:.3f}"

    @property
    def accuracy_data(self) -> str:
        return f"{self.accuracy:.4f}"

    @property
    def field(self) -> str:
        """The hidden field that carries this row to the next request."""
        return f"{self.batch_size},{self.us_per_image:.3f},{self.correct}"


def test_inputs() -> tuple:
    """(x (N, 784) float32 in 0..1, t (N,)) of the MNIST test set, read once per process."""
    cache = current_app.extensions.setdefault("digit_learn", {})
    if "test" not in cache:
        cache["test"] = load_test_set(current_app.config["MNIST_DIR"])
    return cache["test"]


# --- Lesson 6: batches ---------------------------------------------------------------------------


def batch_size_of(values) -> int | None:
    text = values.get("batch_size", "").strip()
    if text == "":
        return None
    if text not in {str(n) for n in BATCH_SIZES}:
        sizes = ", ".join(map(str, BATCH_SIZES))  # as the field takes them: 1000, not 1,000
        raise BadInput(_("The batch size must be one of %(sizes)s, not “%(value)s”.", sizes=sizes, value=shown(text)))
    return int(text)


def measured_rows(values, before: int, total: int) -> list:
    """The rows the client measured before batch size `before`, checked: known batch sizes, each
    once, a positive finite time, a count of hits from 0 to the test set's size."""
    rows = {}
    for field in values.getlist("measured"):
        bad = BadInput(_("The measured row “%(row)s” is not “batch size,µs per image,correct”.", row=shown(field)))
        parts = field.split(",")
        try:
            batch_size, us, correct = int(parts[0]), float(parts[1]), int(parts[2])
        except (ValueError, IndexError):
            raise bad from None
        if (
            len(parts) != 3
            or batch_size not in BATCH_SIZES
            or batch_size in rows
            or not (math.isfinite(us) and 0 < us < 1e7)
            or not 0 <= correct <= total
        ):
            raise bad
        rows[batch_size] = Row(batch_size, us, correct, total)
    earlier = BATCH_SIZES[: BATCH_SIZES.index(before)] if before in BATCH_SIZES else BATCH_SIZES
    return [rows[n] for n in earlier if n in rows]


def measure(model: Model, batch_size: int) -> tuple:
    """(Row, Timing) of reading the whole test set in batches of batch_size."""
    x, t = test_inputs()
    timing = nn_batches.time_reading(model.network, x, t, batch_size)
    return Row(batch_size, timing.us_per_image, timing.correct, timing.total), timing


def next_batch_size(batch_size: int | None) -> int | None:
    if batch_size is None:
        return BATCH_SIZES[0]
    position = BATCH_SIZES.index(batch_size) + 1
    return BATCH_SIZES[position] if position < len(BATCH_SIZES) else None


def chart(rows: list) -> dict:
    """Bars of µs per image (longest = 1) with the speed-up over the loop, when it was measured."""
    longest = max((row.us_per_image for row in rows), default=1.0)
    loop = next((row.us_per_image for row in rows if row.batch_size == 1), None)
    bars = [
        dict(row=row, length=row.us_per_image / longest, speed_up=loop / row.us_per_image if loop else None)
        for row in rows
    ]
    return dict(bars=bars, loop=loop)


def way_name(batch_size: int) -> str:
    if batch_size == 1:
        return _("one image at a time (the book's loop)")
    return _("batches of %(size)s", size=number(batch_size))


def batches_context(model: Model, rows: list, **context) -> dict:
    code = [source(nn_batches.one_at_a_time), source(nn_batches.in_batches), source(nn_batches.time_reading)]
    return (
        dict(
            models=all_models(),
            model=model,
            rows=rows,
            chart=chart(rows),
            timings={},
            next_size=None,
            way_name=way_name,
            code=code,
            chain=shape_chain(model.network, test_inputs()[0][:100]),
            total=len(test_inputs()[1]),
            error=None,
        )
        | context
    )


def batches_error(exc: BadInput):
    """400 with the message: a table row in place for htmx, else the page around it."""
    context = batches_context(model_choice(chapter_model_name()), [], lesson=lesson_context("batches"), oob=False)
    return error_response(exc, 400, "learn/batches.html", "learn/partials/batch_error.html", **context)


def batches():
    try:
        model = model_choice(chosen_model_name())
    except BadInput as exc:
        return batches_error(exc)
    return render_lesson("batches", "learn/batches.html", **batches_context(model, []))


def batches_run():
    """No batch_size: start (htmx: the first pending row; without htmx: measure every way at
    once). A batch_size: measure that way and answer its row and the next pending one."""
    try:
        model = model_choice(request.form.get("model"))
        batch_size = batch_size_of(request.form)
        rows = measured_rows(request.form, batch_size, len(test_inputs()[1])) if batch_size else []
    except BadInput as exc:
        return batches_error(exc)
    if batch_size is None and is_htmx():
        context = batches_context(model, [], next_size=BATCH_SIZES[0])
        return render_template("learn/partials/batch_rows.html", new_row=None, **context)
    timings = {}
    for size in [batch_size] if batch_size else BATCH_SIZES:
        row, timings[size] = measure(model, size)
        rows.append(row)
    next_size = next_batch_size(batch_size) if batch_size else None
    context = batches_context(model, rows, timings=timings, next_size=next_size)
    if is_htmx():
        return render_template("learn/partials/batch_rows.html", new_row=rows[-1], **context)
    return render_lesson("batches", "learn/batches.html", **context)


# --- Lesson 7: the test set ----------------------------------------------------------------------


def confusion_of(model: Model) -> Confusion:
    """The model's confusion matrix on the test set, computed once per model in each process."""
    cache = current_app.extensions.setdefault("digit_learn", {}).setdefault("confusion", {})
    if model.name not in cache:
        cache[model.name] = confusion(model.network, *test_inputs())
    return cache[model.name]


def matrix_rows(found: Confusion, model: Model, selected: tuple | None) -> list:
    """Per true digit: its cells (count, colour step, link), its total and its accuracy."""
    counts = found.matrix.tolist()
    accuracies = [None if math.isnan(a) else a for a in found.per_digit_accuracy().tolist()]
    off_diagonal = max(counts[i][j] for i in range(10) for j in range(10) if i != j) or 1
    rows = []
    for i, row in enumerate(counts):
        total = sum(row)
        cells = [
            dict(
                true=i,
                predicted=j,
                count=count,
                diagonal=i == j,
                level=shade(count, total if i == j else off_diagonal, SHADES, power=0.5),
                selected=selected == (i, j),
                url=url_for("learn.test_set", model=model.name, true=i, predicted=j),
            )
            for j, count in enumerate(row)
        ]
        accuracy = accuracies[i]
        rows.append(
            dict(
                true=i,
                cells=cells,
                total=total,
                correct=row[i],
                accuracy=accuracy,
                accuracy_data="" if accuracy is None else f"{accuracy:.4f}",
            )
        )
    return rows


def thumbnail(image) -> str:
    """A 28x28 uint8 test image as a PNG data URI, white ink on black as MNIST is shown."""
    return data_uri(to_png(image / 255.0))


def misread(model: Model, found: Confusion, true: int, predicted: int, page: int | None) -> dict:
    """One page of the images of digit `true` read as `predicted`, each with its address in /inside."""
    indices = found.images(true, predicted).tolist()
    pages = max(1, math.ceil(len(indices) / PER_PAGE))
    page = page or 1
    if page > pages:
        raise BadInput(_("There is no such page; the pages go from 1 to %(pages)s.", pages=number(pages)))
    images = samples.test_set()[0]
    on_page = indices[(page - 1) * PER_PAGE : page * PER_PAGE]
    items = [
        dict(index=n, src=thumbnail(images[n]), url=url_for("inside.index", model=model.name, sample=n))
        for n in on_page
    ]

    def page_url(number: int) -> str:
        return url_for("learn.test_set", model=model.name, true=true, predicted=predicted, page=number)

    return dict(
        true=true,
        predicted=predicted,
        count=len(indices),
        images=items,
        page=page,
        pages=pages,
        first=(page - 1) * PER_PAGE + 1,
        last=(page - 1) * PER_PAGE + len(on_page),
        previous_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if page < pages else None,
    )


def cell_of(values) -> tuple | None:
    """(true digit, predicted digit) of the cell asked for, None when none is."""
    true, predicted = values.get("true", "").strip(), values.get("predicted", "").strip()
    if not true and not predicted:
        return None
    if not true or not predicted:
        raise BadInput(_("Give both “true” and “predicted” (digits 0 to 9) to open a cell of the matrix."))
    return digit(true), digit(predicted)


def test_set_context(model: Model, cell: tuple | None, page: int | None, **context) -> dict:
    found = confusion_of(model)
    return (
        dict(
            models=all_models(),
            model=model,
            rows=matrix_rows(found, model, cell),
            correct=found.correct,
            total=found.total,
            cell=misread(model, found, *cell, page) if cell else None,
            code=[source(confusion), source(Confusion)],
            error=None,
        )
        | context
    )


def test_set():
    """The page, or (htmx) the lesson's body: the matrix with the opened cell's images."""
    try:
        model = model_choice(chosen_model_name())
        cell = cell_of(request.args)
        page = whole_number(request.args, "page", range(1, MAX_PAGE + 1), optional=True)
        if page is not None and cell is None:
            raise BadInput(_("A page needs a cell: give “true” and “predicted” too."))
        context = test_set_context(model, cell, page)
    except BadInput as exc:
        context = test_set_context(
            model_choice(chapter_model_name()), None, None, lesson=lesson_context("test-set"), oob=False
        )
        return error_response(exc, 400, "learn/test_set.html", "learn/partials/test_set_error.html", **context)
    lesson = lesson_context("test-set")
    return page_or_fragment("learn/test_set.html", "learn/partials/test_set_body.html", lesson=lesson, **context)
