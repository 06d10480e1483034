"""A colorization that comes out nearly gray says so in its notes, with what to try."""

from __future__ import annotations

import torch
from PIL import Image

from colorizer import ColorizationPipeline
from colorizer.pipeline.assemble import NEAR_GRAY_CHROMA, near_gray_note


def test_the_note_follows_the_mean_chroma():
    ab = torch.zeros(1, 2, 8, 8)
    ab[:, 0] = NEAR_GRAY_CHROMA * 0.5
    (note,) = near_gray_note(ab)
    assert "nearly gray (mean chroma C* 1.0)" in note and "--chroma-scale" in note
    (note,) = near_gray_note(ab * 0.5)  # C* 0.5: a chroma scale has nothing to work with
    assert "C* 0.5" in note and "--chroma-scale" not in note and "--point" in note
    ab[:, 1] = NEAR_GRAY_CHROMA  # C* = hypot(1, 2) > 2
    assert near_gray_note(ab) == ()


def test_a_surround_kept_as_scanned_does_not_dilute_the_photo_s_chroma():
    # A photo of C* 3 on a gray mount as large as itself: the model's colors are not "nearly
    # gray", the mount's gray is the scan's (surround.py marks it kept).
    ab = torch.zeros(1, 2, 8, 8)
    ab[:, 0, :, :4] = 3.0
    kept = torch.zeros(8, 8, dtype=torch.bool)
    kept[:, 4:] = True
    assert "C* 1.5" in near_gray_note(ab)[0]  # the whole image's mean: said gray
    assert near_gray_note(ab, kept) == ()
    assert near_gray_note(ab * 0.2, kept)[0].startswith("nearly gray (mean chroma C* 0.6)")
    assert near_gray_note(ab, torch.ones(8, 8, dtype=torch.bool)) != ()  # all kept: the mean


def test_a_gray_output_carries_the_note_and_a_colored_one_does_not(shared_tiny_weights):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    photo = Image.linear_gradient("L").resize((64, 48))
    gray = pipe.with_config(chroma_scale=0.0)(photo)
    assert any(n.startswith("nearly gray (mean chroma C* 0.0)") for n in gray.notes)
    assert any(n.startswith("nearly gray") for n in gray.to_dict()["notes"])
    bold = pipe.with_config(chroma_scale=200.0)(photo)
    assert not any(n.startswith("nearly gray") for n in bold.notes)
