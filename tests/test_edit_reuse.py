"""An edit (the same photo, other color hints) does not redo full-size work its cached base
run makes needless: the whole L* (432 MB float32 of a 108 MP scan) is computed only where a
step needs all of it, and the edit's pixels and report are those of a fresh run."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline import colorization, full_lightness
from colorizer.pipeline.color_hints import Box, ColorHint, Point, ReferenceHint
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.luminance import lightness_of

PALE, BLUE = "#ffe4e4", "#1840c0"  # PALE is far lighter than the dark half: a tone note


def _pipeline(weights) -> ColorizationPipeline:
    return ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    """96 x 64 gray: a dark left half, a light right half, grain."""
    rng = np.random.default_rng(1)
    pixels = np.where(np.arange(96)[None, :] < 48, 70.0, 190.0) + rng.normal(0, 2, (64, 96))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")


@pytest.fixture
def whole_lightness_calls(monkeypatch) -> list[tuple[int, ...]]:
    """The shapes of every whole-photo L* computed by the pipeline and its full-size L*,
    counted around the real `lightness_of`."""
    calls: list[tuple[int, ...]] = []

    def counted(loaded):
        out = lightness_of(loaded)
        calls.append(tuple(out.shape))
        return out

    monkeypatch.setattr(colorization, "lightness_of", counted)
    monkeypatch.setattr(full_lightness, "lightness_of", counted)
    return calls


def test_an_edit_computes_no_full_size_lightness_and_matches_a_fresh_run(
        shared_tiny_weights, photo, whole_lightness_calls):
    pipe = _pipeline(shared_tiny_weights)
    first = [ColorHint(Point(20, 30), PALE)]
    more = first + [ColorHint(Point(80, 10), BLUE)]
    pipe(photo, color_hints=first)  # fresh: the whole L* (let go during context), the grid kept
    fresh_calls = list(whole_lightness_calls)
    assert fresh_calls and set(fresh_calls) == {(1, 1, 64, 96)}
    edit = pipe(photo, color_hints=more)
    assert "generator" not in edit.timings  # steps 2-6 came from the edit cache
    assert whole_lightness_calls == fresh_calls  # the edit computed no whole L*
    fresh = _pipeline(shared_tiny_weights)(photo, color_hints=more)
    assert np.array_equal(np.asarray(edit.image), np.asarray(fresh.image))
    assert np.array_equal(np.asarray(edit.uncertainty), np.asarray(fresh.uncertainty))
    assert edit.notes == fresh.notes
    assert any("the photo is darker there" in note for note in edit.notes)  # read from a row


def test_a_first_hint_after_a_plain_run_computes_the_lightness_once_for_the_grid(
        shared_tiny_weights, photo, whole_lightness_calls):
    pipe = _pipeline(shared_tiny_weights)
    flipped = photo.transpose(Image.FLIP_TOP_BOTTOM)
    pipe(flipped)
    plain_calls = len(whole_lightness_calls)
    hints = [ColorHint(Point(70, 40), BLUE)]
    hinted = pipe(flipped, color_hints=hints)  # the spread grid is made from the whole L*
    again = pipe(flipped, color_hints=hints + [ColorHint(Point(10, 10), PALE)])
    # The spread grid's one whole L*, and none for `again`: its grid is kept.
    assert len(whole_lightness_calls) == plain_calls + 1
    fresh = _pipeline(shared_tiny_weights)(flipped, color_hints=hints)
    assert np.array_equal(np.asarray(hinted.image), np.asarray(fresh.image))
    assert "hints" in again.timings and "generator" not in again.timings


def test_reference_hints_in_edits_make_the_whole_lightness_once_per_edit(
        shared_tiny_weights, photo, whole_lightness_calls):
    """The spread grid and every reference hint of one edit share one whole L*."""
    pipe = _pipeline(shared_tiny_weights)
    turned = photo.rotate(180)
    green, red = Image.new("RGB", (64, 64), "#208020"), Image.new("RGB", (64, 64), "#a02020")
    references = [ReferenceHint(Box(0, 0, 40, 60), green), ReferenceHint(Box(56, 8, 90, 56), red)]
    pipe(turned)
    plain_calls = len(whole_lightness_calls)
    first = pipe(turned, color_hints=references)  # the grid is made here: one L* for all
    assert len(whole_lightness_calls) == plain_calls + 1
    more = references + [ColorHint(Point(10, 10), BLUE)]
    second = pipe(turned, color_hints=more)  # the grid is kept: one L* for both references
    assert len(whole_lightness_calls) == plain_calls + 2
    fresh = _pipeline(shared_tiny_weights)
    assert np.array_equal(np.asarray(first.image),
                          np.asarray(fresh(turned, color_hints=references).image))
    assert np.array_equal(np.asarray(second.image),
                          np.asarray(fresh(turned, color_hints=more).image))
