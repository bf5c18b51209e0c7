"""Every Korean page of tests/browser/pages.py read as a student reads it, in real Chromium: no
particle left for the reader to choose ("7(으)로"), and no English a student must read. Code
(code, pre, kbd, var, MathML), identifiers (np.bincount, nn/evaluate.py, softmax(a)), units,
abbreviations and proper names may stay as they are; everything else is Korean."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import visits

pytestmark = pytest.mark.browser

KOREAN_VISITS = [v for v in visits() if v.endswith("lang=ko")]
UNRESOLVED = re.compile(r"\((으|이|을|은|과|와)\)(로|가|를|는|와|과)|(이|을|은|과|와)\((가|를|는|와|과)\)")

# What a Korean page may show in Latin letters: names, abbreviations, units, keys, maths.
ALLOWED = {
    # proper names and abbreviations
    "MNIST", "NumPy", "BLAS", "CPU", "ReLU", "AND", "OR", "NAND", "QR", "PNG", "IDX", "CSV", "URL", "HTTP",
    "JSON", "API", "ID", "MIT", "CC", "BY", "SA", "LeCun", "Cortes", "Burges", "Python", "zip", "English",
    # keys
    "Tab", "Enter", "Esc", "Delete", "Ctrl", "Alt", "Shift",
    # units and maths
    "px", "kB", "MB", "exp", "log", "max", "nan", "inf", "sum",
}  # fmt: skip
SKIPPED = "script, style, template, code, pre, kbd, samp, var, math"
TEXTS = """(skipped) => {
  const texts = [];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement && !node.parentElement.closest(skipped) && node.textContent.trim()) {
      texts.push(node.textContent.trim());
    }
  }
  for (const element of document.querySelectorAll('[aria-label], [alt], [title], [placeholder]')) {
    if (element.closest(skipped)) continue;
    for (const name of ['aria-label', 'alt', 'title', 'placeholder']) {
      if (element.hasAttribute(name)) texts.push(element.getAttribute(name));
    }
  }
  return texts;
}"""
CODE_LIKE = re.compile(r"[._/()=\[\]{}<>:#@]|\d")  # an identifier, a file, a call, a shape, an address


def english_words(text: str) -> list:
    """The Latin words of `text` a student would have to read as English."""
    words = []
    for chunk in text.split():
        if CODE_LIKE.search(chunk.strip("“”\"'.,;:!?·()")):
            continue
        for word in re.findall(r"[A-Za-z]+", chunk):
            if len(word) > 1 and word not in ALLOWED:
                words.append(word)
    return words


def assert_reads_as_korean(page, where: str):
    texts = page.evaluate(TEXTS, SKIPPED)
    assert [t for t in texts if UNRESOLVED.search(t)] == [], f"particles left unresolved: {where}"
    assert sorted({f"{w}: {t[:80]}" for t in texts for w in english_words(t)}) == [], f"English: {where}"


@pytest.mark.parametrize("path", KOREAN_VISITS, ids=[v.lstrip("/").replace("/", "_") for v in KOREAN_VISITS])
def test_a_korean_page_reads_as_korean(page, live_server, path):
    page.goto(live_server + path, wait_until="networkidle")
    assert_reads_as_korean(page, path)


def test_the_scan_would_catch_both_faults():
    assert UNRESOLVED.search("7(으)로 읽었습니다") and UNRESOLVED.search("“x”은(는) 아닙니다")
    assert english_words("모델: default · 784-768-384-10 · sigmoid") == ["default", "sigmoid"]
    assert english_words("np.bincount 한 번으로 세고, MNIST 시험 데이터의 ReLU") == []


def test_a_reading_and_its_why_read_as_korean(page, live_server):
    """The drawing page's result exists only after a reading: load a test image, show why."""
    page.goto(live_server + "/?lang=ko&model=book")
    page.get_by_test_id("compare").check()
    page.get_by_test_id("sample-digit").select_option("7")
    page.get_by_test_id("sample").click()
    expect(page.get_by_test_id("why")).to_be_visible()
    expect(page.locator("#sample-note")).to_contain_text("7")
    assert_reads_as_korean(page, "the drawing page with a reading")


def test_a_batch_run_reads_as_korean(page, live_server):
    page.goto(live_server + "/learn/batches?lang=ko")
    page.get_by_test_id("batch-run").click()
    expect(page.locator("[data-batch-size]")).to_have_count(4, timeout=120_000)
    expect(page.get_by_test_id("batch-summary")).to_be_visible()
    assert_reads_as_korean(page, "the batch lesson after a run")
