"""An archive's IIIF jobs as its tests run them: the service on the tiny model (no context, no
exemplars, a 64 px render) served by uvicorn over real HTTP with its own worker, trusting the
local archive server's loopback address, and a job submitted and waited for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig
from colorizer.pipeline.colorization import ColorizationPipeline
from tests.service.service_helpers import (
    LocalServer,
    finished_job,
    gray_png,
    loopback_fetch_config,
)
from tests.service.threaded_serve import served


@contextmanager
def tiny_service(weights: Path, data_dir: Path, key_name: str,
                    **config: Any) -> Iterator[tuple[str, dict[str, str]]]:
    """(base URL, auth header) of a served service on the tiny model folder `weights`;
    `config`: more ServiceConfig fields (job_max_items, max_pixels, ...)."""
    pipeline = ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                    exemplars=False, render_size=64)
    app = create_app(pipeline, ServiceConfig(data_dir=data_dir, worker_threads=1,
                                             fetch=loopback_fetch_config(), **config))
    _, key = app.state.service.store.create_key(key_name)
    with served(app) as base:
        yield base, {"Authorization": f"Bearer {key}"}


def run_job(base: str, auth: dict[str, str], items: list[dict]) -> dict:
    """POST /v1/jobs with `items` (202 asserted) and the finished job's view."""
    answer = httpx.post(f"{base}/v1/jobs", headers=auth, timeout=60, json={"items": items})
    assert answer.status_code == 202, answer.text
    return finished_job(answer.headers["location"], auth)


IMAGE3 = "http://iiif.io/api/image/3/context.json"


def image_service(archive: LocalServer, name: str, seed: int) -> dict:
    """A level-2 Image API 3 service at /iiif/<name> (48 x 32) and its painting body."""
    base = archive.url(f"/iiif/{name}")
    info = {"@context": IMAGE3, "id": base, "type": "ImageService3",
            "protocol": "http://iiif.io/api/image", "profile": "level2", "width": 48,
            "height": 32}
    archive.routes[f"/iiif/{name}/info.json"] = (200, {"Content-Type": "application/ld+json"},
                                                json.dumps(info).encode())
    archive.routes[f"/iiif/{name}/full/max/0/default.jpg"] = (
        200, {"Content-Type": "image/jpeg"}, gray_png(48, 32, seed=seed, fmt="JPEG"))
    return {"id": f"{base}/full/max/0/default.jpg", "type": "Image", "format": "image/jpeg",
            "width": 48, "height": 32,
            "service": [{"id": base, "type": "ImageService3", "profile": "level2"}]}
