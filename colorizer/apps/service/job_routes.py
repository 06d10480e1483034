"""The archive-facing routes, each behind an API key; a key sees only its own jobs.

- POST /v1/colorize: one small image now (the image, or JSON with links);
- POST /v1/jobs, GET and DELETE /v1/jobs/{id}: queued jobs (DELETE ?purge=true: and their
  results);
- GET /v1/jobs/{id}/items/{n}/result | provenance | original: an item's files (`item_files`;
  410 once deleted);
- GET /v1/jobs/{id}/manifest: IIIF Presentation 3 of the finished items.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from colorizer.apps.outputs import image_mime
from colorizer.apps.service.auth import api_key_dependency, key_or_link_dependency
from colorizer.apps.service.bodies import read_request
from colorizer.apps.service.iiif import build_manifest
from colorizer.apps.service.intake import (
    colorize_now,
    colorize_request,
    create_job,
    require_room,
)
from colorizer.apps.service.item_files import ItemFiles
from colorizer.apps.service.item_names import download_name
from colorizer.apps.service.problems import Problem
from colorizer.apps.service.retention import BY_OWNER, expire_now
from colorizer.apps.service.state import ServiceState
from colorizer.apps.service.views import COLORIZE_BODY, ERRORS, HINTS_BESIDE, JOB_BODY, job_view

IIIF_JSON = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'


def install_job_routes(app: FastAPI, state: ServiceState) -> None:
    api_key = api_key_dependency(state.store)
    _install_submit_routes(app, state, api_key)
    _install_job_routes(app, state, api_key)
    _install_item_routes(app, state, api_key)  # and the manifest route


def base_url(state: ServiceState, request: Request) -> str:
    """Where links point: the configured public URL, else the one the request came to."""
    return (state.config.public_url or str(request.base_url)).rstrip("/")


def _install_submit_routes(app: FastAPI, state: ServiceState,
                           api_key: Callable[..., str]) -> None:
    cfg = state.config

    @app.post("/v1/colorize", tags=["colorize"], openapi_extra=COLORIZE_BODY,
              responses={200: {"content": {"image/png": {}, "application/json": {}}}, **ERRORS})
    async def colorize(request: Request, key_id: str = Depends(api_key),
                       response: Literal["image", "json"] | None = Query(
                           None, description="image (the default) or json (links and "
                           "provenance)"),
                       color_hints: str | None = Query(None, description=HINTS_BESIDE),
                       color_hints_header: str | None = Header(
                           None, alias="Color-Hints", description=HINTS_BESIDE)) -> Response:
        """Colorize one small image now; the image (default) or JSON with links. A raw image
        body's color hints: the `color_hints` query parameter or the `Color-Hints` header
        (read with the body, `bodies.read_request`; declared here for the API's page)."""
        raw, uploads = await read_request(request, cfg.max_upload_bytes, cfg.job_max_items,
                                          cfg.request_timeout_seconds)
        item, fmt = colorize_request(raw, uploads, cfg.output_format)
        want_json = response == "json" or (
            response is None and "application/json" in request.headers.get("accept", ""))
        out = await run_in_threadpool(colorize_now, state, key_id, uploads[0], item, fmt)
        url = f"{base_url(state, request)}/v1/jobs/{out.job_id}/items/0"
        if want_json:
            return JSONResponse({"job_id": out.job_id, "result_url": f"{url}/result",
                                 "provenance_url": f"{url}/provenance",
                                 "provenance": out.record},
                                headers={"Location": f"{url}/result"})
        return Response(out.image, media_type=out.mime, headers={
            "Location": f"{url}/result", "Link": f'<{url}/provenance>; rel="describedby"'})

    @app.post("/v1/jobs", status_code=202, tags=["jobs"], openapi_extra=JOB_BODY,
              responses=ERRORS)
    async def submit(request: Request, key_id: str = Depends(api_key),
                     idempotency_key: str | None = Header(None, max_length=255)) -> JSONResponse:
        """Queue photos (uploads, URLs, IIIF images or manifests); 202 + Location. With an
        `Idempotency-Key` the same body again answers that job (`Idempotent-Replayed: true`),
        another body 422; once the job's results expired (retention or `?purge=true`) the
        key starts a fresh job."""
        await run_in_threadpool(require_room, state.store, 1)  # a full queue: not even read
        raw, uploads = await read_request(request, cfg.max_upload_bytes, cfg.job_max_items,
                                          cfg.request_timeout_seconds)
        job, created, secret = await run_in_threadpool(create_job, state, key_id, raw, uploads,
                                                       idempotency_key)
        headers = {"Location": f"/v1/jobs/{job['id']}"}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return JSONResponse(job_view(job, base_url(state, request), secret), status_code=202,
                            headers=headers)


def _install_job_routes(app: FastAPI, state: ServiceState, api_key: Callable[..., str]) -> None:
    store, results_dir = state.store, state.config.results_dir

    @app.get("/v1/jobs/{job_id}", tags=["jobs"], responses=ERRORS)
    def get_job(job_id: str, request: Request, key_id: str = Depends(api_key)) -> dict:
        return job_view(store.require_job(key_id, job_id), base_url(state, request))

    @app.delete("/v1/jobs/{job_id}", tags=["jobs"], responses=ERRORS)
    def cancel_job(job_id: str, request: Request, key_id: str = Depends(api_key),
                   purge: bool = False) -> dict:
        """Cancel the job's unfinished items; with `?purge=true` also delete its results and
        uploaded originals now (its files answer 410 from then on)."""
        store.cancel(key_id, job_id)
        if purge:
            expire_now(store, results_dir, job_id, BY_OWNER)  # canceled: nothing runs
        return job_view(store.require_job(key_id, job_id), base_url(state, request))


def _install_item_routes(app: FastAPI, state: ServiceState, api_key: Callable[..., str]) -> None:
    files = ItemFiles(state.store, state.config.results_dir,
                      state.config.result_retention_seconds)
    image_key = key_or_link_dependency(state.store, state.links)  # IIIF viewers: signed links

    @app.get("/v1/jobs/{job_id}/items/{index}/result", tags=["jobs"], responses=ERRORS)
    def download(job_id: str, index: int, key_id: str = Depends(image_key)) -> Response:
        _, item = files.done_item(key_id, job_id, index)
        suffix = Path(item["result_file"]).suffix
        return files.response(key_id, item, "result_file", image_mime(suffix.lstrip(".")),
                              download_name(item, job_id, suffix))

    @app.get("/v1/jobs/{job_id}/items/{index}/provenance", tags=["jobs"], responses=ERRORS)
    def provenance(job_id: str, index: int, key_id: str = Depends(api_key)) -> Response:
        _, item = files.done_item(key_id, job_id, index)
        return files.response(key_id, item, "provenance_file", "application/json")

    @app.get("/v1/jobs/{job_id}/items/{index}/original", tags=["jobs"], responses=ERRORS)
    def original(job_id: str, index: int, key_id: str = Depends(image_key)) -> Response:
        return Response(files.original(key_id, job_id, index),
                        media_type="application/octet-stream")

    _install_manifest_route(app, state, api_key, files)  # registered last, as OpenAPI lists it


def _install_manifest_route(app: FastAPI, state: ServiceState, api_key: Callable[..., str],
                            files: ItemFiles) -> None:
    store = state.store

    @app.get("/v1/jobs/{job_id}/manifest", tags=["iiif"], responses=ERRORS)
    def manifest(job_id: str, request: Request, key_id: str = Depends(api_key)) -> JSONResponse:
        """IIIF Presentation 3: each canvas offers the original, then the colorized image
        (image links signed, so IIIF viewers open them without the key)."""
        job = store.require_job(key_id, job_id)
        records = files.records(key_id, job)
        if not records:
            raise Problem(409, "not_done", f"job {job_id} has no finished item yet; poll "
                          f"GET /v1/jobs/{job_id} until one is done")
        body = build_manifest(job, base_url(state, request), records,
                              sign=lambda url: state.links.sign(url, key_id))
        return JSONResponse(body, media_type=IIIF_JSON)
