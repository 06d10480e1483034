"""Opening an item of a job of the HTTP service on the workbench page, in headless Chromium:
the item's hint and its color hints (with their sources) are restored, so the colorization is
made with them, and the "job" popover closes once the item is open."""

from __future__ import annotations

import json

import pytest
from web_helpers import JOB_HINTS, FakeService, browser_api, launch_chromium

sync_api = browser_api()


@pytest.fixture(scope="module")
def service():
    fake = FakeService()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def page(web_server):
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.set_default_timeout(20_000)
        page.goto(web_server.url)
        page.wait_for_load_state("networkidle")
        yield page
        browser.close()


def test_a_job_item_opens_with_its_hints_and_closes_the_popover(page, service):
    page.click("#open-job-box summary")
    page.fill("#job-service", service.url)
    page.fill("#job-id", "j1")
    page.fill("#job-key", "good")
    with page.expect_request(lambda r: r.url.endswith("/colorize")) as sent:
        page.click("#open-job button[type=submit]")
    page.wait_for_selector('body[data-version="1"][data-state="ready"]')
    assert page.is_hidden("#error"), page.inner_text("#error-text")
    assert json.loads(sent.value.post_data)["color_hints"] == JOB_HINTS  # the run has them
    assert page.input_value("#edit-hint") == "Paris 1920"
    rows = page.locator("#hint-list li").all_inner_texts()
    assert len(rows) == 2
    assert "#00c000 at 10, 12 — regimental history, p. 12" in rows[0]
    assert "navy in the box 40,30–60,44" in rows[1]
    assert page.locator("#markers .marker").count() == 1  # a dot for the point only
    assert "regimental history, p. 12" in page.inner_text("#region-list")
    # The popover no longer covers the context card.
    assert page.get_attribute("#open-job-box", "open") is None
    assert page.is_hidden("#open-job") and page.is_visible("#context-fields .field")


def test_a_re_run_keeps_the_jobs_hints(page):
    with page.expect_request(lambda r: r.url.endswith("/colorize")) as sent:
        page.click("#rerun")
    page.wait_for_selector('body[data-version="2"][data-state="ready"]')
    assert json.loads(sent.value.post_data)["color_hints"] == JOB_HINTS
    assert page.locator("#hint-list li").count() == 2
