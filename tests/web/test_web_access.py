"""The workbench as a phone user and a keyboard-only, screen-reader user meet it, in headless
Chromium against a served workbench (not on this machine: it opens no paths; 8 MB uploads).

A finger drawn sideways across the photo moves the comparison's split (the photo lets the
browser have only up-and-down scrolling and pinching), a swipe up or down still scrolls and a
tap still places a hint; a mouse dragged across the photo compares too, and places nothing.
"Check someone else's colorization" refuses an image over the limit before sending it, as
opening a photo does, and offers HEIC files; a HEIC it checked, which no browser here can
show, gets a sentence saying so in place of the picture, and each finding says in pixels
where it is. Done with the keyboard alone, with no photo open, the check is announced in the
status line (role=status) and axe-core finds nothing.

Before: a sideways drag on the photo did nothing (the slider under it was the only way), the
check panel sent an oversized image whole to be refused and hid HEIC files in the picker, a
checked HEIC left an empty space where its picture should be, a check with no photo open was
announced as "Open a photo to begin.", and the "Open path" form, hidden by its attribute but
shown by its CSS, took two Tab stops on a workbench that cannot open paths."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from web_helpers import (
    axe_violations,
    browser_api,
    finger_drag,
    tab_to,
    tiny_pipeline,
    touch_page,
)

sync_api = browser_api()

UPLOAD_LIMIT = 8_000_000  # bytes: this module's workbench refuses uploads over 8 MB


@pytest.fixture(scope="module")
def web_app(shared_tiny_weights):
    """A workbench reached over the network (no paths, no jobs), with an 8 MB limit."""
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    config = WebConfig(max_photos=3, max_upload_bytes=UPLOAD_LIMIT)
    return create_app(tiny_pipeline(shared_tiny_weights), config)


def opened(page, url: str, photo) -> dict:
    """The photo opened and colorized; its box on the page (CSS px of the viewport)."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.set_input_files("#file", str(photo))
    page.wait_for_selector('body[data-version="1"][data-state="ready"]')
    return page.locator("#original").bounding_box()


def split_shown(page) -> tuple[int, str]:
    clip = page.evaluate("() => getComputedStyle(document.getElementById('colorized-layer'))"
                         ".clipPath")
    return int(page.input_value("#split")), clip


def test_a_sideways_drag_on_the_photo_compares_a_swipe_scrolls_a_tap_places(
        browser, web_server, wide_photo):
    page, cdp = touch_page(browser)
    opened(page, web_server.url, wide_photo)
    page.evaluate("() => scrollTo(0, 60)")
    page.wait_for_timeout(200)
    box = page.locator("#original").bounding_box()
    y = box["y"] + box["height"] / 2
    # From 70% to 25% of the photo's width, wobbling down a little as a thumb does.
    finger_drag(cdp, [(box["x"] + box["width"] * (0.70 - 0.05 * k), y + k) for k in range(10)])
    page.wait_for_timeout(300)
    split, clip = split_shown(page)
    assert abs(split - 25) <= 1, split
    assert clip == f"inset(0px {100 - split}% 0px 0px)"
    assert page.evaluate("() => [scrollX, scrollY, state.hints.length]") == [0, 60, 0]
    assert page.get_attribute("body", "data-version") == "1"
    # Up the photo: the page scrolls, the split stays, no hint.
    finger_drag(cdp, [(box["x"] + box["width"] * 0.5, y - 10 * k) for k in range(10)])
    page.wait_for_timeout(300)
    assert page.evaluate("() => scrollY") > 60
    assert split_shown(page)[0] == split and page.evaluate("() => state.hints.length") == 0
    # And a tap after it all is still a hint, under the finger.
    page.evaluate("() => scrollTo(0, 0)")
    page.wait_for_timeout(200)
    box = page.locator("#original").bounding_box()
    finger_drag(cdp, [(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)])
    page.wait_for_selector('body[data-version="2"][data-state="ready"]')
    (x, y), = page.evaluate("() => state.hints.map((h) => h.point)")
    assert abs(x - 150) <= 2 and abs(y - 300) <= 2, (x, y)
    page.context.close()


def test_a_mouse_dragged_across_the_photo_compares_and_places_nothing(
        browser, web_server, wide_photo):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(20_000)
    box = opened(page, web_server.url, wide_photo)
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.8, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, y, steps=8)
    page.mouse.up()
    page.wait_for_timeout(500)
    assert abs(split_shown(page)[0] - 30) <= 1
    assert page.evaluate("() => state.hints.length") == 0
    assert page.get_attribute("body", "data-version") == "1"
    page.mouse.click(box["x"] + box["width"] * 0.5, y)  # a click is still a hint
    page.wait_for_selector('body[data-version="2"][data-state="ready"]')
    assert page.evaluate("() => state.hints.length") == 1
    page.close()


