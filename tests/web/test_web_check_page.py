"""The check panel and the plausibility report, driven in headless Chromium as a person would:
our own colorization is checked and its lightness matches the original; someone else's,
brightened, is reported as not matching it; a finding's box is drawn over the image and
highlights when the finding is hovered; the report opens as a page that says its colors are
a reconstruction, and downloads as a PDF.

The tests share one page and run in order, as one session at the workbench would."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image
from web_helpers import browser_api, gray_photo, launch_chromium

sync_api = browser_api()


@pytest.fixture(scope="module")
def page(web_server, photo_file):
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 1400}, accept_downloads=True)
        page.set_default_timeout(20_000)
        page.goto(web_server.url)
        assert page.is_disabled("#check-own")  # nothing to check before a colorization
        page.set_input_files("#file", str(photo_file))
        page.wait_for_selector('body[data-version="1"][data-state="ready"]')
        yield page
        browser.close()


def _checked(page, count: int) -> None:
    page.wait_for_selector(f'body[data-checks="{count}"][data-state="ready"]')
    assert page.is_hidden("#error"), page.inner_text("#error-text")


def _brightened(page, tmp_path) -> str:
    """Our colorization with every channel raised by 40: the colors stay, the lightness not."""
    colorized = page.evaluate("""async () => {
      const r = await fetch(document.getElementById('colorized').src);
      return Array.from(new Uint8Array(await r.arrayBuffer()));
    }""")
    pixels = np.asarray(Image.open(io.BytesIO(bytes(colorized))).convert("RGB"), dtype=int)
    path = tmp_path / "brightened.png"
    Image.fromarray(np.clip(pixels + 40, 0, 255).astype(np.uint8)).save(path)
    return str(path)


def test_our_own_colorization_matches_its_original(page):
    page.click("#check-own")
    _checked(page, 1)
    verdict = page.locator("#luminance-verdict")
    assert verdict.get_attribute("data-matches") == "true"
    assert verdict.inner_text().startswith("The lightness matches the original")
    assert page.locator('#finding-list li[data-kind="luminance"]').count() == 0
    assert "This photo's colorization (street.png)" in page.inner_text("#check-title")
    assert page.evaluate("() => document.getElementById('check-image').naturalWidth") == 128


def test_a_brightened_colorization_is_reported(page, tmp_path):
    page.click("#check-other-box summary")
    page.set_input_files("#check-file", _brightened(page, tmp_path))
    page.check("#check-use-open")  # the open photo is its original
    page.click("#check-other button[type=submit]")
    _checked(page, 2)
    verdict = page.locator("#luminance-verdict")
    assert verdict.get_attribute("data-matches") == "false"
    assert verdict.inner_text().startswith("The lightness does not match the original")
    finding = page.locator('#finding-list li[data-kind="luminance"]')
    assert finding.count() == 1 and finding.get_attribute("data-severity") == "high"
    assert "does not match the original's" in finding.inner_text()
    assert "brightened.png against street.png" in page.inner_text("#check-title")


def test_a_finding_box_is_drawn_and_highlights_on_hover(page, tmp_path):
    """The server's answer is replaced by one with a boxed finding (the tiny test model finds
    none), so this asserts the page's drawing: box position and the hover link."""
    answer = {"passed": False, "size": [128, 96], "luminance": None, "notes": [],
              "luminance_verdict": "No original was given, so the lightness was not "
                                   "compared with it.", "hint": None, "facts": [],
              "source": "other", "name": "flag.png",
              "findings": [{"kind": "knowledge", "severity": "medium", "share": 0.12,
                            "message": "The flag's cloth is blue; no documented color is.",
                            "evidence": {"seen": "blue"}, "box": [32, 24, 96, 72]}]}
    page.route("**/api/check", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(answer)))
    # A file of this test's own: the one the last test chose went with its tmp_path.
    page.set_input_files("#check-file", _brightened(page, tmp_path))
    page.uncheck("#check-use-open")
    page.click("#check-other button[type=submit]")
    _checked(page, 3)
    page.unroute("**/api/check")
    assert page.locator("#luminance-verdict").get_attribute("data-matches") == "none"
    box = page.locator("#check-boxes .finding-box")
    assert box.count() == 1
    figure = page.locator("#check-figure").bounding_box()
    drawn = box.bounding_box()
    assert abs(drawn["x"] - figure["x"] - figure["width"] / 4) < 2  # x0 = 32 of 128 px
    assert abs(drawn["width"] - figure["width"] / 2) < 3
    assert "active" not in (box.get_attribute("class") or "")
    page.hover('#finding-list li[data-kind="knowledge"]')
    assert "active" in box.get_attribute("class")


def test_a_gray_image_is_refused_with_a_message(page, tmp_path):
    gray = tmp_path / "gray.png"
    gray.write_bytes(gray_photo())
    page.set_input_files("#check-file", str(gray))
    page.click("#check-other button[type=submit]")
    page.wait_for_selector("#error", state="visible")
    assert "has no color" in page.inner_text("#error-text")
    page.click("#error-close")


def test_the_report_opens_as_a_page_with_the_statement(page):
    with page.context.expect_page() as opened:
        page.click("#report-link")
    report = opened.value
    report.wait_for_load_state()
    assert report.title() == "Plausibility report: street.png"
    assert "The colors in this image are a reconstruction" in report.inner_text(".statement")
    assert report.locator("img").count() >= 3  # original, colorization, findings marked
    report.close()


def test_the_report_downloads_as_a_pdf(page):
    with page.expect_download() as download:
        page.click("#report-pdf")
    assert download.value.suggested_filename == "street.report.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert page.is_hidden("#error")
