"""A reference hint may name a library exemplar by its id: its image lends the colors; an id
the library does not hold, or a pipeline without a library, is a clear error."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.model.colorspace import rgb_to_lab
from colorizer.pipeline.color_hints import (
    Box,
    HintError,
    LibraryExemplar,
    ReferenceHint,
    check_hints,
    hint_key,
)
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.hint_json import hints_from_json


@pytest.fixture(scope="module")
def plain(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)


@pytest.fixture(scope="module")
def library(plain, tmp_path_factory):
    """The tiny pipeline with a one-exemplar library: 'green-1' is a green photo."""
    folder = tmp_path_factory.mktemp("library")
    Image.new("RGB", (64, 64), "#208020").save(folder / "green-1.png")

    def lookup(ident: str) -> str:
        if ident != "green-1":
            raise KeyError(ident)
        return str(folder / "green-1.png")

    return ColorizationPipeline(plain.generator, plain.model_info, plain.config, device="cpu",
                                exemplar_lookup=lookup)


@pytest.fixture(scope="module")
def gray() -> Image.Image:
    rng = np.random.default_rng(2)
    pixels = np.where(np.arange(96)[None, :] < 48, 70.0, 190.0) + rng.normal(0, 2, (64, 96))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")


def test_json_names_an_exemplar_by_id():
    hint, = hints_from_json([{"box": [40, 0, 90, 60], "exemplar": "flag-ussr-1923",
                              "source": "the library"}])
    assert isinstance(hint, ReferenceHint) and hint.reference == LibraryExemplar("flag-ussr-1923")
    assert hint.title == "library exemplar flag-ussr-1923"
    assert hint.to_dict()["reference"] == "library exemplar flag-ussr-1923"
    other, = hints_from_json([{"box": [40, 0, 90, 60], "exemplar": "flag-ussr-1936"}])
    assert hint_key(hint) != hint_key(other)
    check_hints([hint], (96, 64))  # its place is checked as any hint's
    for bad, message in [
            ({"box": [0, 0, 5, 5], "exemplar": ""}, "an exemplar id is text of 1-200"),
            ({"box": [0, 0, 5, 5], "exemplar": 12}, "an exemplar id is text"),
            ({"box": [0, 0, 5, 5], "exemplar": "a", "color": "red"},
             r"give exactly one of \['color', 'reference', 'exemplar'\]"),
            ({"box": [0, 0, 5, 5]}, "give exactly one of .* found none")]:
        with pytest.raises(HintError, match="color hint 1: " + message):
            hints_from_json([bad])


def test_a_library_exemplar_lends_its_colors_inside_the_area(library, gray):
    result = library(gray, color_hints=[ReferenceHint(Box(56, 8, 90, 56),
                                                      LibraryExemplar("green-1"))])
    rgb = torch.from_numpy(np.asarray(result.image, dtype=np.float64) / 255.0)
    lab = rgb_to_lab(rgb.permute(2, 0, 1)[None])[0].permute(1, 2, 0).numpy()
    assert lab[12:52, 60:86, 1].mean() < -20  # the exemplar's green
    regions = result.to_dict()["color_regions"]["regions"]
    assert regions[1]["detail"]["reference"] == "library exemplar green-1"


def test_an_unknown_id_or_no_library_is_a_clear_error(library, plain, gray):
    with pytest.raises(HintError, match="color hint 1 \\(box 0,0,9,9\\): the exemplar library "
                                        "has no exemplar 'nope'; ids are the records' `id`"):
        library(gray, color_hints=[ReferenceHint(Box(0, 0, 9, 9), LibraryExemplar("nope"))])
    with pytest.raises(HintError, match="names library exemplar 'green-1', but this pipeline "
                                        "has no exemplar library"):
        plain(gray, color_hints=[ReferenceHint(Box(0, 0, 9, 9), LibraryExemplar("green-1"))])
