"""The user's color hints and a surround kept as scanned (colorizer/pipeline/surround.py),
through the real pipeline with a tiny generator: a hint placed on a card's mount colors it
there; hints placed on the photo correct the model's colors, not the card's scanned tone."""

from __future__ import annotations

import numpy as np
import pytest
from mount_cases import CARD_TONE, ab_of, masks, printed_card

from colorizer import ColorizationPipeline
from colorizer.pipeline.color_hints import Box, ColorHint, Point
from colorizer.pipeline.hint_spread import hint_ab

BRASS = "#B08D57"


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=128,
                                                chroma_scale=200.0)


@pytest.mark.parametrize("where", [Point(20, 20), Box(0, 0, 480, 40)])
def test_a_hint_on_the_mount_sets_its_color_there(pipe, where):
    card, _ = printed_card(CARD_TONE)
    ab = ab_of(pipe(card, color_hints=[ColorHint(where, BRASS)]).image)
    corner = ab[:, 5:30, 5:30].reshape(2, -1).mean(axis=1)
    assert np.allclose(corner, hint_ab((0xB0, 0x8D, 0x57)), atol=1.0), corner  # not the card's


def test_hints_on_the_photo_leave_the_cards_scanned_tone_alone(pipe):
    card, window = printed_card(CARD_TONE)
    photo, mount = masks(window)
    plain = pipe(card)  # then the same card edited with hints: its steps 2-6 are reused
    hints = [ColorHint(Point(200, 150), "#b22222"), ColorHint(Point(300, 250), "#2050a0"),
             ColorHint(Point(100, 300), "#20a040")]
    hinted = pipe(card, color_hints=hints)
    assert any("agree on a color cast" in note for note in hinted.notes)  # the photo moved
    ab = ab_of(hinted.image)
    # Before, the cast the points agreed on moved the card too (mean a* 4 -> 36).
    assert np.abs(ab[0][mount] - CARD_TONE[0]).mean() < 1.0
    assert np.abs(ab[1][mount] - CARD_TONE[1]).mean() < 1.0
    assert np.abs(ab - ab_of(plain.image))[:, photo].mean() > 5.0  # the hints did color it
    assert any(note.startswith("the mount or border around the photo") for note in hinted.notes)
