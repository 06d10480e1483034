"""The workbench on a phone over a poor connection, in headless Chromium with the network
emulated through the DevTools protocol (`Network.emulateNetworkConditions`, and a request
aborted as a dropped connection aborts it): a double tap sends one request, a request that
gets no answer (offline) says so and offers a Retry that keeps the color hint just placed,
and a photo from a phone's camera (4032 x 3024 JPEG, EXIF orientation 6) sent over a slow
link shows how much of it went, then opens upright.

Before, a double tap on "Re-run" or "Check this colorization" ran it twice; offline, the
page said only "Failed to fetch", dropped the hint just placed and had no way to retry; a
connection lost between the colorization's answer and its image left a broken image on the
photo and no error at all; an upload said "opening…" for as long as it took (a minute and
more for a phone's photo on 3G).

The tests share one page and run in order, as one session at the workbench would."""

from __future__ import annotations

import json
from contextlib import contextmanager

import numpy as np
import pytest
from PIL import Image
from web_helpers import axe_violations, browser_api, launch_chromium

sync_api = browser_api()
ONLINE = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


@pytest.fixture(scope="module")
def phone(web_server, photo_file):
    """A phone's page (375 x 667, scale 2, touch), its DevTools session and the POSTs it
    sent (their paths, in order), with the test photo open."""
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context(viewport={"width": 375, "height": 667},
                                      device_scale_factor=2, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.set_default_timeout(20_000)
        posts: list[str] = []
        page.on("request", lambda r: posts.append(r.url.split("/api/")[-1])
                if r.method == "POST" else None)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        page.goto(web_server.url)
        page.wait_for_load_state("networkidle")
        page.set_input_files("#file", str(photo_file))
        page.wait_for_selector('body[data-version="1"][data-state="ready"]')
        yield page, cdp, posts
        browser.close()


@contextmanager
def slow_link(cdp, latency_ms: int = 600):
    """A mobile link's round trip (3G's is 300-600 ms), restored after."""
    cdp.send("Network.emulateNetworkConditions", {**ONLINE, "latency": latency_ms})
    try:
        yield
    finally:
        cdp.send("Network.emulateNetworkConditions", ONLINE)


def _version(page) -> int:
    return int(page.get_attribute("body", "data-version"))


def _settled(page, version: int) -> None:
    page.wait_for_selector(f'body[data-version="{version}"][data-state="ready"]')


def _idle(page) -> None:
    """Ready, and still ready once a second run, had one been sent, had time to answer."""
    page.wait_for_selector('body[data-state="ready"]')
    page.wait_for_timeout(2000)
    page.wait_for_selector('body[data-state="ready"]')


def test_a_double_tap_on_rerun_runs_once(phone):
    page, cdp, posts = phone
    version, sent = _version(page), len(posts)
    with slow_link(cdp):  # the first run is still on its way when the second tap lands
        page.locator("#rerun").tap()
        page.locator("#rerun").tap()
        _idle(page)
    assert [p.rsplit("/", 1)[-1] for p in posts[sent:]] == ["colorize"], posts[sent:]
    assert _version(page) == version + 1


def test_a_double_tap_on_check_checks_once(phone):
    page, cdp, posts = phone
    sent = len(posts)
    with slow_link(cdp):
        page.locator("#check-own").tap()
        page.locator("#check-own").tap()
        _idle(page)
    assert page.is_visible("#check-result")
    assert [p.rsplit("/", 1)[-1] for p in posts[sent:]] == ["check"], posts[sent:]


def test_a_photo_chosen_during_a_run_opens_after_it(phone, photo_file):
    """One step at a time: a photo picked while a run is on its way opens once the run is
    done, not beside it (two runs racing for the page), and is not dropped."""
    page, cdp, posts = phone
    sent = len(posts)
    with slow_link(cdp):
        page.locator("#rerun").tap()
        page.set_input_files("#file", str(photo_file))
        page.wait_for_selector('body[data-version="1"][data-state="ready"]')
    assert page.is_hidden("#error"), page.inner_text("#error-text")
    assert [p.rsplit("/", 1)[-1] for p in posts[sent:]] == ["colorize", "photos", "colorize"]
    assert page.evaluate("() => state.hints.length") == 0  # the new photo's own


def test_offline_a_placed_hint_is_kept_and_retried(phone):
    page, cdp, _ = phone
    version = _version(page)
    shown = page.locator("#stage").bounding_box()  # the photo's size
    page.locator("#stage").tap(position={"x": shown["width"] * 0.5,
                                            "y": shown["height"] * 0.25})
    _settled(page, version + 1)
    cdp.send("Network.emulateNetworkConditions", {**ONLINE, "offline": True})
    page.locator("#stage").tap(position={"x": shown["width"] * 0.75,
                                            "y": shown["height"] * 0.75})
    page.wait_for_selector("#error", state="visible")
    page.wait_for_selector('body[data-state="ready"]')
    message = page.inner_text("#error-text")
    assert "did not answer" in message and "Retry" in message, message
    assert "Failed to fetch" not in message
    assert page.is_visible("#error-retry")
    found = axe_violations(page)  # the error with its Retry, on a phone
    assert not found, json.dumps(found, indent=1)
    # Both hints still listed and marked where they were placed: nothing was lost.
    assert page.evaluate("() => state.hints.map((h) => h.point)") == [[64, 24], [96, 72]]
    assert page.locator("#hint-list li").count() == 2
    assert page.locator("#markers .marker").count() == 2
    assert _version(page) == version + 1
    cdp.send("Network.emulateNetworkConditions", ONLINE)
    page.locator("#error-retry").tap()
    _settled(page, version + 2)
    assert page.is_hidden("#error"), page.inner_text("#error-text")
    assert page.locator("#hint-list li").count() == 2
    assert "holds" in page.inner_text("#hint-list li:nth-child(2)")  # the run had it
    assert page.evaluate("() => state.view.regions.filter((r) => r.kind === 'hint').length") == 2


def test_a_drop_between_the_answer_and_its_image_keeps_the_page_whole(phone):
    """The colorization's JSON came, its image did not (the connection dropped between):
    the last colorization stays on the photo (no broken image), the error offers a Retry,
    and the hint just placed is kept for it."""
    page, _, _ = phone
    version = _version(page)
    hints = page.evaluate("() => state.hints.length")
    dropped = []

    def drop(route):  # the new colorization's image only (the last one is in the cache)
        if not route.request.url.endswith(f"v={version + 1}"):
            route.continue_()
            return
        dropped.append(route.request.url)
        route.abort("internetdisconnected")

    page.route("**/colorized.png?v=*", drop)
    shown = page.locator("#stage").bounding_box()
    page.locator("#stage").tap(position={"x": shown["width"] * 0.25,
                                         "y": shown["height"] * 0.5})
    page.wait_for_selector("#error", state="visible")
    page.wait_for_selector('body[data-state="ready"]')
    page.unroute("**/colorized.png?v=*")
    assert len(dropped) == 1
    assert "did not answer" in page.inner_text("#error-text")
    assert page.is_visible("#error-retry")
    shows = page.evaluate("() => [colorized.naturalWidth, colorized.getAttribute('src')]")
    assert shows[0] > 0 and shows[1].endswith(f"v={version}"), shows  # the last one, whole
    assert _version(page) == version
    assert page.evaluate("() => state.hints.length") == hints + 1
    page.locator("#error-retry").tap()
    page.wait_for_selector(f'body[data-state="ready"]:not([data-version="{version}"])')
    assert page.is_hidden("#error"), page.inner_text("#error-text")
    assert page.evaluate("() => colorized.naturalWidth") > 0
    assert page.evaluate("() => state.view.regions.filter((r) => r.kind === 'hint').length") \
        == hints + 1


def test_a_refused_hint_is_still_not_kept(phone):
    """An answer that refuses the hint (not a lost connection) drops it, as before."""
    page, _, _ = phone
    before = page.evaluate("() => state.hints.length")
    page.fill("#hint-color-text", "no-such-color")
    page.locator("#stage").tap(position={"x": 5, "y": 5})
    page.wait_for_selector("#error", state="visible")
    page.wait_for_selector('body[data-state="ready"]')
    assert page.is_hidden("#error-retry")
    assert page.evaluate("() => state.hints.length") == before
    page.fill("#hint-color-text", "#b22222")
    page.locator("#error-close").tap()


def _phone_camera_jpeg(path) -> None:
    """4032 x 3024 as stored, EXIF orientation 6 (turn 90° clockwise to show): a dark band
    on the stored left, which is the top of the photo upright."""
    pixels = np.full((3024, 4032), 180, dtype=np.uint8)
    pixels[:, :800] = 40
    image = Image.fromarray(pixels, "L").convert("RGB")
    exif = image.getexif()
    exif[0x0112] = 6
    image.save(path, quality=85, exif=exif)


@pytest.mark.slow
def test_a_phone_photo_on_3g_shows_upload_progress_and_opens_upright(phone, tmp_path):
    page, cdp, _ = phone
    photo = tmp_path / "IMG_0001.jpg"
    _phone_camera_jpeg(photo)
    size = photo.stat().st_size  # about 190 kB: some 4 s at 48 kB/s
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 150, "downloadThroughput": 200_000,
        "uploadThroughput": max(48_000, size // 4)})
    page.set_input_files("#file", str(photo))
    seen = set()
    for _ in range(100):
        text = page.inner_text("#busy")
        if text.startswith("uploading"):
            seen.add(text)
        if page.get_attribute("body", "data-state") != "busy":
            break
        page.wait_for_timeout(100)
    page.wait_for_selector('body[data-state="ready"]', timeout=60_000)
    cdp.send("Network.emulateNetworkConditions", ONLINE)
    assert page.is_hidden("#error"), page.inner_text("#error-text")
    assert len(seen) >= 2, seen  # the share sent grows: "uploading 12%…", "uploading 57%…"
    assert all(t.endswith("%…") for t in seen), seen
    assert "IMG_0001.jpg · 3024×4032 px" in page.inner_text("#status")
    # Shown upright: taller than wide, the dark band at the top.
    width, height, top, bottom = page.evaluate("""() => {
      const img = document.getElementById('original');
      const c = document.createElement('canvas');
      c.width = img.naturalWidth; c.height = img.naturalHeight;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const at = (y) => g.getImageData(c.width / 2, y, 1, 1).data[0];
      return [c.width, c.height, at(10), at(c.height - 10)];
    }""")
    assert height > width and top < 80 and bottom > 150, (width, height, top, bottom)
