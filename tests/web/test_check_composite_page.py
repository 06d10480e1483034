"""The workbench's "Check a colorization" with a before/after composite, in headless Chromium
as a historian uses it: the composite found online and its archive original are chosen, the
page outlines the half that was checked on the picture and says which in a line of text.

Before: the page's answer (check_view) dropped the check's `composite` key, so the page
showed the whole composite under "no finding" with nothing to say that its gray half had not
been looked at (only a note at the bottom, in small gray text). A single colorization checked
afterwards shows no outline and no such line."""

from __future__ import annotations

import json
from io import BytesIO

import numpy as np
import pytest
from PIL import Image
from web_helpers import browser_api

from tests.test_check_composite import GUTTER, before_after, scene

sync_api = browser_api()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("composite-page")
    color = scene()
    gray = color.convert("L")
    gray.save(folder / "archive.png")
    color.save(folder / "alone.png")
    before_after(gray, color).save(folder / "posted.png")
    return folder, color.size


@pytest.fixture(scope="module")
def page(browser, web_server):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(30_000)
    page.goto(web_server.url)
    page.click("#check-other-box summary")
    yield page
    page.close()


def _check(page, colorized, original, count: int) -> dict:
    page.set_input_files("#check-file", str(colorized))
    page.set_input_files("#check-original", str(original))
    with page.expect_response("**/api/check") as answer:
        page.click("#check-other button[type=submit]")
    page.wait_for_selector(f'body[data-checks="{count}"]:not([data-state="busy"])')
    assert page.is_hidden("#error"), page.inner_text("#error-text")
    return json.loads(answer.value.text())


def test_the_checked_half_is_outlined_and_named(page, files):
    folder, (w, h) = files
    answer = _check(page, folder / "posted.png", folder / "archive.png", 1)
    line = page.locator("#check-composite")
    assert line.count() == 1 and line.is_visible()
    assert line.inner_text() == (
        "Checked: the colorization half of a before/after composite (right half: x "
        f"{w + GUTTER}-{2 * w + GUTTER}), outlined in blue on the image; the black-and-white "
        '"before" beside it was not checked.')
    # Said next to the verdict, not only in the notes at the bottom.
    assert page.evaluate("() => document.getElementById('check-title').nextElementSibling.id"
                         ) == "check-composite"
    outline = page.locator("#check-boxes .composite-box")
    assert outline.count() == 1
    figure = page.locator("#check-image").bounding_box()
    drawn = outline.bounding_box()
    scale = figure["width"] / (2 * w + GUTTER)
    assert abs(drawn["x"] - figure["x"] - (w + GUTTER) * scale) < 1.5
    assert abs(drawn["width"] - w * scale) < 1.5
    assert abs(drawn["height"] - figure["height"]) < 1.5
    style = page.evaluate("""() => { const s = getComputedStyle(
        document.querySelector('#check-boxes .composite-box'));
        return [s.borderLeftStyle, s.borderLeftColor]; }""")
    assert style == ["dashed", "rgb(26, 95, 180)"]
    # What a person sees: the blue dashes on the left edge of the right half, none on the left.
    shot = page.locator("#check-figure").screenshot()
    pixels = np.asarray(Image.open(BytesIO(shot)).convert("RGB"), dtype=int)
    blue = np.abs(pixels - (26, 95, 180)).max(axis=-1) < 40
    left_edge = round((w + GUTTER) * scale * pixels.shape[1] / figure["width"])
    assert blue[:, left_edge:left_edge + 3].any(axis=1).mean() > 0.4  # dashed: about half
    assert not blue[:, :left_edge - 2].any()
    assert answer["composite"]["colorization_box"] == [w + GUTTER, 0, 2 * w + GUTTER, h]


def test_a_single_colorization_shows_no_outline(page, files):
    folder, _ = files
    answer = _check(page, folder / "alone.png", folder / "archive.png", 2)
    assert "composite" not in answer
    assert page.locator("#check-boxes .composite-box").count() == 0
    assert page.locator("#check-composite").is_hidden()
