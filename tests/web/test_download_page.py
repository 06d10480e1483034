"""The page's "Download the colorization (PNG)", clicked in headless Chromium: the file saved
is the photo at its own size with its provenance, named after the photo, while the picture
the page shows stays display-size. Before, the button saved the display copy (here 64 px
wide for a 320 px photo) with no metadata."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from web_helpers import ThreadServer, browser_api, launch_chromium, tiny_pipeline

from colorizer.pipeline.provenance import DIGITAL_SOURCE_TYPE, read_xmp

sync_api = browser_api()
SIZE = (320, 200)


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    pixels = np.tile(np.linspace(40, 220, SIZE[0]).astype(np.uint8), (SIZE[1], 1))
    path = tmp_path_factory.mktemp("photos") / "Großmutter 1931.png"
    Image.fromarray(pixels, "L").save(path)
    return path


@pytest.fixture(scope="module")
def page(shared_tiny_weights, photo):
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    server = ThreadServer(create_app(tiny_pipeline(shared_tiny_weights),
                                     WebConfig(max_photos=2, display_side=64)))
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.set_default_timeout(20_000)
        page.goto(server.url)
        page.set_input_files("#file", str(photo))
        page.wait_for_selector('body[data-version="1"][data-state="ready"]')
        yield page
        browser.close()
    server.close()


def test_the_button_saves_the_full_size_colorization_with_provenance(page, photo):
    with page.expect_download() as download:
        page.click("#download-colorized")
    assert download.value.suggested_filename == "Großmutter 1931.colorized.png"
    with open(download.value.path(), "rb") as file:
        data = file.read()
    saved = Image.open(io.BytesIO(data))
    assert saved.size == SIZE  # the photo's own size, not the page's 64 px
    gray = np.asarray(Image.open(photo), dtype=np.float64)
    assert np.abs(np.asarray(saved.convert("L"), dtype=np.float64) - gray).mean() < 2
    xmp = read_xmp(data)
    assert xmp is not None and DIGITAL_SOURCE_TYPE.encode() in xmp
    assert b"<chronochrome:ModelName>" in xmp


def test_the_page_shows_the_display_size_copy(page):
    shown = page.evaluate("[document.getElementById('colorized').naturalWidth,"
                          " document.getElementById('colorized').naturalHeight]")
    assert shown == [64, 40]
