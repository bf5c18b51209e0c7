"""Lessons 5 and 6 in real Chromium against the live server: the batch run fills its table row by
row (one short request per way), and a cell of the confusion matrix opens its images, by mouse
and by keyboard. Every wait is on the page's state, never a fixed sleep."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROWS = '[data-testid="batch-results"] tbody tr[data-batch-size]'


def test_batch_run_fills_four_rows_and_the_chart(page, live_server):
    page.goto(live_server + "/learn/batches?model=book")
    page.get_by_test_id("batch-run").click()
    expect(page.locator(ROWS)).to_have_count(4, timeout=30_000)
    expect(page.get_by_test_id("batch-pending")).to_have_count(0)
    sizes = page.locator(ROWS).evaluate_all("rows => rows.map(r => r.dataset.batchSize)")
    assert sizes == ["1", "10", "100", "1000"]
    accuracies = page.locator(ROWS).evaluate_all("rows => rows.map(r => r.dataset.accuracy)")
    assert accuracies == ["0.9352"] * 4
    assert all(float(us) > 0 for us in page.locator(ROWS).evaluate_all("rows => rows.map(r => r.dataset.usPerImage)"))
    expect(page.locator(ROWS).nth(2)).to_contain_text("x (100, 784) → y (100, 10)")
    expect(page.locator('[data-testid="batch-chart"] .batch-bar')).to_have_count(4)
    expect(page.get_by_test_id("batch-summary")).to_be_visible()


def test_batch_run_by_keyboard_starts_over(page, live_server):
    page.goto(live_server + "/learn/batches?model=book")
    page.get_by_test_id("batch-run").focus()
    page.keyboard.press("Enter")
    expect(page.locator(ROWS)).to_have_count(4, timeout=30_000)
    page.locator(ROWS).evaluate_all("rows => rows.forEach(r => r.dataset.old = 'yes')")
    page.keyboard.press("Enter")  # a second run replaces the first one's rows
    expect(page.locator(ROWS + ":not([data-old])")).to_have_count(4, timeout=30_000)
    expect(page.locator(ROWS)).to_have_count(4)
    expect(page.get_by_test_id("batch-pending")).to_have_count(0)


def test_confusion_cell_shows_its_misread_images(page, live_server):
    page.goto(live_server + "/learn/test-set?model=book")
    cell = page.locator('[data-testid="confusion-matrix"] td[data-true="4"][data-predicted="9"]')
    count = int(cell.get_attribute("data-count"))
    assert count > 0
    cell.locator("a").click()
    items = page.get_by_test_id("misread")
    expect(items.first).to_be_visible()
    assert items.count() == min(count, 40)
    for href in items.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert re.search(r"^/inside\?.*sample=\d+", href), href
    expect(page).to_have_url(re.compile(r"/learn/test-set\?.*true=4.*predicted=9"))
    expect(page.locator("#cell-4-9")).to_be_focused()
    items.first.click()
    expect(page).to_have_url(re.compile(r"/inside\?.*sample=\d+"))
    expect(page.locator("#reading")).to_have_attribute("data-state", "ready")


def test_confusion_cell_by_keyboard_and_pages(page, live_server):
    page.goto(live_server + "/learn/test-set?model=book")
    page.locator("#cell-0-0").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#misread-title")).to_contain_text("0")
    expect(page.get_by_test_id("misread")).to_have_count(40)
    first = page.get_by_test_id("misread").first.get_attribute("data-sample")
    page.locator("#misread-next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.get_by_test_id("misread").first).not_to_have_attribute("data-sample", first)
