"""An edit through the Python API (the same photo, one more color point) does not summarize its
full-size maps again: hints change neither the uncertainty nor the context region, so the
figures `to_dict` and the provenance give are computed once for a photo and all its edits,
and are the figures of the edit's own maps."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline import result as result_module
from colorizer.pipeline.color_hints import ColorHint, Point
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.map_stats import share_above
from colorizer.pipeline.result import summarize_uncertainty
from colorizer.pipeline.upsampled_map import UpsampledMap

RED, BLUE, GREEN = "#b22222", "#1840c0", "#30a040"


def _pipeline(weights) -> ColorizationPipeline:
    return ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    """96 x 64 gray: a dark left half, a light right half, grain."""
    rng = np.random.default_rng(3)
    pixels = np.where(np.arange(96)[None, :] < 48, 70.0, 190.0) + rng.normal(0, 2, (64, 96))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")


@pytest.fixture
def map_readings(monkeypatch) -> dict[str, int]:
    """How many times a full-size map made when read was summarized, around the real code."""
    counts = {"uncertainty": 0, "context_region": 0}

    def summarized(source):
        counts["uncertainty"] += isinstance(source, UpsampledMap)
        return summarize_uncertainty(source)

    def shared(source, *args, **kwargs):
        counts["context_region"] += isinstance(source, UpsampledMap)
        return share_above(source, *args, **kwargs)

    monkeypatch.setattr(result_module, "summarize_uncertainty", summarized)
    monkeypatch.setattr(result_module, "share_above", shared)
    return counts


def test_edits_summarize_the_unchanged_maps_once(shared_tiny_weights, photo, map_readings):
    pipe = _pipeline(shared_tiny_weights)
    hints = [ColorHint(Point(20, 30), RED)]
    first = pipe(photo, color_hints=hints).to_dict()
    assert map_readings == {"uncertainty": 1, "context_region": 1}
    reports = []
    for point in (Point(80, 10), Point(60, 50)):  # two edits, one more point each
        hints = [*hints, ColorHint(point, BLUE if point.x == 80 else GREEN)]
        edit = pipe(photo, color_hints=hints)
        assert "generator" not in edit.timings  # steps 2-6 came from the edit cache
        reports.append(edit.to_dict())
    assert map_readings == {"uncertainty": 1, "context_region": 1}  # the first run's figures
    # ... which are the edit's own: its whole map summarized, and a fresh run's figures.
    last = reports[-1]
    assert last["uncertainty"] == summarize_uncertainty(np.asarray(edit.uncertainty))
    assert last["context_region_share"] == round(
        share_above(np.asarray(edit.context_region), 0.5, inclusive=True), 4)
    fresh = _pipeline(shared_tiny_weights)(photo, color_hints=hints).to_dict()
    assert [r["uncertainty"] for r in reports] == [first["uncertainty"]] * 2
    assert last["uncertainty"] == fresh["uncertainty"]
    assert last["context_region_share"] == fresh["context_region_share"]


def test_a_result_of_another_photo_summarizes_its_own_maps(shared_tiny_weights, photo,
                                                           map_readings):
    """The memo is the base run's: another photo (here the same one, mirrored) is its own run."""
    pipe = _pipeline(shared_tiny_weights)
    hints = [ColorHint(Point(20, 30), RED)]
    one = pipe(photo, color_hints=hints)
    other = pipe(photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT), color_hints=hints)
    assert one.uncertainty_summary() == summarize_uncertainty(np.asarray(one.uncertainty))
    assert other.uncertainty_summary() == summarize_uncertainty(np.asarray(other.uncertainty))
    assert map_readings["uncertainty"] == 2
    assert one.uncertainty_summary() != other.uncertainty_summary()


def test_the_web_renders_the_unchanged_uncertainty_once_for_a_photos_points(
        shared_tiny_weights, photo, monkeypatch):
    """The workbench renders every color point's result; its display-size uncertainty was
    made again from the full-size map each time (0.3-1.5 s of a 12 MP photo's point)."""
    from colorizer.apps.web import rendering

    made = []

    def counted(source, size):
        made.append(size)
        return display_map(source, size)

    display_map = rendering.display_map
    monkeypatch.setattr(rendering, "display_map", counted)
    pipe = _pipeline(shared_tiny_weights)
    hints = [ColorHint(Point(20, 30), RED)]
    first = rendering.render(pipe(photo, color_hints=hints), 48)
    edit = pipe(photo, color_hints=[*hints, ColorHint(Point(80, 10), BLUE)])
    second = rendering.render(edit, 48)
    assert made == [(48, 32)]  # once for the photo and its point
    want = np.clip(display_map(edit.uncertainty_source, (48, 32)), 0, 1)
    assert np.array_equal(second.uncertainty, want) and second.uncertainty is first.uncertainty
    assert not second.uncertainty.flags.writeable  # shared: nobody may paint on it
    other = rendering.render(pipe(photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT)), 48)
    assert made == [(48, 32), (48, 32)]  # another photo: its own
    assert other.uncertainty is not first.uncertainty
