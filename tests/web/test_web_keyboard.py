"""The workbench used with the keyboard alone, in headless Chromium, as a person who cannot use
a mouse would: Tab and Shift+Tab move the focus (a ring shows on each stop, tab_to asserts
it), Enter, Space and the arrow keys act. A photo is opened, a context typed and re-run, a
color hint placed on the photo with the arrow keys and Enter and another by typing its X and
Y, one removed, the region map switched and a region shown, the colorization and the report
downloaded, an error dismissed; the status line (role=status) says what each step did.

Before, "Open a photo" was out of the Tab order (its file input hidden), a hint could only be
placed by clicking, the region and finding rows lit up only under the mouse, the remove
buttons were all named "remove", there was no way to download the colorization, and the
status line gave the photo's name whatever had happened.

The tests share one page and run in order, as one session at the workbench would."""

from __future__ import annotations

import pytest
from web_helpers import PIXEL_JS, browser_api, launch_chromium, tab_to

sync_api = browser_api()

@pytest.fixture(scope="module")
def page(web_server):
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.set_default_timeout(20_000)
        # Playwright turns on catching file choosers when one is first awaited, in a message
        # a key press can overtake (the chooser then opens natively, unseen): on from here.
        page.on("filechooser", lambda chooser: None)
        page.goto(web_server.url)
        page.wait_for_load_state("networkidle")
        yield page
        browser.close()


def _ready(page, version: int) -> None:
    page.wait_for_selector(f'body[data-version="{version}"][data-state="ready"]')
    assert page.is_hidden("#error"), page.inner_text("#error-text")


def _status(page) -> str:
    return page.locator("#status").text_content()


def _cursor(page) -> tuple[int, int]:
    return int(page.input_value("#hint-x")), int(page.input_value("#hint-y"))


def test_a_photo_is_opened_from_the_keyboard(page, photo_file):
    tab_to(page, "#file")  # the first stop: "Open a photo…"
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(photo_file))
    _ready(page, 1)
    assert _status(page).startswith("Opened and colorized. street.png")
    assert page.get_attribute("#status", "role") == "status"


def test_a_context_is_typed_and_rerun(page):
    tab_to(page, "#edit-hint")
    page.keyboard.type("Kazan 1950s")
    page.keyboard.press("Enter")  # submits the context form
    _ready(page, 2)
    assert page.inner_text('.field[data-field="era"] .value') == "1950-1959"
    assert _status(page).startswith("Re-run with the new context.")


def test_a_hint_is_placed_with_the_arrow_keys(page):
    tab_to(page, "#hint-color-text", back=True)
    page.keyboard.press("Control+A")
    page.keyboard.type("#00c000")
    assert page.input_value("#hint-color") == "#00c000"  # the picker follows
    page.keyboard.press("Tab")
    page.keyboard.type("regimental history, p. 12")
    tab_to(page, "#stage", back=True)
    assert page.is_visible("#hint-cursor")  # the cross shows where the hint goes
    assert _cursor(page) == (64, 48)  # the middle of the 128 x 96 photo
    page.keyboard.press("Shift+ArrowDown")  # ten steps of 1% of 128 px
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowRight")
    assert _cursor(page) == (64, 60)
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")  # kept on the photo
    assert _cursor(page) == (64, 80)
    before = page.evaluate(PIXEL_JS, [64, 80])
    page.keyboard.press("Enter")
    _ready(page, 3)
    after = page.evaluate(PIXEL_JS, [64, 80])
    assert after[1] - after[0] > before[1] - before[0] + 20, (before, after)  # greener
    assert "#00c000 at 64, 80 — regimental history" in page.inner_text("#hint-list")
    assert _status(page).startswith("Hint 1 placed at 64, 80.")
    assert page.evaluate("() => document.activeElement.id") == "stage"  # to place another


def test_a_hint_is_placed_by_typing_its_point(page):
    tab_to(page, "#hint-x")
    page.keyboard.type("20")
    page.keyboard.press("Tab")
    page.keyboard.type("8")
    page.keyboard.press("Enter")
    _ready(page, 4)
    assert page.locator("#hint-list li").count() == 2
    assert "#00c000 at 20, 8" in page.locator("#hint-list li").nth(1).inner_text()
    assert _status(page).startswith("Hint 2 placed at 20, 8.")


def test_an_error_is_announced_and_dismissed(page):
    page.fill("#hint-x", "500")  # off the photo
    tab_to(page, "#place-hint")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error", state="visible")
    assert page.get_attribute("#error", "role") == "alert"
    assert "outside the photo" in page.inner_text("#error-text")
    tab_to(page, "#error-close", back=True)
    assert page.get_attribute("#error-close", "aria-label") == "dismiss the error"
    page.keyboard.press("Enter")
    assert page.is_hidden("#error")
    # Focus back where the person was, not at the top of the page.
    assert page.evaluate("() => document.activeElement.id") == "place-hint"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # to X, still 500: Enter there submits it again
    page.keyboard.press("Enter")  # and Escape closes the error from anywhere
    page.wait_for_selector("#error", state="visible")
    page.keyboard.press("Escape")
    assert page.is_hidden("#error")


def test_a_hint_is_removed(page):
    remove = page.locator("#hint-list li").nth(0).locator("button")
    assert remove.get_attribute("aria-label") == "remove hint 1: #00c000 at 64, 80"
    tab_to(page, "#hint-list li:first-child button", back=True)
    page.keyboard.press("Enter")
    _ready(page, 5)
    assert page.locator("#hint-list li").count() == 1
    assert _status(page).startswith("Hint 1 removed.")
    # The focus on the remove button of the hint now first, not lost to the page.
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") \
        == "remove hint 1: #00c000 at 20, 8"


def test_the_region_map_is_switched_and_a_region_shown(page):
    tab_to(page, "#show-regions", back=True)
    page.keyboard.press("Space")
    assert page.is_checked("#show-regions") and page.is_visible("#regions-overlay")
    assert page.is_hidden("#highlight-overlay")
    tab_to(page, '#region-list li[data-region="1"]')  # the hint's region
    assert page.is_visible("#highlight-overlay")
    assert "active" in page.get_attribute('#region-list li[data-region="1"]', "class")
    page.keyboard.press("Tab")
    assert "active" not in (page.get_attribute('#region-list li[data-region="1"]', "class")
                            or "")


def test_the_colorization_downloads(page):
    tab_to(page, "#download-colorized", back=True)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "street.colorized.png"
    with open(download.value.path(), "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"


def test_a_check_is_announced_and_the_report_downloads(page):
    tab_to(page, "#check-own")
    page.keyboard.press("Enter")
    page.wait_for_selector('body[data-checks="1"][data-state="ready"]')
    assert "Checked:" in _status(page) and "listed under Check a colorization" in _status(page)
    tab_to(page, "#report-pdf")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "street.report.pdf"
    assert _status(page).startswith("Report downloaded.")
