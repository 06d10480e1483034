"""The service says which page of a multi-page TIFF it colorized, as the CLI does.

`chronochrome colorize` prints "first of 2 frames used; page 2 (56x40) not colorized: split
the pages ..."; a job's item said nothing of it (the provenance file alone held it, among the
loader's other notes). Now an uploaded item's view carries the notes the CLI prints. Served
over real HTTP by uvicorn, with the service's own worker thread."""

from __future__ import annotations

import io

import httpx
import numpy as np
import pytest
from PIL import Image

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig
from colorizer.pipeline.colorization import ColorizationPipeline
from tests.service.service_helpers import finished_job
from tests.service.threaded_serve import served


def _two_page_tiff() -> bytes:
    """A scan saved with its back as page 2, both full size."""
    front = Image.fromarray((np.random.default_rng(0).random((40, 56)) * 255).astype(np.uint8))
    buffer = io.BytesIO()
    front.save(buffer, "TIFF", save_all=True,
               append_images=[front.transpose(Image.Transpose.FLIP_LEFT_RIGHT)])
    return buffer.getvalue()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (56, 40), 128).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.slow  # a served app and two colorized items: ~5 s
def test_a_jobs_item_says_which_page_of_a_tiff_was_colorized(tmp_path, tiny_weights):
    pipeline = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                    exemplars=False, render_size=64)
    app = create_app(pipeline, ServiceConfig(data_dir=tmp_path / "svc", worker_threads=1))
    _, key = app.state.service.store.create_key("archive")
    auth = {"Authorization": f"Bearer {key}"}
    files = [("file", ("letter.tif", _two_page_tiff(), "image/tiff")),
             ("file", ("plain.png", _png(), "image/png"))]
    with served(app) as base:
        answer = httpx.post(f"{base}/v1/jobs", files=files, headers=auth, timeout=60)
        assert answer.status_code == 202, answer.text
        queued = answer.json()["items"]
        job = finished_job(answer.headers["location"], auth)
    assert job["state"] == "succeeded", job
    tiff, png = job["items"]
    # Was: no word of the page in the item (nor in the answer that queued it).
    expected = [("first of 2 frames used; page 2 (56x40) not colorized: split the pages into "
                "files to colorize each (libtiff's `tiffsplit FILE`, or ImageMagick's "
                "`magick FILE page-%d.tif`)")]
    assert tiff["notes"] == expected and queued[0]["notes"] == expected
    assert tiff["status"] == "done" and "notes" not in png  # a plain photo: nothing to say


@pytest.mark.slow  # a served app and one photo colorized at once: ~3 s
def test_a_photo_colorized_at_once_is_recorded_with_its_page_note(tmp_path, tiny_weights):
    pipeline = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                    exemplars=False, render_size=64)
    app = create_app(pipeline, ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0))
    _, key = app.state.service.store.create_key("archive")
    auth = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    with served(app) as base:
        answer = httpx.post(f"{base}/v1/colorize", headers=auth, timeout=60,
                            files=[("file", ("letter.tif", _two_page_tiff(), "image/tiff"))])
        assert answer.status_code == 200, answer.text
        job = httpx.get(f"{base}/v1/jobs/{answer.json()['job_id']}", headers=auth,
                        timeout=30).json()
    # Was: the recorded one-item job's view had no "notes" (a job's upload had them).
    assert job["items"][0]["notes"] == [(
        "first of 2 frames used; page 2 (56x40) not colorized: split the pages into files to "
        "colorize each (libtiff's `tiffsplit FILE`, or ImageMagick's `magick FILE page-%d.tif`)")]
