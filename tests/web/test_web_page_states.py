"""The workbench page before a photo is open and when something fails, in headless Chromium as
a person would meet it: the stage is empty (no broken images) and the re-run disabled; a
failed first upload leaves the status line idle; an error raised while scrolled down (a check
of someone else's colorization) shows in the viewport and moves nothing on the page.

The tests share one page and run in order, as one session at the workbench would."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from web_helpers import browser_api, gray_photo, launch_chromium

sync_api = browser_api()
VIEWPORT = {"width": 1280, "height": 700}  # the check panel is below the fold
IDLE = "Open a photo to begin."
# Where an element is in the document (not the viewport): what a layout shift changes.
DOC_TOP_JS = "(node) => node.getBoundingClientRect().top + window.scrollY"


@pytest.fixture(scope="module")
def page(web_server):
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(20_000)
        page.goto(web_server.url)
        page.wait_for_load_state("networkidle")
        yield page
        browser.close()


def _failed_upload(page, path) -> None:
    """Uploads a file the workbench refuses and waits for the page to settle on the error."""
    if page.is_visible("#error"):
        page.click("#error-close")
    page.set_input_files("#file", str(path))
    page.wait_for_selector("#error", state="visible")
    page.wait_for_selector('body[data-state="empty"]')


def _in_viewport(page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None and box["width"] > 0, selector
    assert 0 <= box["y"] and box["y"] + box["height"] <= VIEWPORT["height"], box


def test_before_a_photo_the_stage_is_empty(page):
    assert page.is_hidden("#original") and page.is_hidden("#colorized")  # no broken images
    assert page.is_visible("#stage-empty")
    assert page.inner_text("#stage-empty") == IDLE
    assert page.is_disabled("#rerun")
    assert page.inner_text("#status") == IDLE


def test_a_failed_first_upload_leaves_the_status_idle(page, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a photo")
    _failed_upload(page, bad)
    assert "notes.txt" in page.inner_text("#error-text")
    assert page.inner_text("#status") == IDLE
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    _failed_upload(page, empty)
    assert page.inner_text("#status") == IDLE
    assert page.is_visible("#stage-empty") and page.is_hidden("#original")
    assert page.is_disabled("#rerun")


def test_an_open_photo_fills_the_stage(page, photo_file):
    page.set_input_files("#file", str(photo_file))
    page.wait_for_selector('body[data-version="1"][data-state="ready"]')
    assert page.is_hidden("#error"), page.inner_text("#error-text")
    assert page.is_visible("#original") and page.is_visible("#colorized")
    assert page.is_hidden("#stage-empty")
    assert page.is_enabled("#rerun")
    assert "street.png" in page.inner_text("#status")


def _check_other(page, colorized, original=None) -> None:
    """Checks someone else's colorization, scrolled down to the panel, and asserts that the
    refusal shows in the viewport and that nothing on the page moved."""
    submit = page.locator("#check-other button[type=submit]")
    page.set_input_files("#check-file", str(colorized))
    page.set_input_files("#check-original", [] if original is None else str(original))
    submit.scroll_into_view_if_needed()
    assert page.evaluate("() => window.scrollY") > 0  # the page's top is out of view
    before = (submit.bounding_box(), page.locator("main").evaluate(DOC_TOP_JS))
    submit.click()
    page.wait_for_selector("#error", state="visible")
    page.wait_for_selector('body[data-state="ready"]')
    _in_viewport(page, "#error")
    error, button = page.locator("#error").bounding_box(), submit.bounding_box()
    assert error["x"] + error["width"] <= button["x"], (error, button)  # the button not covered
    assert (submit.bounding_box(), page.locator("main").evaluate(DOC_TOP_JS)) == before


def test_a_check_error_shows_where_the_person_is(page, tmp_path):
    page.click("#check-other-box summary")
    bad = tmp_path / "notes.txt"
    bad.write_text("not an image")
    _check_other(page, bad)
    assert "notes.txt" in page.inner_text("#error-text")
    page.click("#error-close")
    assert page.is_hidden("#error")


def test_an_original_of_another_size_is_refused_in_view(page, tmp_path):
    pixels = np.zeros((96, 128, 3), dtype=np.uint8)
    pixels[..., 0] = 180  # a red colorization of the 128x96 photo
    colorized = tmp_path / "red.png"
    Image.fromarray(pixels).save(colorized)
    original = tmp_path / "small.png"
    original.write_bytes(gray_photo(48, 100))
    _check_other(page, colorized, original)
    assert "shapes differ" in page.inner_text("#error-text")
    page.click("#error-close")


def test_a_photo_chosen_before_the_page_heard_from_the_server_opens(page, web_server,
                                                                     photo_file):
    """The file chooser was wired only after /api/info answered: a photo chosen while that
    was on its way (a slow link, a busy server) was ignored, and the page stayed empty."""
    fresh = page.context.browser.new_page(viewport=VIEWPORT)  # the module's browser
    try:
        fresh.set_default_timeout(20_000)
        held = []
        fresh.route("**/api/info", lambda route: held.append(route))  # answered below
        fresh.goto(web_server.url)
        fresh.set_input_files("#file", str(photo_file))
        fresh.wait_for_selector('body[data-state="busy"], body[data-state="ready"]')
        held[0].continue_()
        fresh.wait_for_selector('body[data-version="1"][data-state="ready"]')
    finally:
        fresh.close()
