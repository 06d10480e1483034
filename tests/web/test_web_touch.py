"""The workbench on a phone and a tablet, in headless Chromium with the device emulated
(viewport, device scale 2-3, touch: `Emulation.setTouchEmulationEnabled`, which makes the
pointer coarse) and fingers as the DevTools protocol sends them (`Input.dispatchTouchEvent`):
nothing scrolls sideways, every control is a 44 x 44 CSS px target (WCAG 2.5.5), a tap on
the photo places the hint under the finger whatever the device scale and the photo's CSS
scaling, a hint's dot is dragged to move the hint, a swipe that starts on the photo places
none, and the comparison slider follows a finger.

Before, on a touch screen the buttons were 30 px tall, the checkboxes 13 px and the slider
16 px; on a tablet held sideways (1024 px) the service job's form hung 31 px past the
window's right edge; a photo shown smaller than the empty stage's 200 x 120 px (a small
scan, or a panorama or a tall strip on a phone) sat in that larger box, so a tap landed
12 px and more off the finger and the colorization was stretched over the original; and a
placed hint could not be moved, only removed and placed again."""

from __future__ import annotations

import json

import pytest
from web_helpers import browser_api, finger_drag, touch_page

sync_api = browser_api()

# Phones and tablets people hold: (width, height, device scale factor).
DEVICES = [(375, 667, 2), (360, 640, 3), (768, 1024, 2), (1024, 768, 2)]

# Each control a finger meets that is smaller than 44 x 44 CSS px: a checkbox is its label's
# size (a tap on the label ticks it); the file input is out of sight (its label is the button).
SMALL_TARGETS_JS = """() => {
  const small = [];
  for (const e of document.querySelectorAll(
      "button, a[href], input, select, summary, label.button, [tabindex]")) {
    if (e.id === "file" || e.id === "stage" || e.closest("[hidden]")) continue;
    const target = e.matches("input[type=checkbox]") ? (e.closest("label") || e) : e;
    const r = target.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.width < 44 || r.height < 44) {
      small.push(`${e.tagName.toLowerCase()}#${e.id}.${e.className}: ` +
                 `${Math.round(r.width)} x ${Math.round(r.height)}`);
    }
  }
  return small;
}"""


def tap(cdp, x: float, y: float) -> None:
    """A finger down and up at (x, y), CSS px of the viewport."""
    finger_drag(cdp, [(x, y)])


def opened(page, url: str, photo) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.set_input_files("#file", str(photo))
    page.wait_for_selector('body[data-version="1"][data-state="ready"]')


@pytest.mark.parametrize(("width", "height", "scale"), DEVICES)
def test_touch_layout_fits_and_every_target_is_44_px(browser, web_server, photo_file,
                                                     width, height, scale):
    page, cdp = touch_page(browser, width, height, scale)
    opened(page, web_server.url, photo_file)
    stage = page.locator("#stage").bounding_box()
    tap(cdp, stage["x"] + 10, stage["y"] + 10)  # a hint, so its remove button is listed
    page.wait_for_selector('body[data-version="2"][data-state="ready"]')
    # Everything a finger can open, opened: the job's form, the evidence, the other check.
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert sizes == [width, width], f"the page scrolls sideways at {width} px: {sizes}"
    small = page.evaluate(SMALL_TARGETS_JS)
    assert not small, f"targets under 44 x 44 px at {width} x {height}:\n" + json.dumps(small)
    page.context.close()


