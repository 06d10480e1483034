"""The Python API as a notebook or a long script uses it: loading a pipeline leaves the
caller's process as it was, and the pipeline shows what it is."""

from __future__ import annotations

import pytest
import torch

from colorizer import ColorizationPipeline


def test_loading_a_pipeline_keeps_the_callers_seeded_random_stream(shared_tiny_weights):
    torch.manual_seed(1234)
    expected = torch.rand(4)
    torch.manual_seed(1234)
    ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                         exemplars=False)
    # Building the generator drew its initial weights from the global generator: a seeded
    # notebook's next draws changed when a pipeline was loaded between them.
    assert torch.equal(torch.rand(4), expected)


def test_a_pipeline_shows_its_model_device_and_components(shared_tiny_weights):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    assert repr(pipe) == ("ColorizationPipeline(model='tiny-model' (test), device=cpu, "
                          "precision=fp32, render_size=64, context=False, exemplars=False)")


def _photo(seed: int):
    import numpy as np
    from PIL import Image

    y, x = np.mgrid[0:48, 0:64]
    pixels = 128 + 90 * np.sin(x / (3 + seed)) * np.cos(y / (2 + seed))
    return Image.fromarray(pixels.astype(np.uint8), "L")


@pytest.mark.slow
def test_threads_sharing_one_pipeline_get_each_photos_own_colors(shared_tiny_weights):
    """A web app's threads call one pipeline at once: each result is its photo's, as a call
    alone gives it (the edit cache and the exemplar cache are shared between them)."""
    from concurrent.futures import ThreadPoolExecutor

    from colorizer import ColorHint, Point

    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64,
                                                chroma_scale=3.0)
    jobs = [(_photo(i % 4), [ColorHint(Point(5 + i, 5), "#2255aa")] if i % 3 == 0 else [])
            for i in range(8)]

    def colorize(job):
        return pipe(job[0], color_hints=job[1]).image.tobytes()

    alone = [colorize(job) for job in jobs]
    pipe.edits.clear()
    with ThreadPoolExecutor(4) as threads:
        together = list(threads.map(colorize, jobs))
    assert together == alone
    assert len(set(alone)) > 4  # the photos (and the hinted ones) differ


def test_a_notebook_shows_a_result_as_a_small_picture(tiny_weights):
    # Jupyter showed a result as its repr's text only.
    import base64
    import io

    from PIL import Image

    from colorizer import ColorizationPipeline
    from colorizer.pipeline.result import PREVIEW_SIDE

    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    result = pipe(Image.new("L", (2400, 600), 128))
    html = result._repr_mimebundle_()["text/html"]  # no `_repr_png_`: test_notebook_size.py
    picture = html.split("data:image/jpeg;base64,", 1)[1].split("'", 1)[0]
    preview = Image.open(io.BytesIO(base64.b64decode(picture)))
    assert preview.format == "JPEG" and preview.mode == "RGB"
    assert preview.size == (PREVIEW_SIDE, PREVIEW_SIDE // 4)  # the photo's shape kept
