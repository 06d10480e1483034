"""The workbench as a person colorizing a family photo on a phone uses it: headless Chromium
emulating an iPhone 13 (390 x 844, scale 3), a 320 px phone and a phone held sideways
(844 x 390), touch on (pointer coarse); the photo from the gallery, a 12 MP JPEG stored
sideways with EXIF orientation 6.

Before: every text field was 14 px, so iOS zoomed the page in when one got focus (typing a
hint's source or the era) and left it zoomed; the small lines under the region records and
the numbers on the swatches were 11-11.7 px; a photo over the upload limit was sent whole
(a minute and more on 3G) before the workbench refused it, and the refusal named a wrong
size ("IMG_0001.JPG: 40.0 MB is over the workbench's 40 MB limit" for a 41 MB photo)."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import uuid

import numpy as np
import pytest
from PIL import Image
from web_helpers import browser_api, tiny_pipeline, touch_page

sync_api = browser_api()

UPLOAD_LIMIT = 8_000_000  # bytes: this module's workbench refuses photos over 8 MB

# (name, width, height, device scale factor), as playwright's descriptors give them.
PHONES = [("iphone-13", 390, 844, 3), ("small-320", 320, 568, 2), ("landscape", 844, 390, 3)]

# What a phone's reader meets: sideways scrolling, text under 12 px, text fields under 16 px
# (iOS zooms in on those when they get focus), the viewport meta tag.
AUDIT_JS = """() => {
  const shown = (e) => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && !e.closest("[hidden]"); };
  const tiny = new Set(), zooming = [];
  for (const e of document.querySelectorAll("body *")) {
    const text = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const size = parseFloat(getComputedStyle(e).fontSize);
    if (text && shown(e) && size < 12) tiny.add(`${e.tagName.toLowerCase()}.${e.className} ${size}`);
  }
  for (const e of document.querySelectorAll("input, select, textarea")) {
    const typed = e.matches("select, textarea, input:not([type]), input[type=text], " +
                            "input[type=url], input[type=password], input[type=number]");
    if (typed && parseFloat(getComputedStyle(e).fontSize) < 16) zooming.push(`#${e.id}`);
  }
  return { scroll: document.scrollingElement.scrollWidth, inner: innerWidth,
           tiny: [...tiny], zooming,
           viewport: document.querySelector("meta[name=viewport]").content };
}"""


def phone_jpeg(width: int, height: int, orientation: int = 6) -> bytes:
    """A gray photo as a phone's camera stores it: landscape pixels, EXIF saying to turn it
    (6: 90 degrees clockwise, so it is seen portrait); noisy, so it is as large as a real one."""
    rng = np.random.default_rng(0)
    ramp = np.linspace(40, 220, height)[:, None] + (np.arange(width)[None, :] // 97 % 2) * 30
    pixels = np.clip(ramp + rng.normal(0, 10, (height, width)), 0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    Image.fromarray(np.stack([pixels] * 3, axis=-1)).save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def web_app(shared_tiny_weights):
    """conftest's workbench with an 8 MB upload limit (a 41 MB photo, scaled down)."""
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    config = WebConfig(max_photos=3, max_upload_bytes=UPLOAD_LIMIT)
    return create_app(tiny_pipeline(shared_tiny_weights), config)


@pytest.mark.parametrize(("name", "width", "height", "scale"), PHONES)
def test_phone_page_fits_reads_without_zoom_and_never_zooms_on_focus(
        browser, web_server, tmp_path, name, width, height, scale):
    page = touch_page(browser, width, height, scale, timeout_ms=60_000, accept_downloads=True)[0]
    page.goto(web_server.url)
    page.wait_for_load_state("networkidle")
    photo = tmp_path / "IMG_0001.JPG"
    photo.write_bytes(phone_jpeg(400, 300))
    page.set_input_files("#file", str(photo))
    page.wait_for_selector('body[data-version="1"][data-state="ready"]')
    shown = page.locator("#original").bounding_box()
    page.touchscreen.tap(shown["x"] + shown["width"] / 2, shown["y"] + shown["height"] / 2)
    page.wait_for_selector('body[data-version="2"][data-state="ready"]')
    page.click("#check-own")  # the findings, with their boxes, are read on the phone too
    page.wait_for_selector('body[data-checks="1"]')
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    audit = page.evaluate(AUDIT_JS)
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    assert audit["scroll"] <= audit["inner"] == width, f"{name} scrolls sideways: {audit}"
    assert audit["viewport"] == "width=device-width, initial-scale=1"  # and zoom allowed
    # Fields iOS zooms in on when focused, and text under 12 px: none.
    assert (audit["zooming"], audit["tiny"]) == ([], []), f"{name}: " + json.dumps(audit)
    page.context.close()


def test_a_photo_over_the_limit_is_refused_before_it_is_sent(browser, web_server):
    page = touch_page(browser, 390, 844, 3, timeout_ms=60_000, accept_downloads=True)[0]
    page.goto(web_server.url)
    page.wait_for_load_state("networkidle")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    big = b"\xff\xd8\xff" + bytes(9_200_000)
    page.set_input_files("#file", files=[{"name": "IMG_0002.JPG", "mimeType": "image/jpeg",
                                          "buffer": big}])
    page.wait_for_selector("#error:not([hidden])")
    assert page.inner_text("#error-text") == (
        "IMG_0002.JPG: 9.2 MB, larger than the workbench's 8 MB limit; open a smaller copy "
        "(a phone's photo editor or share sheet can export one)")
    assert posts == []  # not a byte of it went
    assert page.get_attribute("body", "data-state") == "empty"
    page.context.close()


def test_the_server_refuses_an_oversized_upload_without_a_wrong_size(web_server):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"IMG_0003.JPG\"\r\nContent-Type: image/jpeg\r\n\r\n").encode()
    body += bytes(9_200_000) + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        web_server.url.rstrip("/") + "/api/photos", data=body, method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
    message = json.loads(refused.value.read())["error"]["message"]
    # It read 8 MB and a byte of a 9.2 MB photo: it says "larger than", not "8.0 MB is over".
    assert message == ("IMG_0003.JPG: larger than the workbench's 8 MB limit; open a smaller "
                       "copy (a phone's photo editor or share sheet can export one)")


@pytest.mark.slow
def test_a_12_mp_gallery_photo_opens_upright_and_downloads_full_size(browser, web_server,
                                                                     tmp_path):
    """A 4000 x 3000 JPEG with orientation 6 (4.4 MB: under this module's limit)."""
    page = touch_page(browser, 390, 844, 3, timeout_ms=60_000, accept_downloads=True)[0]
    page.goto(web_server.url)
    page.wait_for_load_state("networkidle")
    photo = tmp_path / "IMG_0004.JPG"
    photo.write_bytes(phone_jpeg(4000, 3000))
    assert photo.stat().st_size < UPLOAD_LIMIT
    page.set_input_files("#file", str(photo))
    page.wait_for_selector('body[data-version="1"][data-state="ready"]', timeout=120_000)
    natural = page.evaluate("() => [original.naturalWidth, original.naturalHeight]")
    assert natural[0] * 4 == natural[1] * 3  # portrait, as the phone showed it
    assert "3000" in page.inner_text("#status") and "4000" in page.inner_text("#status")
    link = page.locator("#download-colorized").bounding_box()
    with page.expect_download(timeout=120_000) as download:
        page.touchscreen.tap(link["x"] + link["width"] / 2, link["y"] + link["height"] / 2)
    saved = tmp_path / "download.png"
    download.value.save_as(saved)
    with Image.open(saved) as result:
        assert result.size == (3000, 4000)
    page.context.close()
