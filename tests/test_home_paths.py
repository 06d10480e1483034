"""A path written "~/..." in the Python API is in the user's home folder, as a shell reads it:
Python opens a folder literally named "~" and the call failed "no such file". A file really
named "~..." is still read as itself."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from colorizer import ColorizationPipeline
from colorizer.pipeline.imageio import iter_image_files, load_image


def _photo(path):
    y, x = np.mgrid[0:40, 0:56]
    Image.fromarray((120 + 80 * np.sin(x / 5) * np.cos(y / 4)).astype(np.uint8), "L").save(path)
    return path


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "scans").mkdir(parents=True)
    _photo(home / "scans" / "grandma.png")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)  # no "~" folder here
    return home


def test_a_home_path_is_read_from_the_home_folder(home):
    loaded = load_image("~/scans/grandma.png")
    assert loaded.size == (56, 40)
    assert loaded.name == "~/scans/grandma.png"  # named as the person wrote it
    assert iter_image_files(["~/scans"]) == [home / "scans" / "grandma.png"]


def test_the_pipeline_colorizes_a_home_path_as_the_same_file_given_in_full(
        home, shared_tiny_weights):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    short = pipe("~/scans/grandma.png")
    full = pipe(str(home / "scans" / "grandma.png"))
    assert np.array_equal(np.asarray(short.image), np.asarray(full.image))


def test_a_file_really_named_with_a_tilde_is_read_as_itself(home, tmp_path):
    (tmp_path / "~" / "scans").mkdir(parents=True)
    Image.new("L", (30, 20), 90).save(tmp_path / "~" / "scans" / "grandma.png")
    assert load_image("~/scans/grandma.png").size == (30, 20)