@pytest.mark.parametrize("field", ["#check-file", "#check-original"])
def test_the_check_panel_refuses_an_oversized_image_before_sending_it(
        browser, web_server, wide_photo, field):
    page, _ = touch_page(browser)
    page.goto(web_server.url)
    page.wait_for_load_state("networkidle")
    page.click("#check-other-box summary")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    big = {"name": "IMG_0002.JPG", "mimeType": "image/jpeg",
           "buffer": b"\xff\xd8\xff" + bytes(9_200_000)}
    page.set_input_files("#check-file", str(wide_photo) if field != "#check-file" else [big])
    if field != "#check-file":
        page.set_input_files(field, files=[big])
    page.click("#check-other button[type=submit]")
    page.wait_for_selector("#error:not([hidden])")
    assert page.inner_text("#error-text") == (
        "IMG_0002.JPG: 9.2 MB, larger than the workbench's 8 MB limit; choose a smaller copy "
        "(a phone's photo editor or share sheet can export one)")
    assert posts == []  # not a byte of it went
    assert page.get_attribute("body", "data-checks") == "0"
    page.context.close()


@pytest.mark.slow
def test_a_heic_is_checked_from_the_keyboard_and_said_to_have_no_preview(
        browser, web_server, tmp_path):
    """No photo open, no mouse: Tab, Enter and the file chooser, as a screen-reader user."""
    pytest.importorskip("pillow_heif")
    from tests.heic_files import iphone_heic

    heic = iphone_heic(tmp_path / "IMG_0001.HEIC")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.on("filechooser", lambda chooser: None)  # caught from here on (test_web_keyboard)
    page.goto(web_server.url)
    page.wait_for_load_state("networkidle")
    accepted = set(page.get_attribute("#check-file", "accept").split(","))
    assert {".heic", ".heif"} <= accepted  # else the picker hides the phone's photos
    tab_to(page, "#check-other-box summary")
    page.keyboard.press("Enter")
    tab_to(page, "#check-file")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(heic))
    tab_to(page, "#check-hint")
    page.keyboard.type("USSR 1950")
    page.keyboard.press("Enter")  # submits the check form
    page.wait_for_selector('body[data-checks="1"][data-state="empty"]')  # no photo open
    assert page.is_hidden("#error"), page.inner_text("#error-text")
    assert page.locator("#status").text_content().startswith(
        "Checked: no finding, listed under Check a colorization.")
    assert page.is_hidden("#check-figure")  # no empty frame, no broken picture
    assert page.inner_text("#check-no-preview") == (
        "IMG_0001.HEIC: no preview, this browser cannot show HEIC images. It was checked "
        "all the same.")
    found = axe_violations(page)
    assert not found, json.dumps(found, indent=1)
    page.close()


def test_a_finding_says_in_pixels_where_it_is(browser, web_server):
    page = browser.new_page()
    page.goto(web_server.url)
    page.wait_for_load_state("networkidle")
    place = page.evaluate("""() => [
      findingPlace({ kind: "knowledge", share: 0.12, box: [32, 24, 96, 72] }),
      findingPlace({ kind: "luminance", share: 1, box: [0, 0, 128, 96] }),
      noPreview({ name: "scan.jxl", type: "" }, 2)]""")
    assert place == ["covers 12% of the image, in the box from 32, 24 to 96, 72 px",
                     "covers 100% of the image",
                     ("scan.jxl: no preview, this browser cannot show this image. It was "
                      "checked all the same: each finding below says where it is, in pixels.")]
    page.close()


# Each text the status line (role=status: read out at each change) takes, in order.
STATUS_LINES_JS = """() => {
  window.statusLines = [];
  new MutationObserver(() => statusLines.push(document.getElementById("status").textContent))
    .observe(document.getElementById("status"), { childList: true, characterData: true,
                                                  subtree: true });
}"""


def test_a_slow_upload_is_read_out_by_the_quarter_not_by_the_percent(
        browser, web_server, tmp_path):
    page, cdp = touch_page(browser)
    page.goto(web_server.url)
    page.wait_for_load_state("networkidle")
    noise = np.random.default_rng(0).integers(0, 256, (300, 400), dtype=np.uint8)
    photo = tmp_path / "IMG_0005.PNG"
    Image.fromarray(noise, "L").save(photo)  # about 120 kB: 3 s at 40 kB/s
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 100, "downloadThroughput": 1_000_000,
        "uploadThroughput": 40_000})
    page.evaluate(STATUS_LINES_JS)
    page.set_input_files("#file", str(photo))
    page.wait_for_selector('body[data-version="1"][data-state="ready"]')
    lines = page.evaluate("() => statusLines")
    uploading = [line for line in lines if line.startswith("uploading")]
    assert uploading and set(uploading) <= {f"uploading {q}%…" for q in (0, 25, 50, 75)}, lines
    assert len(uploading) == len(set(uploading)), lines  # each said once
    assert lines[-1].startswith("Opened and colorized. IMG_0005.PNG")
    page.context.close()


def test_forms_this_workbench_cannot_use_are_out_of_sight_and_of_the_tab_order(
        browser, web_server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(web_server.url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => fetch('api/info').then((r) => r.json()).then((i) => i.paths)") \
        is False
    assert page.is_hidden("#open-path") and page.is_hidden("#open-job-box")
    stops = []
    for _ in range(12):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("() => document.activeElement.id || "
                                   "document.activeElement.tagName"))
    assert "path" not in stops, stops
    assert stops[:2] == ["file", "split"], stops  # "Open a photo…", then the photo's slider
    page.close()
