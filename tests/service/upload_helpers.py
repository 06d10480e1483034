"""Helpers for the upload-intake tests: a service over real HTTP with a 40 MP cap, a POST of
one photo, and an item the worker failed."""

from __future__ import annotations

from pathlib import Path

import httpx
from threaded_serve import served

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.worker import Worker


def upload_app(tmp_path: Path, tiny_pipeline):
    """(app, auth headers) of a service with no worker thread and a 40 MP cap."""
    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0, max_pixels=40_000_000)
    app = create_app(tiny_pipeline, config)
    _, key = app.state.service.store.create_key("archive")
    return app, {"Authorization": f"Bearer {key}"}


def post_upload(url: str, auth: dict, name: str, data: bytes, ctype: str, raw: bool = False
                ) -> httpx.Response:
    """POST /v1/jobs of one photo: a multipart `file`, or (`raw`) the image as the body."""
    if raw:
        return httpx.post(f"{url}/v1/jobs", headers={**auth, "Content-Type": ctype},
                          content=data, timeout=120)
    return httpx.post(f"{url}/v1/jobs", headers=auth, files={"file": (name, data, ctype)},
                      timeout=120)


def failed_in_the_worker(tmp_path: Path, tiny_pipeline, name: str, data: bytes,
                         ctype: str) -> dict:
    """The error of an upload taken at the POST (202) that the worker then failed."""
    app, auth = upload_app(tmp_path, tiny_pipeline)
    state = app.state.service
    with served(app) as url:
        answer = post_upload(url, auth, name, data, ctype)
        assert answer.status_code == 202, answer.text
        worker = Worker(state.pipeline, state.store, state.config, state.fetcher,
                        state.signer, webhooks=state.webhooks)
        assert worker.run_once()
        job = httpx.get(answer.headers["location"], headers=auth, timeout=30).json()
    assert job["state"] == "failed", job
    return job["items"][0]["error"]
