"""A placed color hint moved with the keyboard alone, in headless Chromium, as a person who
cannot drag would: Tab reaches the hint's dot (a focus ring shows), the arrow keys take it
(Shift: ten times farther) and the status line (role=status) says where to, Enter or Space
moves the hint there and colorizes again, once, and the focus stays on the dot for the next
move; Escape, or Tab away, leaves the hint where it was, and nothing is run until the hint is
let go. axe-core finds nothing on the page with a dot on its way.

Before, the dot was out of the Tab order (a span with no tabindex): "Tab never reached
.marker"; the only way to move a hint without a pointer was to remove it and place it again.

The tests share one page and run in order, as one session at the workbench would."""

from __future__ import annotations

import json

import pytest
from web_helpers import PIXEL_JS, axe_violations, browser_api, page_with_photo, tab_to

sync_api = browser_api()

DOT = "#markers .marker"


@pytest.fixture(scope="module")
def page(browser, web_server, photo_file):
    """The 128 x 96 street photo open, a red hint placed with the keyboard at its middle
    (version 2), and every colorize request the page sends counted in `runs`."""
    page = page_with_photo(browser, web_server.url, photo_file)
    page.runs = []
    page.on("request", lambda r: page.runs.append(r.url) if r.url.endswith("/colorize") else None)
    tab_to(page, "#stage", back=True)
    page.keyboard.press("Enter")  # the cross starts at the middle: 64, 48
    _ready(page, 2)
    yield page
    page.close()


def _ready(page, version: int) -> None:
    page.wait_for_selector(f'body[data-version="{version}"][data-state="ready"]')
    assert page.is_hidden("#error"), page.inner_text("#error-text")


def _said(page) -> str:
    return page.locator("#status").text_content()


def _point(page) -> list[int]:
    return page.evaluate("() => state.hints[0].point")


def _dot_center(page) -> tuple[float, float]:
    box = page.locator(DOT).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _image_xy(page, x: int, y: int) -> tuple[float, float]:
    """Image pixel (x, y)'s center, in CSS px of the viewport."""
    box = page.locator("#original").bounding_box()
    return (box["x"] + (x + 0.5) / 128 * box["width"],
            box["y"] + (y + 0.5) / 96 * box["height"])


def test_tab_reaches_the_dot_which_says_what_it_is(page):
    tab_to(page, DOT)  # from the photo, the next stop: asserts a visible focus ring
    dot = page.locator(DOT)
    assert dot.get_attribute("role") == "button"
    assert dot.get_attribute("aria-label") == "hint 1: #b22222 at 64, 48"
    keys = page.inner_text(f"#{dot.get_attribute('aria-describedby')}")
    assert "the arrow keys take it, Enter moves the hint there" in keys


def test_the_arrow_keys_take_the_dot_and_run_nothing(page):
    runs = len(page.runs)
    for key in ["ArrowRight", "ArrowRight", "ArrowRight", "Shift+ArrowDown", "ArrowUp"]:
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert len(page.runs) == runs and page.get_attribute("body", "data-version") == "2"
    assert _point(page) == [64, 48]  # not moved until let go
    x, y = _dot_center(page)
    want = _image_xy(page, 67, 57)
    assert abs(x - want[0]) <= 1 and abs(y - want[1]) <= 1, ((x, y), want)
    assert page.get_attribute(DOT, "aria-label") == (
        "hint 1: #b22222 at 64, 48, to be moved to 67, 57")
    assert _said(page).startswith("Hint 1 to 67, 57: Enter moves it here, Escape leaves it at "
                                  "64, 48.")
    # The photo's cross stayed where it was: the keys were the dot's alone.
    assert (page.input_value("#hint-x"), page.input_value("#hint-y")) == ("64", "48")
    assert page.evaluate("() => state.hints.length") == 1  # Enter's hint placed no second


def test_no_axe_violation_with_the_dot_on_its_way(page):
    found = axe_violations(page)
    assert not found, json.dumps(found, indent=1)


def test_enter_moves_the_hint_with_one_run_and_keeps_the_focus(page):
    runs = len(page.runs)
    before = page.evaluate(PIXEL_JS, [67, 57])
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # at once again: the same step, not a second run
    _ready(page, 3)
    page.wait_for_timeout(500)
    assert len(page.runs) == runs + 1, page.runs[runs:]
    assert page.get_attribute("body", "data-version") == "3"
    assert _point(page) == [67, 57]
    after = page.evaluate(PIXEL_JS, [67, 57])
    assert after[0] - after[1] > before[0] - before[1] + 20, (before, after)  # redder there
    assert "#b22222 at 67, 57" in page.inner_text("#hint-list")
    assert _said(page).startswith("Hint 1 moved to 67, 57.")
    assert page.evaluate("() => document.activeElement.matches('#markers .marker')")
    # Space lets go too; a step of 10 (Shift) to the left.
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Space")
    _ready(page, 4)
    assert _point(page) == [57, 57] and len(page.runs) == runs + 2


def test_escape_leaves_the_hint_where_it_was(page):
    runs = len(page.runs)
    where = _dot_center(page)
    page.keyboard.press("ArrowDown")
    assert _dot_center(page) != where
    page.keyboard.press("Escape")
    assert _dot_center(page) == where
    assert _said(page).startswith("Hint 1 left at 57, 57.")
    page.keyboard.press("Enter")  # not moved: nothing to run
    assert _said(page).startswith("Hint 1 is at 57, 57: the arrow keys move it.")
    page.wait_for_timeout(500)
    assert _point(page) == [57, 57] and len(page.runs) == runs
    assert page.get_attribute("body", "data-version") == "4"


def test_tab_away_leaves_the_hint_where_it_was(page):
    runs = len(page.runs)
    where = _dot_center(page)
    page.keyboard.press("Shift+ArrowUp")
    page.keyboard.press("Tab")  # on to the split slider
    assert page.evaluate("() => document.activeElement.id") == "split"
    assert _dot_center(page) == where
    assert page.get_attribute(DOT, "aria-label") == "hint 1: #b22222 at 57, 57"
    assert _said(page).startswith("Hint 1 not moved: it is still at #b22222 at 57, 57.")
    page.wait_for_timeout(500)
    assert _point(page) == [57, 57] and len(page.runs) == runs
