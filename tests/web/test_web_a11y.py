"""The workbench page checked by axe-core (vendored, tests/web/vendor) in each of its states, as
a person meets them in headless Chromium: empty, an error shown, a photo colorized, color
hints placed, the region map and the uncertainty shown, a check's findings (each severity),
the plausibility report's page. No violation of any impact in any of them. And what axe does
not see: in forced colors (Windows high contrast) the swatches keep the colors they stand
for, and at 400% zoom (320 CSS px) nothing scrolls sideways.

Before, a medium finding's severity badge was white on orange (3.5:1, under WCAG AA's 4.5:1),
the report page had no main landmark, forced colors blanked every swatch and the hint
markers, and the path field pushed the page wider than a 320 px window.

The tests share one page and run in order, as one session at the workbench would."""

from __future__ import annotations

import json

import pytest
from web_helpers import axe_violations, browser_api

sync_api = browser_api()

# A check's answer with a boxed finding of each severity (the tiny test model finds none).
FINDINGS = {"passed": False, "size": [128, 96], "luminance": None, "notes": ["a note"],
            "luminance_verdict": "No original was given, so the lightness was not compared "
                                 "with it.", "hint": None, "facts": [], "source": "other",
            "name": "flag.png",
            "findings": [{"kind": kind, "severity": severity, "share": 0.12,
                          "message": f"A {severity} finding.", "evidence": {"seen": "#2040c0"},
                          "box": [32, 24, 96, 72]}
                         for kind, severity in (("knowledge", "high"), ("era", "medium"),
                                                ("likelihood", "low"))]}


@pytest.fixture(scope="module")
def page(browser, web_server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(20_000)
    page.goto(web_server.url)
    page.wait_for_load_state("networkidle")
    yield page
    page.close()


def _no_violations(page, state: str) -> None:
    found = axe_violations(page)
    assert not found, f"axe-core, {state}:\n" + json.dumps(found, indent=1)


def _ready(page, version: int) -> None:
    page.wait_for_selector(f'body[data-version="{version}"][data-state="ready"]')
    assert page.is_hidden("#error"), page.inner_text("#error-text")


def test_empty(page):
    _no_violations(page, "empty")


def test_an_error_shown(page, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a photo")
    page.set_input_files("#file", str(bad))
    page.wait_for_selector("#error", state="visible")
    assert page.get_attribute("#error", "role") == "alert"  # read out when it shows
    _no_violations(page, "an error shown")
    page.click("#error-close")


def test_a_photo_colorized(page, photo_file):
    page.set_input_files("#file", str(photo_file))
    _ready(page, 1)
    _no_violations(page, "a photo colorized")


def test_hints_placed(page):
    page.fill("#hint-color-text", "#00c000")
    page.fill("#hint-source", "regimental history, p. 12")
    for version, (x, y) in enumerate(((64, 80), (20, 8)), start=2):
        page.fill("#hint-x", str(x))
        page.fill("#hint-y", str(y))
        page.click("#place-hint")
        _ready(page, version)
    assert page.locator("#hint-list li").count() == 2
    _no_violations(page, "color hints placed")


def test_region_map_and_uncertainty_shown(page):
    page.check("#show-regions")
    page.check("#show-uncertainty")
    page.focus('#region-list li[data-region="1"]')  # its region highlighted on the photo
    assert page.is_visible("#highlight-overlay")
    _no_violations(page, "the region map shown")


def test_a_check_with_findings_of_each_severity(page, photo_file):
    page.click("#check-own")
    page.wait_for_selector('body[data-checks="1"][data-state="ready"]')
    _no_violations(page, "this colorization checked")
    page.route("**/api/check", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(FINDINGS)))
    page.click("#check-other-box summary")
    page.set_input_files("#check-file", str(photo_file))
    page.click("#check-other button[type=submit]")
    page.wait_for_selector('body[data-checks="2"][data-state="ready"]')
    page.unroute("**/api/check")
    assert page.locator("#finding-list > li").count() == 3
    _no_violations(page, "a check's findings")


def test_the_report_page(browser, page):
    report = browser.new_page()
    report.goto(page.evaluate("() => document.getElementById('report-link').href"))
    assert report.title() == "Plausibility report: street.png"
    _no_violations(report, "the plausibility report")
    report.close()


def test_forced_colors_keep_the_swatches_colors(browser, web_server, photo_file):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.emulate_media(forced_colors="active")
    page.goto(web_server.url)
    page.set_input_files("#file", str(photo_file))
    page.wait_for_selector('body[data-version="1"][data-state="ready"]')
    page.fill("#hint-color-text", "#00c000")
    page.fill("#hint-x", "64")
    page.fill("#hint-y", "80")
    page.click("#place-hint")
    page.wait_for_selector('body[data-version="2"][data-state="ready"]')
    background = "n => getComputedStyle(n).backgroundColor"
    green = "rgb(0, 192, 0)"
    assert page.locator("#hint-list .swatch").evaluate(background) == green
    assert page.locator('#region-list li[data-region="1"] .swatch').evaluate(background) == green
    assert page.locator("#markers .marker").evaluate(background) == green
    page.close()


def test_at_400_percent_zoom_nothing_scrolls_sideways(browser, web_server, photo_file):
    page = browser.new_page(viewport={"width": 320, "height": 600})  # 1280 px at 400%
    page.goto(web_server.url)
    page.set_input_files("#file", str(photo_file))
    page.wait_for_selector('body[data-version="1"][data-state="ready"]')
    page.click("#check-other-box summary")
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    page.close()
