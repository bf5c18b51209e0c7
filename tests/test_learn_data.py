"""Lessons 5 and 6 through Flask's test client with the shipped models and the real test set:
a batch run step by step as htmx makes it (rows carried back by the client), the same run without
JavaScript, the confusion matrix's sums, a cell's images, and bad parameters answering 400."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app import create_app
from nn.mnist import load_test_set
from tests.helpers import HTMX


@pytest.fixture(scope="module")
def client():
    """One app for the module: the test set and the confusion matrices are computed once."""
    return create_app({"TESTING": True}).test_client()


@pytest.fixture(scope="module")
def models(client):
    """{name: card} of every shipped model."""
    return {entry["name"]: entry["card"] for entry in client.get("/api/models").get_json()["models"]}


class Elements(HTMLParser):
    """Every start tag's attributes, in document order."""

    def __init__(self, html: str):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str, **wanted) -> list:
    """The attributes of the elements having every `wanted` attribute (data_true -> data-true; None: any value)."""
    wanted = {key.replace("_", "-"): value for key, value in wanted.items()}
    return [
        attrs
        for _, attrs in Elements(html).found
        if all(key in attrs and (value is None or attrs[key] == value) for key, value in wanted.items())
    ]


# --- Lesson 5: batches ---------------------------------------------------------------------------


def test_batches_page_shows_the_button_the_empty_table_and_the_code(client):
    html = client.get("/learn/batches?model=book").get_data(as_text=True)
    assert elements(html, data_testid="batch-run")
    assert elements(html, data_testid="batch-results")
    assert not elements(html, data_batch_size=None)
    assert "def one_at_a_time(network" in html and "def in_batches(network" in html  # the engine's own source
    assert "network.predict(x[i])" in html


@pytest.fixture(scope="module")
def other_client():
    """A second app, as another worker process would be: it shares nothing with the first."""
    return create_app({"TESTING": True}).test_client()


def step(client, data: dict) -> str:
    response = client.post("/learn/batches/run", data=data, headers=HTMX)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_an_htmx_run_goes_one_way_per_request_and_every_way_scores_the_same(client, other_client):
    """Each step goes to the other app, as the requests of a run may reach any worker."""
    workers = [client, other_client]
    html = step(client, {"model": "book"})
    pending = elements(html, data_testid="batch-pending")
    assert len(pending) == 1 and not elements(html, data_batch_size=None)
    assert pending[0]["hx-trigger"] == "load"
    measured, rows = [], []
    while pending:
        follow = re.search(r"hx-vals='([^']*)'", html).group(1)
        data = {"model": "book", "measured": measured} | json.loads(follow)
        html = step(workers[(len(rows) + 1) % 2], data)
        (row,) = elements(html, data_batch_size=None)
        rows.append(row)
        measured += [attrs["value"] for attrs in elements(html, name="measured")]
        pending = elements(html, data_testid="batch-pending")
    assert [row["data-batch-size"] for row in rows] == ["1", "10", "100", "1000"]
    assert {row["data-accuracy"] for row in rows} == {"0.9352"}
    assert all(float(row["data-us-per-image"]) > 0 for row in rows)
    assert "x (100, 784) → y (100, 10)" in step(client, {"model": "book", "batch_size": "100"})
    # the last answer draws the chart from the three rows sent back and its own
    assert 'hx-swap-oob="true"' in html
    assert len(re.findall(r'<g class="batch-bar', html)) == 4
    assert 'data-testid="batch-summary"' in html


