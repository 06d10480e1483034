"""The workbench opens a phone's HEIC, in headless Chromium: the file input offers .heic,
.heif and .avif files (Chromium on Linux knows no image type for them, so `image/*` alone
hid them in the picker), and the upload is colorized upright, as its JPEG would be.
Before: the upload failed with "convert it to JPEG or PNG first"."""

from __future__ import annotations

import pytest
from web_helpers import page_with_photo

from tests.heic_files import iphone_heic

pytest.importorskip("pillow_heif")


def test_the_workbench_colorizes_an_uploaded_heic(web_server, browser, tmp_path):
    page = page_with_photo(browser, web_server.url, iphone_heic(tmp_path / "IMG_0001.HEIC"))
    try:
        accepted = page.get_attribute("#file", "accept").split(",")
        assert {"image/*", ".heic", ".heif", ".avif"} <= set(accepted)
        assert page.is_hidden("#error")
        size = page.evaluate("() => ['colorized', 'original'].map((id) => "
                             "[document.getElementById(id).naturalWidth, "
                             "document.getElementById(id).naturalHeight])")
        assert size == [[32, 48], [32, 48]]  # stored 48 x 32, turned by EXIF orientation 6
        assert "IMG_0001.HEIC" in page.inner_text("#status")
    finally:
        page.close()
