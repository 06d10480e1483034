"""A "before | after | detail" composite (three panels: the gray photo, its colorization and
an enlarged detail of it), as posted online, checked against the archive's original.

Before: no composite was found (the pair spans two thirds of the image, not all of it); the
original was then lined up by its features with the gray panel, and the check compared the
gray panel with the original (its own lightness) and judged its colors (none): "no
finding", with the colorization never looked at. Now the pair is looked for in the first
and the last two thirds, the colorization panel is checked and the report names it."""

from __future__ import annotations

import pytest
from PIL import Image

from colorizer.check.checker import ColorizationChecker
from colorizer.check.report_html import report_html
from colorizer.check.report_images import ShownImage
from colorizer.pipeline.imageio import load_image
from tests.test_check_composite import GUTTER, scene


@pytest.fixture(scope="module")
def checker(shared_tiny_weights):
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipeline = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                    render_size=128)
    return ColorizationChecker(pipeline, None)


def three_panels(order: tuple[str, ...], vertical: bool = False) -> Image.Image:
    """The scene's gray, its colors and a detail (its middle, enlarged) in `order`."""
    color = scene()
    w, h = color.size
    panels = {"before": color.convert("L").convert("RGB"), "after": color,
              "detail": color.crop((w // 4, h // 4, 3 * w // 4, 3 * h // 4)).resize((w, h))}
    size = (w, 3 * h + 2 * GUTTER) if vertical else (3 * w + 2 * GUTTER, h)
    canvas = Image.new("RGB", size, (255, 255, 255))
    for k, name in enumerate(order):
        canvas.paste(panels[name], (0, k * (h + GUTTER)) if vertical else (k * (w + GUTTER), 0))
    return canvas


@pytest.mark.parametrize(("order", "vertical", "place"), [
    (("before", "after", "detail"), False, "middle panel: x 124-244"),
    (("detail", "before", "after"), False, "right panel: x 248-368"),
])
@pytest.mark.slow
def test_the_colorization_panel_of_three_is_checked(checker, tmp_path, order, vertical, place):
    color = scene()
    w, h = color.size
    three_panels(order, vertical).save(tmp_path / "posted.png")
    color.convert("L").save(tmp_path / "archive.png")
    color.save(tmp_path / "alone.png")
    posted, archive = load_image(tmp_path / "posted.png"), load_image(tmp_path / "archive.png")
    report = checker(posted, original=archive)
    k = order.index("after")
    box = [0, k * (h + GUTTER), w, k * (h + GUTTER) + h] if vertical else \
        [k * (w + GUTTER), 0, k * (w + GUTTER) + w, h]
    assert report.composite is not None, report.notes
    assert report.composite["colorization_box"] == box
    assert report.composite["panels"] == 3
    assert "a third panel beside them (a detail or another version) not checked" in \
        report.notes[0]
    # The colorization itself was compared: as its own check, lightness and findings.
    alone = checker(load_image(tmp_path / "alone.png"), original=archive)
    assert report.luminance.mean_abs == alone.luminance.mean_abs
    assert report.luminance.alignment is None  # not lined up onto the gray panel
    assert [f.message for f in report.findings] == [f.message for f in alone.findings]
    page = report_html(report, ShownImage.of(posted), ShownImage.of(archive))
    assert f"a before/after composite of three panels ({place}), outlined in blue" in page
