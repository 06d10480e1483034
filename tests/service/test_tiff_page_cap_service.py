"""POST /v1/jobs judges the pixel cap on the page the worker decodes: a TIFF whose page 1 is a
small preview and whose page 2 is over the service's --max-pixels was accepted (202) and its
page 2 decoded at intake (a 30000x20000 page: the serving process from 308 to 883 MB); now it
is refused at the POST with 413 too_large, in the loader's words. Real HTTP (uvicorn)."""

from __future__ import annotations

import io

import httpx
import numpy as np
from PIL import Image
from threaded_serve import served

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig


def test_a_tiffs_page_over_the_cap_is_refused_at_the_post(tmp_path, tiny_pipeline):
    page = Image.fromarray((np.random.default_rng(0).random((1000, 1200)) * 255)
                           .astype(np.uint8))
    scan = io.BytesIO()
    page.resize((40, 33)).save(scan, "TIFF", save_all=True, append_images=[page],
                               compression="tiff_adobe_deflate")
    app = create_app(tiny_pipeline, ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0,
                                                  max_pixels=1_000_000))
    _, key = app.state.service.store.create_key("archive")
    with served(app) as url:
        answer = httpx.post(f"{url}/v1/jobs", headers={"Authorization": f"Bearer {key}"},
                            files={"file": ("scan.tif", scan.getvalue(), "image/tiff")},
                            timeout=120)
    assert answer.status_code == 413, answer.text
    assert answer.json()["reason"] == "too_large"
    assert ("scan.tif: image is 1200x1000 = 1,200,000 pixels (page 2 of 2, the full-size one), "
            "above the limit of 1,000,000") in answer.json()["detail"]
