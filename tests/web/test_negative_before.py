"""The workbench's "before" of a scanned negative: the slider shows the positive gray the
colorization was made from (the server's, by the pipeline's own inversion), not the scan, and
the scan again once "This is a negative" is unticked; the check against the open photo, the
report and the download agree with it.

Before, the slider's "before" stayed the negative as scanned: every tone reversed beside the
colorization (mean L* 39 against 64 on an inverted street photo), and a color negative's
orange film base showed beside a gray-toned colorization."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import torch
from PIL import Image
from web_helpers import axe_violations, gray_photo, orange_negative, page_with_photo

from colorizer.model.colorspace import rgb_to_lab

# An image of the page as it shows it (its natural size), read through a canvas: RGB rows.
IMAGE_JS = """(id) => {
  const img = document.getElementById(id);
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  return [c.width, c.height, Array.from(g.getImageData(0, 0, c.width, c.height).data)];
}"""


@pytest.fixture(scope="module")
def client(web_app):
    from fastapi.testclient import TestClient

    with TestClient(web_app) as c:
        yield c


def _lab(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8-valued RGB -> (3, H, W) L*a*b*."""
    tensor = torch.from_numpy(rgb.astype(np.float32) / 255).permute(2, 0, 1)[None]
    return rgb_to_lab(tensor)[0].numpy()


def _shown_lab(page, element_id: str) -> np.ndarray:
    width, height, data = page.evaluate(IMAGE_JS, element_id)
    return _lab(np.array(data, dtype=np.uint8).reshape(height, width, 4)[..., :3])


def _scan_lightness(data: bytes) -> np.ndarray:
    return _lab(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))[0]



def _tick(page, checked: bool, version: int) -> None:
    box = page.get_by_role("checkbox", name="This is a negative")
    box.check() if checked else box.uncheck()
    page.wait_for_selector(f'body[data-version="{version}"][data-state="ready"]')
    assert page.is_hidden("#error"), page.inner_text("#error-text")


def test_the_slider_shows_a_negatives_positive_and_the_scan_once_unticked(
        browser, web_server, tmp_path):
    scan = gray_photo()
    path = tmp_path / "negative.png"
    path.write_bytes(scan)
    page = page_with_photo(browser, web_server.url, path)
    scan_l = _scan_lightness(scan)
    positive_l = _scan_lightness(_png(255 - _pixels(scan)))  # the scan inverted
    assert np.abs(scan_l - positive_l).mean() > 20  # the two differ plainly

    _tick(page, True, 2)
    before, after = _shown_lab(page, "original"), _shown_lab(page, "colorized")
    # The before is the inverted scan, the gray the colorization kept the L* of.
    assert np.abs(before[0] - positive_l).mean() < 1.0, np.abs(before[0] - scan_l).mean()
    assert np.abs(before[0] - after[0]).mean() < 1.0
    assert np.abs(before[1:]).max() < 1.0  # gray
    assert page.inner_text("#before-label") == "original, inverted"
    assert "as a positive" in page.get_attribute("#original", "alt")
    found = axe_violations(page)
    assert not found, json.dumps(found, indent=1)

    _tick(page, False, 3)
    before = _shown_lab(page, "original")
    assert np.abs(before[0] - scan_l).max() < 0.5  # the scan as given again
    assert page.inner_text("#before-label") == "original"
    assert page.get_attribute("#original", "alt") == "negative.png, the original"
    page.close()


def test_a_color_negatives_before_is_its_gray_positive_not_the_orange_scan(
        browser, web_server, tmp_path):
    path = tmp_path / "film.png"
    path.write_bytes(orange_negative())
    page = page_with_photo(browser, web_server.url, path)
    scan = _shown_lab(page, "original")
    assert np.hypot(scan[1], scan[2]).mean() > 25  # the orange film base, as scanned

    _tick(page, True, 2)
    before, after = _shown_lab(page, "original"), _shown_lab(page, "colorized")
    assert np.hypot(before[1], before[2]).max() < 1.0  # no orange left: the positive gray
    assert np.abs(before[0] - after[0]).mean() < 1.0, (before[0].mean(), after[0].mean())
    # A hint placed on the negative re-runs; the before stays the positive.
    page.fill("#hint-x", "10")
    page.fill("#hint-y", "10")
    page.click("#place-hint")
    page.wait_for_selector('body[data-version="3"][data-state="ready"]')
    assert page.get_attribute("#original", "src").endswith("/positive.png")
    page.close()


def test_someone_elses_colorization_of_an_open_negative_is_checked_against_its_positive(
        client):
    """'The open photo is its original' compared with the negative as scanned: our own
    download of its colorization was reported as not matching its lightness."""
    opened = client.post("/api/photos", files={"file": ("neg.png", gray_photo(), "image/png")})
    url = f"/api/photos/{opened.json()['id']}"
    assert client.post(f"{url}/colorize", json={"negative": True}).status_code == 200
    theirs = client.get(f"{url}/download").content
    report = client.post("/api/check", files={"file": ("theirs.png", theirs, "image/png")},
                         data={"original_photo": opened.json()["id"]}).json()
    assert report["luminance"]["matches"], report["luminance_verdict"]
    # Read as a print again, the open photo is the scan: the same file no longer matches it.
    assert client.post(f"{url}/colorize", json={}).status_code == 200
    report = client.post("/api/check", files={"file": ("theirs.png", theirs, "image/png")},
                         data={"original_photo": opened.json()["id"]}).json()
    assert not report["luminance"]["matches"], report["luminance_verdict"]


def test_the_positive_is_served_once_a_photo_is_colorized_as_a_negative(client):
    opened = client.post("/api/photos", files={"file": ("neg.png", gray_photo(), "image/png")})
    url = f"/api/photos/{opened.json()['id']}"
    client.post(f"{url}/colorize", json={})
    refused = client.get(f"{url}/positive.png")
    assert refused.status_code == 404
    assert refused.json()["error"]["message"].endswith(
        'has no positive; colorize it with "negative": true first')
    client.post(f"{url}/colorize", json={"negative": True})
    positive = np.asarray(Image.open(io.BytesIO(client.get(f"{url}/positive.png").content)))
    assert positive.shape == (96, 128)
    assert (np.abs(positive.astype(int) - (255 - _pixels(gray_photo()))) <= 1).all()


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)), dtype=int)


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()
