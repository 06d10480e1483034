"""A card colorized through the pipeline keeps its scanned tone on the mount, and its photo is
colored (colorizer/pipeline/mount.py, hooked in colorization.py). Imports nothing of mount.py,
so it runs against the code before it too."""

from __future__ import annotations

import numpy as np
import pytest
from mount_cases import CARD_TONE, ab_of, masks, printed_card

from colorizer import ColorizationPipeline


@pytest.mark.parametrize("tone", [(0.0, 0.0), CARD_TONE])
def test_a_card_colorized_keeps_its_scanned_tone_and_its_photo_colored(shared_tiny_weights,
                                                                      tone):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=128,
                                                chroma_scale=200.0)
    card, window = printed_card(tone)
    ab = ab_of(pipe(card if any(tone) else card.convert("L")).image)
    photo, mount = masks(window)
    # Before mount.py the generator painted the card (mean |a*| 32-36 at this chroma scale).
    assert np.abs(ab[0][mount] - tone[0]).mean() < 1.0
    assert np.abs(ab[1][mount] - tone[1]).mean() < 1.0
    assert np.hypot(*ab)[photo].mean() > 2.0