def test_without_javascript_one_post_measures_every_way(client):
    response = client.post("/learn/batches/run", data={"model": "book"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = elements(html, data_batch_size=None)
    assert [row["data-batch-size"] for row in rows] == ["1", "10", "100", "1000"]
    assert {row["data-accuracy"] for row in rows} == {"0.9352"}
    assert "<html" in html and len(re.findall(r'<g class="batch-bar', html)) == 4


NO_MODEL = "There is no such model; the models are: book-retrained, book, default."
NOT_A_ROW = "The measured row “%s” is not “batch size,µs per image,correct”."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"model": "nope"}, NO_MODEL),
        ({"model": "book", "batch_size": "7"}, "The batch size must be one of 1, 10, 100, 1000, not “7”."),
        ({"model": "book", "batch_size": "ten"}, "The batch size must be one of 1, 10, 100, 1000, not “ten”."),
        ({"model": "book", "batch_size": "10", "measured": "1,abc,9352"}, NOT_A_ROW % "1,abc,9352"),
        ({"model": "book", "batch_size": "10", "measured": "1,12.5"}, NOT_A_ROW % "1,12.5"),
        ({"model": "book", "batch_size": "10", "measured": "3,12.5,9352"}, NOT_A_ROW % "3,12.5,9352"),
        ({"model": "book", "batch_size": "10", "measured": "1,-4,9352"}, NOT_A_ROW % "1,-4,9352"),
        ({"model": "book", "batch_size": "10", "measured": "1,nan,9352"}, NOT_A_ROW % "1,nan,9352"),
        ({"model": "book", "batch_size": "10", "measured": "1,12.5,10001"}, NOT_A_ROW % "1,12.5,10001"),
        ({"model": "book", "batch_size": "10", "measured": ["1,12.5,9352", "1,13,9352"]}, NOT_A_ROW % "1,13,9352"),
        (
            {"model": "book", "batch_size": "ten", "lang": "ko"},
            "배치 크기는 1, 10, 100, 1000 중 하나여야 합니다. 받은 값: “ten”.",
        ),
        (
            {"model": "book", "batch_size": "10", "measured": "1,abc,9352", "lang": "ko"},
            "측정된 행이 “배치 크기,이미지당 µs,맞힌 수” 형식이 아닙니다: “1,abc,9352”.",
        ),
    ],
)
def test_bad_run_parameters_answer_400_with_a_message(client, data, message):
    for headers in (HTMX, {}):
        language = {"lang": data.get("lang", "en")}  # from the query, not the form
        response = client.post("/learn/batches/run", data=data, query_string=language, headers=headers)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert f'data-testid="batch-error">{message}</p>' in html
        assert ("<html" in html) != bool(headers)  # htmx: the error row alone; else the page
    client.delete_cookie("lang")


def test_unknown_model_on_the_batches_page_is_400(client):
    response = client.get("/learn/batches?model=nope&lang=en")
    assert response.status_code == 400
    assert f'data-testid="batch-error">{NO_MODEL}</p>' in response.get_data(as_text=True)


# --- Lesson 6: the test set ----------------------------------------------------------------------


def cells(html: str) -> list:
    return [
        (int(c["data-true"]), int(c["data-predicted"]), int(c["data-count"]))
        for c in elements(html, data_true=None, data_predicted=None, data_count=None)
    ]


