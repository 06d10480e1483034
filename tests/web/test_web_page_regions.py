"""The region map and the hint list agree, in headless Chromium: each hint's region is drawn
in the hint's own color (the color of its swatch in the hint list and in the region list),
and the map labels it with the hint's number, the number the hint list gives it.

Before, the map painted region k in a fixed palette's k-th color (hint 1 red, hint 2 green,
whatever colors they asked for), so a person could not tell which region was which hint."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from web_helpers import browser_api, launch_chromium, page_with_photo

sync_api = browser_api()

# Two hints on the test photo (128 x 96): the dark field and the light sky.
HINTS = (((64, 80), "#00c000", (0, 192, 0)), ((20, 8), "#1e50c8", (30, 80, 200)))

# The background color of an element, as the browser computed it.
BACKGROUND_JS = "el => getComputedStyle(el).backgroundColor"


@pytest.fixture(scope="module")
def page(web_server, photo_file):
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = page_with_photo(browser, web_server.url, photo_file)
        for version, ((x, y), color, _) in enumerate(HINTS, start=2):
            page.locator("#hint-color").fill(color)
            stage = page.locator("#stage").bounding_box()
            page.mouse.click(stage["x"] + stage["width"] * (x + 0.5) / 128,
                             stage["y"] + stage["height"] * (y + 0.5) / 96)
            page.wait_for_selector(f'body[data-version="{version}"][data-state="ready"]')
            assert page.is_hidden("#error"), page.inner_text("#error-text")
        yield page
        browser.close()


def _overlay(page) -> np.ndarray:
    """The region map the page shows, as RGBA pixels: the very PNG its overlay loaded (a
    canvas would round colors under partial opacity)."""
    src = page.get_attribute("#regions-overlay", "src")
    answer = page.request.get(page.evaluate("src => new URL(src, location).href", src))
    assert answer.ok and answer.headers["content-type"] == "image/png"
    return np.asarray(Image.open(io.BytesIO(answer.body())).convert("RGBA"))


def _rgb(rgb: tuple[int, int, int]) -> str:
    return f"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})"


def test_each_hints_region_is_drawn_in_the_hints_own_color(page):
    rows = page.locator("#hint-list li")
    assert rows.count() == len(HINTS)
    overlay = _overlay(page)
    for k, ((x, y), _, rgb) in enumerate(HINTS):
        listed = rows.nth(k).locator(".swatch").evaluate(BACKGROUND_JS)
        drawn = overlay[y, x]
        region = page.locator(f'#region-list li[data-region="{k + 1}"] .swatch')
        assert listed == _rgb(rgb), (k, listed)
        assert tuple(drawn[:3]) == rgb and drawn[3] > 0, (k, drawn)  # not the palette's
        assert region.evaluate(BACKGROUND_JS) == _rgb(rgb)


def test_the_map_numbers_each_hints_region_as_the_hint_list_does(page):
    assert page.is_hidden("#region-labels")  # with the map
    page.check("#show-regions")
    assert page.is_visible("#regions-overlay") and page.is_visible("#region-labels")
    stage = page.locator("#stage").bounding_box()
    overlay = _overlay(page)
    for k, (_, _, rgb) in enumerate(HINTS):
        number = str(k + 1)
        assert page.locator("#hint-list li").nth(k).locator(".swatch").inner_text() == number
        assert page.locator(f'#region-list li[data-region="{k + 1}"] .swatch').inner_text() \
            == number
        label = page.locator(f'#region-labels .region-label[data-region="{k + 1}"]')
        assert label.inner_text() == number
        assert label.evaluate(BACKGROUND_JS) == _rgb(rgb)
        box = label.bounding_box()  # the label stands on its own region of the map
        x = int((box["x"] + box["width"] / 2 - stage["x"]) / stage["width"] * 128)
        y = int((box["y"] + box["height"] / 2 - stage["y"]) / stage["height"] * 96)
        assert tuple(overlay[y, x, :3]) == rgb, (k, x, y, overlay[y, x])
    page.uncheck("#show-regions")
    assert page.is_hidden("#region-labels")
