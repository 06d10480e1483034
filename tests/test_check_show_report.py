"""The plausibility report of a before/after composite says, and shows, which half was
checked: the colorization panel outlined on the pictures and named in the caption.

Before: the report captioned the whole composite "The colorization that was checked." (its
gray half included), though only the colorization half had been checked. A clean
colorization's report keeps its captions and pictures. Tiny images drawn here, the tiny
generator, and `chronochrome check` through a subprocess as a historian runs it."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from colorizer.check.checker import ColorizationChecker
from colorizer.check.report_html import report_html
from colorizer.check.report_images import ShownImage
from colorizer.pipeline.imageio import load_image
from tests.test_check_composite import GUTTER, before_after, scene
from tests.test_check_composite_cli import chronochrome

BLUE = (0x1A, 0x5F, 0xB4)  # report_html.PANEL_COLOR, the checked panel's outline


@pytest.fixture(scope="module")
def checker(shared_tiny_weights):
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipeline = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                    render_size=128)
    return ColorizationChecker(pipeline, None)


def _figures(page: str) -> list[tuple[str, np.ndarray]]:
    """Each figure of the report's Images section: (caption, its picture's pixels)."""
    found = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="[^"]*">'
                       r"<figcaption>([^<]*)</figcaption>", page)
    return [(caption, np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")))
            for data, caption in found]


def _is_blue(pixels: np.ndarray) -> np.ndarray:
    return np.abs(pixels.astype(int) - BLUE).max(axis=-1) <= 2


def test_report_names_and_outlines_the_checked_half(checker, tmp_path):
    color = scene()
    gray = color.convert("L")
    w, h = color.size
    before_after(gray, color).save(tmp_path / "posted.png")
    gray.save(tmp_path / "archive.png")
    posted, archive = load_image(tmp_path / "posted.png"), load_image(tmp_path / "archive.png")
    report = checker(posted, original=archive)
    page = report_html(report, ShownImage.of(posted), ShownImage.of(archive), name="posted.png")
    figures = _figures(page)
    checked = ("What was checked: the colorization half of a before/after composite (right "
               f"half: x {w + GUTTER}-{2 * w + GUTTER}), outlined in blue; the black-and-white "
               "&quot;before&quot; beside it was not checked.")
    assert [caption for caption, _ in figures][1] == checked
    assert "The colorization that was checked." not in page
    for _, pixels in figures[1:3]:  # the composite as checked, and with the findings marked
        assert pixels.shape[:2] == (h, 2 * w + GUTTER)
        blue = _is_blue(pixels)
        assert blue[:, w + GUTTER].all() and blue[:, 2 * w + GUTTER - 1].all()  # its sides
        assert blue[0, w + GUTTER:].all() and blue[h - 1, w + GUTTER:].all()  # top, bottom
        assert not blue[:, :w + GUTTER].any()  # the gray half and the gutter: not outlined
    assert "blue: the part checked" in figures[2][0]


def test_a_single_colorization_report_keeps_its_pictures(checker, tmp_path):
    color = scene()
    color.save(tmp_path / "alone.png")
    color.convert("L").save(tmp_path / "archive.png")
    alone, archive = load_image(tmp_path / "alone.png"), load_image(tmp_path / "archive.png")
    report = checker(alone, original=archive)
    assert report.composite is None
    figures = _figures(report_html(report, ShownImage.of(alone), ShownImage.of(archive)))
    assert figures[1][0] == "The colorization that was checked."
    assert np.array_equal(figures[1][1], np.asarray(color))  # as given, nothing drawn on it
    assert figures[2][0] == ("Findings marked by number (red: high, orange: medium, "
                             "gray-blue: low).")
    assert not _is_blue(figures[2][1]).any()


@pytest.mark.slow
def test_cli_report_of_a_composite_with_its_gray_half_on_the_right(tmp_path, tiny_weights):
    color = scene(seed=2)
    gray = color.convert("L")
    w, h = color.size
    gray.save(tmp_path / "archive.png")
    before_after(gray, color, color_first=True).save(tmp_path / "posted.png")
    done = chronochrome("check", str(tmp_path / "posted.png"), "--original",
                        str(tmp_path / "archive.png"), "--device", "cpu", "--weights",
                        str(tiny_weights), "--json", str(tmp_path / "posted.json"),
                        "--report", str(tmp_path / "posted.html"))
    assert done.returncode in (0, 1), done.stderr
    data = json.loads((tmp_path / "posted.json").read_text())
    assert data["composite"]["colorization_side"] == "left"
    assert data["composite"]["colorization_box"] == [0, 0, w, h]
    assert "only the colorization, on the left (x 0-120" in done.stderr
    figures = _figures((tmp_path / "posted.html").read_text())
    assert "before/after composite (left half: x 0-120), outlined in blue" in figures[1][0]
    blue = _is_blue(figures[1][1])
    assert blue[:, 0].all() and blue[:, w - 1].all() and not blue[:, w:].any()