def test_confusion_matrix_of_every_model_adds_up_to_the_test_set(client, models):
    for name in models:
        response = client.get(f"/learn/test-set?model={name}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert elements(html, data_testid="confusion-matrix")
        found = cells(html)
        assert len(found) == 100
        assert sum(count for _, _, count in found) == 10_000
        diagonal = sum(count for true, predicted, count in found if true == predicted)
        correct = int(re.search(r'data-testid="correct-count">([\d,]+)<', html).group(1).replace(",", ""))
        assert diagonal == correct == round(models[name]["test_accuracy"] * 10_000)  # 9352 for book
        accuracies = elements(html, data_digit=None)
        assert len(accuracies) == 10 and all(0.8 < float(a["data-accuracy"]) <= 1 for a in accuracies)


def test_a_cell_lists_its_images_linking_to_the_inside_page(client):
    html = client.get("/learn/test-set?model=book&true=4&predicted=9").get_data(as_text=True)
    count = next(count for true, predicted, count in cells(html) if (true, predicted) == (4, 9))
    items = elements(html, data_testid="misread")
    assert len(items) == min(count, 40) > 0
    _, labels = load_test_set()
    for item in items:
        sample = int(re.fullmatch(r"/inside\?model=book&sample=(\d+)", item["href"]).group(1))
        assert labels[sample] == 4
    assert html.count('src="data:image/png;base64,') == len(items)


def test_cell_pages_and_the_htmx_fragment(client):
    first = client.get("/learn/test-set?model=book&true=0&predicted=0", headers=HTMX)
    assert first.status_code == 200 and "HX-Request" in first.headers["Vary"]
    html = first.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="test-set-body"')  # the swappable block alone
    second = client.get("/learn/test-set?model=book&true=0&predicted=0&page=2").get_data(as_text=True)
    one = [item["data-sample"] for item in elements(html, data_testid="misread")]
    two = [item["data-sample"] for item in elements(second, data_testid="misread")]
    assert len(one) == len(two) == 40 and not set(one) & set(two)
    assert "Page 2 / " in second


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("model=nope", NO_MODEL),
        ("model=book&true=4", "Give both “true” and “predicted” (digits 0 to 9) to open a cell of the matrix."),
        ("model=book&true=10&predicted=1", "“10” is not a digit from 0 to 9."),
        ("model=book&true=a&predicted=1", "“a” is not a digit from 0 to 9."),
        ("model=book&page=2", "A page needs a cell: give “true” and “predicted” too."),
        ("model=book&true=4&predicted=9&page=0", "“page” must be a whole number from 1 to 1,000,000, not “0”."),
        ("model=book&true=4&predicted=9&page=99", "There is no such page; the pages go from 1 to 1."),
        ("model=book&true=a&predicted=1&lang=ko", "0부터 9까지의 숫자가 아닙니다: “a”."),
        (
            "model=book&true=4&predicted=9&page=0&lang=ko",
            "“page”에는 1부터 1,000,000까지의 정수를 넣어야 합니다. 받은 값: “0”.",
        ),
        ("model=book&true=4&predicted=9&page=99&lang=ko", "그런 페이지는 없습니다. 페이지는 1부터 1까지입니다."),
    ],
)
def test_bad_test_set_parameters_answer_400_with_a_message(client, query, message):
    for headers in (HTMX, {}):
        language = "" if "lang=" in query else "&lang=en"  # the client is the module's: no cookie of another test
        response = client.get(f"/learn/test-set?{query}{language}", headers=headers)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert f'data-testid="test-set-error">{message}</p>' in html
        assert html.lstrip().startswith('<div id="test-set-body"') != ("<html" in html)
    client.delete_cookie("lang")


# --- Strings and templates -----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
FILES = [
    ROOT / "web" / "lessons" / "data.py",
    ROOT / "templates" / "learn" / "batches.html",
    ROOT / "templates" / "learn" / "test_set.html",
    *(ROOT / "templates" / "learn" / "partials").glob("*.html"),
]


def test_templates_keep_to_the_content_security_policy():
    for path in FILES[1:]:
        source = path.read_text()
        assert "style=" not in source, path
        assert not re.search(r"\son[a-z]+=", source), path
        assert "<script" not in source, path


def test_korean_pages(client):
    assert "시험 이미지 10,000장 모두 읽기" in client.get("/learn/batches?model=book&lang=ko").get_data(as_text=True)
    html = client.get("/learn/test-set?model=book&true=4&predicted=9&lang=ko").get_data(as_text=True)
    assert "4를 9로 읽은 이미지: 35장" in html and "정확도" in html
    # whole sentences, the values where Korean puts them
    assert (
        "책의 가중치 (784-50-100-10)는 시험 이미지 10,000장 가운데 "
        '<strong data-testid="correct-count">9,352</strong>장을 맞게 읽습니다.' in html
    )