@pytest.mark.parametrize(("width", "height", "scale"), [(360, 640, 3), (1024, 768, 2)])
def test_a_tap_places_the_hint_under_the_finger(browser, web_server, photo_file,
                                                width, height, scale):
    page, cdp = touch_page(browser, width, height, scale)
    opened(page, web_server.url, photo_file)
    page.evaluate("() => scrollTo(0, 0)")
    shown = page.locator("#original").bounding_box()  # 128 x 96 px, scaled by CSS
    tap(cdp, shown["x"] + shown["width"] * 0.25, shown["y"] + shown["height"] * 0.75)
    page.wait_for_selector('body[data-version="2"][data-state="ready"]')
    assert page.is_hidden("#error"), page.inner_text("#error-text")
    point = page.evaluate("() => state.hints[0].point")
    assert abs(point[0] - 32) <= 1 and abs(point[1] - 72) <= 1, point
    marker = page.locator(".marker").bounding_box()  # drawn where the finger was
    assert abs(marker["x"] + marker["width"] / 2 - (shown["x"] + shown["width"] * 0.25)) <= 2
    assert abs(marker["y"] + marker["height"] / 2 - (shown["y"] + shown["height"] * 0.75)) <= 2
    # A swipe that starts on the photo (away from the hint's dot) scrolls the page; it
    # places no hint.
    page.evaluate("() => scrollTo(0, 0)")
    x, start = shown["x"] + shown["width"] * 0.8, shown["y"] + shown["height"] * 0.5
    finger_drag(cdp, [(x, start - 20 * step) for step in range(6)])
    page.wait_for_timeout(300)
    assert page.evaluate("() => state.hints.length") == 1
    assert page.get_attribute("body", "data-version") == "2"
    page.context.close()


def test_a_hint_is_moved_by_dragging_its_dot(browser, web_server, photo_file):
    page, cdp = touch_page(browser, 360, 640, 3)
    opened(page, web_server.url, photo_file)
    page.evaluate("() => scrollTo(0, 0)")
    shown = page.locator("#original").bounding_box()

    def at(fx: float, fy: float) -> dict:
        return {"x": shown["x"] + shown["width"] * fx, "y": shown["y"] + shown["height"] * fy}

    start, end = at(0.25, 0.75), at(0.75, 0.25)
    tap(cdp, start["x"], start["y"])
    page.wait_for_selector('body[data-version="2"][data-state="ready"]')
    # A tap on the dot moves nothing and places no second hint on top of it.
    tap(cdp, start["x"] + 3, start["y"] - 3)
    page.wait_for_timeout(500)
    assert page.evaluate("() => state.hints.map((h) => h.point)") == [[32, 72]]
    assert page.get_attribute("body", "data-version") == "2"
    # The finger takes the dot (a few px off its center, as fingers do) across the photo.
    grab = {"x": start["x"] + 6, "y": start["y"] + 5}
    finger_drag(cdp, [(grab["x"] + (end["x"] - start["x"]) * step / 10,
                grab["y"] + (end["y"] - start["y"]) * step / 10) for step in range(11)])
    page.wait_for_selector('body[data-version="3"][data-state="ready"]')
    assert page.is_hidden("#error"), page.inner_text("#error-text")
    (x, y), = page.evaluate("() => state.hints.map((h) => h.point)")
    assert abs(x - (96 + 6 * 128 / shown["width"])) <= 1.5, x  # where the finger let go
    assert abs(y - (24 + 5 * 96 / shown["height"])) <= 1.5, y
    assert page.evaluate("() => scrollY") == 0  # the drag was the dot's, not the page's
    assert "moved to" in page.inner_text("#status")
    assert page.locator("#hint-list li").count() == 1
    page.context.close()


def test_the_comparison_slider_follows_a_finger(browser, web_server, photo_file):
    page, cdp = touch_page(browser, 375, 667, 2)
    opened(page, web_server.url, photo_file)
    page.evaluate("() => scrollTo(0, 0)")
    track = page.locator("#split").bounding_box()
    y = track["y"] + track["height"] / 2
    finger_drag(cdp, [(track["x"] + track["width"] * (0.5 - 0.05 * step), y) for step in range(8)])
    page.wait_for_timeout(200)
    split = int(page.input_value("#split"))
    assert 8 <= split <= 20, split  # from the middle to about 15%
    clip = page.evaluate("() => getComputedStyle(document.getElementById('colorized-layer'))"
                         ".clipPath")
    assert clip == f"inset(0px {100 - split}% 0px 0px)"
    assert page.evaluate("() => [scrollX, state.hints.length]") == [0, 0]
    page.context.close()
