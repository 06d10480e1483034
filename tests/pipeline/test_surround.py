"""`keep_surround` (colorizer/pipeline/surround.py) gives the chroma of the three steps it runs,
one after the other as the pipeline ran them (frame.py, stereo.py, mount.py), and marks
what they kept."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from mount_cases import CARD_TONE, printed_card, textured_scene
from PIL import Image

from colorizer.pipeline.frame import clear_frame
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import lightness_of
from colorizer.pipeline.mount import keep_mount
from colorizer.pipeline.stereo import clear_stereo_mount
from colorizer.pipeline.surround import keep_surround


def _framed() -> Image.Image:
    framed = np.zeros((400, 600), np.uint8)
    framed[:, 60:540] = textured_scene(400, 480, 7)
    return Image.fromarray(framed)


def _stereo() -> Image.Image:
    scene = textured_scene(330, 620, 5)
    card = np.full((360, 700), 175, np.uint8)
    card[30:330, 40:340], card[30:330, 360:660] = scene[:300, :300], scene[:300, 12:312]
    return Image.fromarray(card)


@pytest.mark.parametrize("name", ["card", "framed", "stereo", "ordinary"])
@pytest.mark.parametrize("frame_fill", [True, False])
def test_keep_surround_is_the_three_steps_and_marks_what_they_kept(name, frame_fill):
    image = {"card": lambda: printed_card(CARD_TONE)[0], "framed": _framed, "stereo": _stereo,
             "ordinary": lambda: Image.fromarray(textured_scene(400, 480))}[name]()
    loaded = load_image(image)
    lightness = lightness_of(loaded)
    ab = torch.randn(1, 2, *lightness.shape[-2:], generator=torch.Generator().manual_seed(0))
    steps = keep_mount(clear_stereo_mount(clear_frame(ab, lightness, frame_fill), lightness),
                       lightness, loaded)
    kept = keep_surround(ab, lightness, loaded, frame_fill)
    assert torch.equal(kept.ab, steps)
    if kept.kept is None:
        assert kept.notes == () and torch.equal(steps, ab)
        assert name == "ordinary" or (name == "framed" and not frame_fill)
    else:
        assert len(kept.notes) == (0 if name == "framed" else 1)  # a frame is not said
        assert torch.equal(kept.ab[:, :, ~kept.kept], ab[:, :, ~kept.kept])  # the photo: as it was
        assert not torch.equal(kept.ab[:, :, kept.kept], ab[:, :, kept.kept])
