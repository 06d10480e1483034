"""A URL item's view says which page of a multi-page TIFF was colorized, as an upload's does.

An uploaded item carries the loader's notes from intake, where the service reads it; a URL
or IIIF image item is fetched and loaded only by the worker, so its view said nothing of the
page it colorized (nor of 16 bits read at 8, a profile not used). The worker now records the
notes with the item's completion. Served over real HTTP by uvicorn with its own worker thread,
the TIFF fetched from a local server the test trusts (`archive.test`)."""

from __future__ import annotations

import io
import json

import httpx
import numpy as np
import pytest
from PIL import Image

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig
from colorizer.pipeline.colorization import ColorizationPipeline
from tests.service.service_helpers import LocalServer, finished_job, loopback_fetch_config
from tests.service.threaded_serve import served

PAGE_NOTE = ("first of 2 frames used; page 2 (56x40) not colorized: split the pages into files "
             "to colorize each (libtiff's `tiffsplit FILE`, or ImageMagick's "
             "`magick FILE page-%d.tif`)")


def _image(pages: int) -> bytes:
    """A 56x40 gray scan; with 2 pages its back saved as page 2 (TIFF), else a PNG."""
    front = Image.fromarray((np.random.default_rng(0).random((40, 56)) * 255).astype(np.uint8))
    buffer = io.BytesIO()
    if pages == 1:
        front.save(buffer, "PNG")
    else:
        front.save(buffer, "TIFF", save_all=True,
                   append_images=[front.transpose(Image.Transpose.FLIP_LEFT_RIGHT)])
    return buffer.getvalue()


def _color_jpeg() -> bytes:
    """A hand-tinted print as an archive's IIIF server sends it: a color JPEG."""
    pixels = (np.random.default_rng(1).random((32, 48, 3)) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, "JPEG")
    return buffer.getvalue()


def _served_app(tmp_path, tiny_weights):
    pipeline = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                    exemplars=False, render_size=64)
    app = create_app(pipeline, ServiceConfig(data_dir=tmp_path / "svc", worker_threads=1,
                                             fetch=loopback_fetch_config()))
    _, key = app.state.service.store.create_key("archive")
    return app, {"Authorization": f"Bearer {key}"}


@pytest.mark.slow  # a served app and two fetched, colorized items: ~5 s
def test_a_url_items_view_says_which_page_of_a_tiff_was_colorized(tmp_path, tiny_weights):
    app, auth = _served_app(tmp_path, tiny_weights)
    archive = LocalServer()
    archive.routes["/letter.tif"] = (200, {"Content-Type": "image/tiff"}, _image(pages=2))
    archive.routes["/plain.png"] = (200, {"Content-Type": "image/png"}, _image(pages=1))
    body = {"items": [{"url": archive.url("/letter.tif")}, {"url": archive.url("/plain.png")}]}
    try:
        with served(app) as base:
            answer = httpx.post(f"{base}/v1/jobs", json=body, headers=auth, timeout=60)
            assert answer.status_code == 202, answer.text
            assert "notes" not in answer.json()["items"][0]  # not fetched yet: nothing known
            job = finished_job(answer.headers["location"], auth)
            one = httpx.get(f"{answer.headers['location']}?offset=0&limit=1", headers=auth,
                            timeout=30).json()
    finally:
        archive.close()
    assert job["state"] == "succeeded", job
    tiff, png = job["items"]
    # Was: no "notes" in a URL item's view (the page note only in its provenance file).
    assert tiff["notes"] == [PAGE_NOTE] and one["items"][0]["notes"] == [PAGE_NOTE]
    assert tiff["source"] == {"kind": "url", "url": archive.url("/letter.tif")}
    assert png["status"] == "done" and "notes" not in png  # a plain photo: nothing to say


@pytest.mark.slow  # a served app and one IIIF image fetched and colorized: ~3 s
def test_a_iiif_image_items_view_says_its_colors_were_not_kept(tmp_path, tiny_weights):
    app, auth = _served_app(tmp_path, tiny_weights)
    archive = LocalServer()
    base = archive.url("/iiif/print1")
    info = {"@context": "http://iiif.io/api/image/3/context.json", "id": base,
            "type": "ImageService3", "protocol": "http://iiif.io/api/image", "profile": "level1",
            "width": 48, "height": 32}
    archive.routes["/iiif/print1/info.json"] = (200, {"Content-Type": "application/ld+json"},
                                                json.dumps(info).encode())
    archive.routes["/iiif/print1/full/max/0/default.jpg"] = (
        200, {"Content-Type": "image/jpeg"}, _color_jpeg())
    try:
        with served(app) as base_url:
            answer = httpx.post(f"{base_url}/v1/jobs", json={"items": [{"iiif_image": base}]},
                                headers=auth, timeout=60)
            assert answer.status_code == 202, answer.text
            job = finished_job(answer.headers["location"], auth)
    finally:
        archive.close()
    (item,) = job["items"]
    assert item["status"] == "done", item.get("error")
    # Was: no "notes"; the CLI says "color input reduced to luminance" for the same JPEG.
    assert item["notes"][0].startswith("color input reduced to luminance"), item
