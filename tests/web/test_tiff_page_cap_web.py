"""The workbench judges its pixel cap on the page it decodes, in headless Chromium as a person
meets it: a TIFF whose page 1 is a small preview and whose page 2 is over the cap was opened
(a 64x43 preview before a 30000x20000 page: 1.5 GB in the workbench's process); now the page
shows the loader's one-line refusal, and the next photo opens as usual."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from web_helpers import ThreadServer, browser_api, gray_photo, launch_chromium, tiny_pipeline

sync_api = browser_api()


@pytest.fixture(scope="module")
def page(shared_tiny_weights):
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    server = ThreadServer(create_app(tiny_pipeline(shared_tiny_weights),
                                     WebConfig(max_pixels=1_000_000)))
    try:
        with sync_api.sync_playwright() as pw:
            browser = launch_chromium(pw)
            page = browser.new_page()
            page.set_default_timeout(30_000)
            page.goto(server.url)
            page.wait_for_load_state("networkidle")
            yield page
            browser.close()
    finally:
        server.close()


def test_a_tiffs_page_over_the_cap_is_refused_and_the_next_photo_opens(page, tmp_path):
    rng = np.random.default_rng(0)
    scan_page = Image.fromarray((rng.random((1000, 1200)) * 255).astype(np.uint8))
    scan = tmp_path / "scan.tif"
    scan_page.resize((40, 33)).save(scan, save_all=True, append_images=[scan_page],
                                    compression="tiff_adobe_deflate")
    page.set_input_files("#file", str(scan))
    page.wait_for_selector("#error", state="visible")
    assert ("scan.tif: image is 1200x1000 = 1,200,000 pixels (page 2 of 2, the full-size "
            "one), above the limit of 1,000,000") in page.inner_text("#error-text")
    assert page.is_hidden("#original")
    photo = tmp_path / "street.png"
    photo.write_bytes(gray_photo())
    page.click("#error-close")
    page.set_input_files("#file", str(photo))
    page.wait_for_selector('body[data-state="ready"]')
    assert page.is_visible("#original")
