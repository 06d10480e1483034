"""An animated GIF "before/after" (the gray photo as its first frame, the colorization as
its second) checked as a colorization: only one frame is read, and it is the gray one. The
check said only "the colorization has no color" (with --original: it passed, its lightness
the original's own), never that the file had another frame to check."""

from __future__ import annotations

import pytest
from PIL import Image

from colorizer.check.checker import CheckInputError
from tests.check_helpers import tiny_checker
from tests.test_check_composite import scene


@pytest.fixture(scope="module")
def checker(shared_tiny_weights):
    return tiny_checker(shared_tiny_weights)


@pytest.fixture(scope="module")
def animation(tmp_path_factory):
    """(before/after GIF, its gray original as PNG)."""
    folder = tmp_path_factory.mktemp("frames")
    color = scene(3)
    gray = color.convert("L").convert("RGB")
    gif = folder / "before_after.gif"
    gray.save(gif, save_all=True, append_images=[color], duration=800, loop=0)
    assert Image.open(gif).n_frames == 2
    gray.convert("L").save(folder / "original.png")
    return gif, folder / "original.png"


def test_a_gray_first_frame_says_the_file_has_another_frame_to_check(checker, animation):
    gif, original = animation
    report = checker(gif, original=original)
    said = " ".join(report.notes)
    assert "the file has 2 frames and only one was read, which is gray" in said
    assert "save that frame as an image of its own and check it" in said


def test_without_the_original_the_refusal_says_the_same(checker, animation):
    gif, _ = animation
    with pytest.raises(CheckInputError, match="has no color, so there is nothing to check; "
                       "the file has 2 frames"):
        checker(gif)


def test_a_one_frame_gray_image_is_refused_as_before(checker, animation, tmp_path):
    _, original = animation
    with pytest.raises(CheckInputError, match="give the colorized image"):
        checker(original)
