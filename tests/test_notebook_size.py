"""A notebook of colorized photos stays small enough to commit and share: each result keeps ONE
picture at the preview's size (a JPEG in the HTML figure, with its caption) and a small JPEG for
converters that cannot show HTML (nbconvert's LaTeX/PDF), never a PNG.

Measured with a notebook executed by nbclient (10 archive photos of ~640 px and one 2048 px):
a result was 588 KB of the .ipynb (PNG 81% of it), 1.49 MB for a 1024-px preview."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata

from colorizer import ColorizationPipeline
from colorizer.pipeline.result import PREVIEW_SIDE

# What a 1024 x 1024 result may add to a saved notebook: 400 KB. The detailed test photo below
# stores 268 KB of HTML (its preview JPEG as base64) and 60 KB of 512-px JPEG; archive photos
# with a 1024-px preview stored 1.49 MB before, PNG and JPEG-in-HTML.
BUNDLE_BOUND = 400_000

CONVERTER_SIDE = 512  # the converters' JPEG, long side (result_display.CONVERTER_SIDE)


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)


@pytest.fixture(scope="module")
def large_result(pipe):
    """A 2048 x 2048 photo with a photo's detail (the camera man, tiled 4 x 4)."""
    return pipe(Image.fromarray(np.tile(skdata.camera(), (4, 4))))


def stored_bytes(bundle: dict) -> dict[str, int]:
    """Each type's bytes as an .ipynb stores it: text as is, binary images as base64."""
    return {kind: len(value) if isinstance(value, str) else len(base64.b64encode(value))
            for kind, value in bundle.items()}


def html_picture(html: str) -> Image.Image:
    found = re.search(r"data:image/jpeg;base64,([A-Za-z0-9+/=]+)", html)
    assert found, "the HTML view holds no picture"
    return Image.open(io.BytesIO(base64.b64decode(found.group(1))))


def test_a_1024_px_result_adds_one_bounded_picture_to_a_notebook(large_result):
    bundle = large_result._repr_mimebundle_()
    sizes = stored_bytes(bundle)
    assert sum(sizes.values()) < BUNDLE_BOUND, sizes
    assert sorted(bundle) == ["image/jpeg", "text/html"], sorted(bundle)
    # IPython adds each `_repr_*_` type a bundle lacks: a `_repr_png_` would store a PNG again.
    assert not any(hasattr(large_result, f"_repr_{kind}_") for kind in ("png", "jpeg", "svg"))
    assert html_picture(bundle["text/html"]).size == (PREVIEW_SIDE, PREVIEW_SIDE)
    fallback = Image.open(io.BytesIO(bundle["image/jpeg"]))
    assert fallback.format == "JPEG" and fallback.mode == "RGB"
    assert fallback.size == (CONVERTER_SIDE, CONVERTER_SIDE)


def test_the_converters_picture_is_the_colorized_photo(large_result):
    # The fallback is the result's picture, only smaller: its colors are the preview's.
    bundle = large_result._repr_mimebundle_()
    preview = html_picture(bundle["text/html"]).convert("RGB")
    fallback = Image.open(io.BytesIO(bundle["image/jpeg"])).convert("RGB")
    expected = np.asarray(preview.resize(fallback.size, Image.Resampling.BICUBIC), np.float32)
    assert np.abs(np.asarray(fallback, np.float32) - expected).mean() < 6.0


def test_nbconvert_shows_the_picture_in_html_and_latex(large_result, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    bundle = large_result._repr_mimebundle_()
    data = {"text/plain": repr(large_result), "text/html": bundle["text/html"],
            "image/jpeg": base64.b64encode(bundle["image/jpeg"]).decode("ascii")}
    cell = nbformat.v4.new_code_cell("result", execution_count=1, outputs=[
        nbformat.v4.new_output("execute_result", data=data, execution_count=1)])
    notebook = nbformat.v4.new_notebook(cells=[cell])
    html, _ = nbconvert.HTMLExporter().from_notebook_node(notebook)
    assert html.count("data:image/jpeg;base64,") == 1 and "<figcaption>" in html
    latex, resources = nbconvert.LatexExporter().from_notebook_node(notebook)
    pictures = {name: data for name, data in resources["outputs"].items()
                if name.endswith((".jpg", ".jpeg", ".png"))}
    assert len(pictures) == 1, sorted(resources["outputs"])
    name, picture = pictures.popitem()
    assert name in latex and Image.open(io.BytesIO(picture)).size == (CONVERTER_SIDE,) * 2
