"""A colorization that comes out nearly gray says so in its notes, with what to try."""

from __future__ import annotations

import re

import torch
from PIL import Image

from colorizer import ColorizationPipeline
from colorizer.pipeline.assemble import NEAR_GRAY_CHROMA, near_gray_note

SIZE = (64, 48)  # the input's (width, height): the note's Python example points inside it


def test_the_note_follows_the_mean_chroma():
    ab = torch.zeros(1, 2, 8, 8)
    ab[:, 0] = NEAR_GRAY_CHROMA * 0.5
    (note,) = near_gray_note(ab, size=SIZE)
    assert "nearly gray (mean chroma C* 1.0)" in note and "--chroma-scale" in note
    (note,) = near_gray_note(ab * 0.5, size=SIZE)  # C* 0.5: a scale has nothing to work with
    assert "C* 0.5" in note and "--chroma-scale" not in note and "--point" in note
    ab[:, 1] = NEAR_GRAY_CHROMA  # C* = hypot(1, 2) > 2
    assert near_gray_note(ab, size=SIZE) == ()


def test_a_surround_kept_as_scanned_does_not_dilute_the_photo_s_chroma():
    # A photo of C* 3 on a gray mount as large as itself: the model's colors are not "nearly
    # gray", the mount's gray is the scan's (surround.py marks it kept).
    ab = torch.zeros(1, 2, 8, 8)
    ab[:, 0, :, :4] = 3.0
    kept = torch.zeros(8, 8, dtype=torch.bool)
    kept[:, 4:] = True
    assert "C* 1.5" in near_gray_note(ab, size=SIZE)[0]  # the whole image's mean: said gray
    assert near_gray_note(ab, kept, size=SIZE) == ()
    assert near_gray_note(ab * 0.2, kept, size=SIZE)[0].startswith(
        "nearly gray (mean chroma C* 0.6)")
    everything = torch.ones(8, 8, dtype=torch.bool)
    assert near_gray_note(ab, everything, size=SIZE) != ()  # all kept: the mean


def test_a_gray_output_carries_the_note_and_a_colored_one_does_not(shared_tiny_weights):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    photo = Image.linear_gradient("L").resize((64, 48))
    gray = pipe.with_config(chroma_scale=0.0)(photo)
    assert any(n.startswith("nearly gray (mean chroma C* 0.0)") for n in gray.notes)
    assert any(n.startswith("nearly gray") for n in gray.to_dict()["notes"])
    bold = pipe.with_config(chroma_scale=200.0)(photo)
    assert not any(n.startswith("nearly gray") for n in bold.notes)


def _python_example(note: str) -> str:
    """The note's Python form of a color hint: `color_hints=[...]` after "Python: "."""
    found = re.search(r"Python: (color_hints=\[\{.*?\}\])", note)
    assert found, note
    return found.group(1)


def test_the_notes_python_color_hint_runs_as_pasted(shared_tiny_weights):
    # The note gave a Python user only the CLI's `--point X,Y=#RRGGBB`; its Python form is
    # pasted into a call here, as a notebook user would, and must be a hint the API takes.
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    photo = Image.linear_gradient("L").resize(SIZE)
    gray = pipe.with_config(chroma_scale=0.0)(photo)
    (note,) = [n for n in gray.notes if n.startswith("nearly gray")]
    assert "color hints (--point X,Y=#RRGGBB; Python: color_hints=[{'point': [32, 24], " \
           "'color': '#b22222'}], red at the photo's center) set the colors you know" in note
    assert note in gray.to_dict()["notes"]  # the JSON report says the same
    hinted = eval(f"pipe(photo, {_python_example(note)})", {"pipe": pipe, "photo": photo})
    (region,) = [r for r in hinted.color_regions.regions if r.kind == "hint"]
    assert region.detail["where"] == {"point": [32, 24]} and region.detail["color"] == "#b22222"
    assert region.share > 0
    red = hinted.image.getpixel((32, 24))
    assert red[0] > red[1] + 20 and red[0] > red[2] + 20, red  # the hint's red, where it points


def test_the_python_example_points_inside_any_photo():
    ab = torch.zeros(1, 2, 4, 4)
    for size in [(1, 1), (3000, 2000), (17, 4001)]:
        (note,) = near_gray_note(ab, size=size)
        assert f"'point': [{size[0] // 2}, {size[1] // 2}]" in _python_example(note)
