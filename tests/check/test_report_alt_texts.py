"""The plausibility report's pictures for a reader who cannot see them: each has an alt text
that says what it is and names the photo (not its caption again, read twice by a screen
reader), and the likelihood map's caption gives the shares of its reds in figures.

Before, every alt was the figure's caption, the photo's name in none of them, and the map
said only "white likely, dark red very unlikely" with nothing of how much of it was red."""

from __future__ import annotations

import html
import re

import numpy as np
from PIL import Image

from colorizer.check.findings import CheckReport, Finding
from colorizer.check.report_html import report_html
from context.types import SceneContext


def _figures(page: str) -> list[tuple[str, str]]:
    """(alt, caption) of each figure of the page, as a reader gets them (unescaped)."""
    return [(html.unescape(alt), html.unescape(caption)) for alt, caption in re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]*)">'
                      r"<figcaption>([^<]*)</figcaption>", page)]


def _likelihood() -> np.ndarray:
    """A 40 x 40 map: a quarter very unlikely, a quarter unlikely, half likely."""
    ratio = np.full((40, 40), 0.9, np.float32)
    ratio[:10] = 1e-4
    ratio[10:20] = 0.05
    return ratio


def test_each_picture_says_what_it_is_and_names_the_photo():
    gray = Image.fromarray(np.tile(np.arange(40, 200, 2, dtype=np.uint8), (60, 1)), "L")
    color = Image.merge("RGB", (gray, gray.point(lambda v: v // 2), gray))
    finding = Finding("likelihood", "medium", "Purple is very unlikely here.",
                      {"color": "#a040a0"}, (10, 10, 40, 30), 0.12, None)
    check = CheckReport((finding,), SceneContext.empty("test"), (), None, (80, 60), None,
                        {"unlikely_ratio": 0.002}, likelihood=_likelihood())
    figures = _figures(report_html(check, color, gray, name="kazan-1950.jpg"))
    assert [alt for alt, _ in figures] == [
        "Original photograph, kazan-1950.jpg",
        "Colorized photo, kazan-1950.jpg",
        ("Colorized photo, kazan-1950.jpg, 1 finding boxed and numbered as in the Findings "
         "table"),
        "Map of how likely our model finds the colors of kazan-1950.jpg"]
    assert all(alt != caption for alt, caption in figures)
    assert figures[3][1].endswith(
        "white likely, dark red very unlikely. Here: 25% of the image is very unlikely "
        "(under 0.2% as likely as the model's best color there), 25% unlikely (under 10%), "
        "50% likely.")


def test_the_maps_shares_follow_the_checks_threshold_and_say_a_sliver():
    from colorizer.check.report_html import likelihood_words

    ratio = np.full((100, 100), 0.5, np.float32)
    ratio[0, :30] = 0.003  # 0.3% of the map: under a threshold of 1%, not of 0.2%
    assert likelihood_words(ratio, 0.01).startswith(
        "Here: under 1% of the image is very unlikely (under 1.0% as likely")
    assert likelihood_words(ratio, 0.002) == (
        "Here: 0% of the image is very unlikely (under 0.2% as likely as the model's best "
        "color there), under 1% unlikely (under 10%), 100% likely.")
