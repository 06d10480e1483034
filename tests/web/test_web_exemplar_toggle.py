"""The exemplar list's "where its color went" button, as a screen reader meets it: named for
its exemplar, and a toggle that says whether that exemplar's highlight is on (aria-pressed),
in headless Chromium over real HTTP. A reference photo (`colorize --exemplar`, chosen in the
context form) is the exemplar: the tests' pipeline retrieves none.

Before, every exemplar's button had the one accessible name "where its color went", and
nothing said whether its region was shown on the photo (nor could a second press hide it)."""

from __future__ import annotations

import pytest
from web_helpers import ThreadServer, color_print, gray_photo, page_with_photo


@pytest.fixture(scope="module")
def server(shared_tiny_weights):
    from colorizer import ColorizationPipeline
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    pipeline = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                    context=False, exemplars=False,
                                                    render_size=64)
    served = ThreadServer(create_app(pipeline, WebConfig(display_side=64)))
    yield served
    served.close()


def test_the_exemplar_button_names_its_exemplar_and_says_if_its_highlight_is_on(
        browser, server, tmp_path):
    (tmp_path / "street.png").write_bytes(gray_photo())
    (tmp_path / "postcard.png").write_bytes(color_print())
    page = page_with_photo(browser, server.url, tmp_path / "street.png")
    page.set_input_files("#reference-file", str(tmp_path / "postcard.png"))
    page.wait_for_selector('body[data-version="2"][data-state="ready"]', timeout=30_000)
    button = page.get_by_role("button", name="where the color of postcard.png went",
                                exact=True)
    assert button.count() == 1  # one exemplar, one button, named for it
    assert button.inner_text() == "where its color went"  # what a sighted person reads
    assert button.get_attribute("aria-pressed") == "false"
    assert page.is_hidden("#highlight-overlay")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert page.is_visible("#highlight-overlay")
    button.click()  # pressed again: the highlight goes off, and the button says so
    assert button.get_attribute("aria-pressed") == "false"
    assert page.is_hidden("#highlight-overlay")
    page.close()
