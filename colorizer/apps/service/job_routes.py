"""The archive-facing routes, each behind an API key; a key sees only its own jobs.

- POST /v1/colorize: one small image now (the image, or JSON with links);
- POST /v1/jobs, GET and DELETE /v1/jobs/{id}: queued jobs (DELETE ?purge=true: and their
  results); a job's view holds one page of its items (`job_pages`: ?offset=&limit=&state=);
  GET /v1/jobs/{id}/items/{n}/color_hints: an item's color hints as submitted (a job's view
  says only how many, unless ?include=color_hints: polls stay small; 410 once the
  job's results, and with them its hints, were deleted);
- GET (and HEAD) /v1/jobs/{id}/items/{n}/result | provenance | original: an item's files
  (`item_files`; 410 once deleted), with byte ranges and conditional requests (`downloads`);
- GET /v1/jobs/{id}/manifest: IIIF Presentation 3 of the finished items (all of them);
- GET /v1/queue: the key's own share of the queue, before a POST is refused (`queue_routes`).
- POST /v1/jobs/{id}/webhook: send an ended job's webhook again, now (`webhook_routes`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.types import DecoratedCallable

from colorizer.apps.outputs import image_mime
from colorizer.apps.service.auth import api_key_dependency, key_or_link_dependency
from colorizer.apps.service.bodies import read_request
from colorizer.apps.service.downloads import DOWNLOAD_HEADERS, download_answers
from colorizer.apps.service.intake import (
    colorize_now,
    colorize_request,
    create_job,
    require_room,
)
from colorizer.apps.service.item_files import ItemFiles
from colorizer.apps.service.item_names import download_name
from colorizer.apps.service.item_rows import item_hints, job_hints
from colorizer.apps.service.job_pages import DEFAULT_PAGE, ITEM_STATES, MAX_PAGE, Page, job_page
from colorizer.apps.service.manifest_stream import manifest_response
from colorizer.apps.service.problems import Problem
from colorizer.apps.service.queue_routes import install_queue_routes
from colorizer.apps.service.retention import BY_OWNER, expire_now
from colorizer.apps.service.split_items import SPLIT_BESIDE
from colorizer.apps.service.state import ServiceState
from colorizer.apps.service.storage_reserve import with_room
from colorizer.apps.service.store import JobStore
from colorizer.apps.service.store_errors import JobNotFoundError
from colorizer.apps.service.views import (
    COLORIZE_BODY,
    HINTS_BESIDE,
    JOB_BODY,
    NEGATIVE_BESIDE,
    STORAGE_SAID,
    job_view,
    problems,
)
from colorizer.apps.service.webhook_routes import install_webhook_routes

_FIRST = Page()  # what POST and DELETE answer with: the first page
_PAGED = (f"The job's state, its items' counts by state (`counts`, all of them) and one page of "
          f"its items, at most `limit` ({DEFAULT_PAGE} by default, at most {MAX_PAGE}) from "
          "`offset`; `page.total` says how many there are and `links.next` addresses the next "
          "page while there is one. `?state=failed` lists only the failed items; `?limit=0` "
          "answers the state and counts alone, the cheapest poll.")
_PAGE_422 = ("include is not color_hints, state is not an item state, or offset or limit is "
             f"not a whole number in range (limit at most {MAX_PAGE})")
_BODY_PROBLEMS = (401, 408, 413, 415, 422, 429)  # reads a body, then needs room to work
_IMAGES = {"content": {m: {} for m in ("image/png", "image/jpeg", "image/tiff", "image/webp")}}
_COLORIZE_ANSWERS = {200: {"content": {"image/png": {}, "application/json": {}}},
                     **problems(*_BODY_PROBLEMS, 503, 507, said={
                         429: "synchronous colorization is at capacity: retry later or submit "
                              "a job",
                         503: "the result could not be signed (C2PA, reason signing_failed: "
                              "e.g. the certificate expired), or the service's storage is "
                              "read-only (storage_read_only); nothing was recorded"})}
_FILE_PROBLEMS = problems(401, 404, 409, 410, 412, 416, 422, said={
    401: "no API key, or an unknown or revoked one; a signed link that is wrong or expired",
    422: "the item index is not a whole number from 0"})
_JSON = {"content": {"application/json": {}}}
# Bounded: an index past SQLite's INTEGER (2**63 - 1) was a 500 OverflowError, not a 422.
ItemIndex = Annotated[int, PathParam(ge=0, le=2**63 - 1, description="the item's place in its "
                                     "job, from 0 (`index` in the job's items)")]


def install_job_routes(app: FastAPI, state: ServiceState) -> None:
    api_key = api_key_dependency(state.store)
    files = ItemFiles(state.store, state.config.results_dir,
                      state.config.result_retention_seconds)
    _install_colorize_route(app, state, api_key)
    _install_submit_routes(app, state, api_key)
    install_queue_routes(app, state, api_key)
    _install_job_routes(app, state, api_key, files)
    install_webhook_routes(app, state, api_key)  # POST /v1/jobs/{id}/webhook: send again
    _install_item_routes(app, state, api_key, files)  # and the manifest route


def base_url(state: ServiceState, request: Request) -> str:
    """Where links point: the configured public URL, else the one the request came to (its
    proxy's scheme, host and prefix when it came through a trusted one: proxy_headers)."""
    return (state.config.public_url or str(request.base_url)).rstrip("/")


def _install_colorize_route(app: FastAPI, state: ServiceState,
                            api_key: Callable[..., str]) -> None:
    cfg = state.config

    @app.post("/v1/colorize", tags=["colorize"], openapi_extra=COLORIZE_BODY,
              summary="Colorize one small photo now: the image, or JSON with links",
              response_description="the colorized image (or, as JSON, its links and "
                                   "provenance record)",
              responses=_COLORIZE_ANSWERS)
    async def colorize(request: Request, key_id: str = Depends(api_key),
                       response: Literal["image", "json"] | None = Query(
                           None, description="image (the default) or json (links and "
                           "provenance)"),
                       color_hints: str | None = Query(None, description=HINTS_BESIDE),
                       color_hints_header: str | None = Header(
                           None, alias="Color-Hints", description=HINTS_BESIDE),
                       negative: str | None = Query(None, description=NEGATIVE_BESIDE,
                                                    json_schema_extra={
                                                        "enum": ["true", "false"]}),
                       split_page: str | None = Query(None, description=SPLIT_BESIDE,
                                                      json_schema_extra={
                                                          "enum": ["true", "false"]})
                       ) -> Response:
        """Colorize one small image now; the image (default) or JSON with links. A raw image
        body's color hints: the `color_hints` query parameter or the `Color-Hints` header; a
        scanned negative: `?negative=true`; an album page split or not: `?split_page=`."""
        # Those four are read with the body (bodies.read_request); declared for the docs.
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


def _install_submit_routes(app: FastAPI, state: ServiceState,
                           api_key: Callable[..., str]) -> None:
    cfg, store = state.config, state.store

    @app.post("/v1/jobs", status_code=202, tags=["jobs"], openapi_extra=JOB_BODY,
              summary="Queue a job of photos: uploads, URLs, IIIF images or manifests",
              response_description="the job, queued (Location: its address)",
              responses=problems(*_BODY_PROBLEMS, 503, 507, said={
                  **STORAGE_SAID,
                  422: "invalid input (the detail names the field, item or image), or an "
                       "`Idempotency-Key` already used with another body",
                  429: "the queue is at its cap: try again after `Retry-After` seconds"}))
    async def submit(request: Request, key_id: str = Depends(api_key),
                     idempotency_key: str | None = Header(
                         None, max_length=255, description="your name for this request: the "
                         "same key and body again answer the job it made")) -> JSONResponse:
        """Queue photos (uploads, URLs, IIIF images or manifests); 202 + Location. With an
        `Idempotency-Key` the same body again answers that job (`Idempotent-Replayed: true`),
        another body 422; once the job's results expired (retention or `?purge=true`) the
        key starts a fresh job."""
        await run_in_threadpool(require_room, state.store, 1, key_id,  # a full queue or
                                cfg.key_queue_cap)  # share: the body not even read
        raw, uploads = await read_request(request, cfg.max_upload_bytes, cfg.job_max_items,
                                          cfg.request_timeout_seconds)
        base = base_url(state, request)  # behind a proxy: its scheme, host and prefix
        job, created, secret = await run_in_threadpool(create_job, state, key_id, raw, uploads,
                                                       idempotency_key, base)
        headers = {"Location": f"{base}/v1/jobs/{job['id']}"}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return JSONResponse(_first_page(store, key_id, job["id"], base, secret), 202, headers)


def _install_job_routes(app: FastAPI, state: ServiceState, api_key: Callable[..., str],
                        files: ItemFiles) -> None:
    store = state.store

    @app.get("/v1/jobs/{job_id}", tags=["jobs"], responses=problems(401, 404, 422, said={
                 422: _PAGE_422}),
             summary="A job's state and its items: status, errors, links to the results",
             description=_PAGED, response_description="the job, with one page of its items")
    def get_job(job_id: str, request: Request, key_id: str = Depends(api_key),
                include: Literal["color_hints"] | None = Query(
                    None, description="color_hints: each item's color hints inline, as "
                    "submitted (without it an item shows their count and "
                    "`color_hints_url`, so that polling a job stays small)"),
                offset: int = Query(0, ge=0, description="items to skip (of those in "
                                    "`state`, when given)"),
                limit: int = Query(DEFAULT_PAGE, ge=0, le=MAX_PAGE, description="items to "
                                   "show at most; 0: none, only the state and counts"),
                item_state: Literal[ITEM_STATES] | None = Query(  # type: ignore[valid-type]
                    None, alias="state", description="only the items in this state, e.g. "
                    "failed")) -> dict:
        page = Page(offset, limit, item_state)
        job = _page_of(store, key_id, job_id, page)
        hints = job_hints(store.connection(), job_id, [i["idx"] for i in job["items"]]
                          ) if include else None
        return job_view(job, base_url(state, request), hints=hints, page=page)

    @app.get("/v1/jobs/{job_id}/items/{index}/color_hints", tags=["jobs"],
             summary="An item's color hints, as they were submitted with it",
             response_description="the hints (a JSON list; [] when the item has none)",
             responses=problems(401, 404, 410, 422, said={
                 410: "the job's results, and with them its color hints, were deleted",
                 422: "the item index is not a whole number from 0"}))
    def get_item_hints(job_id: str, index: ItemIndex, key_id: str = Depends(api_key)) -> list:
        """The item's `color_hints` as submitted, sources, masks and references included: what
        a client needs to colorize the item again as the job did (the workbench does)."""
        found = item_hints(store.connection(), key_id, job_id, index)
        if found is None:
            store.require_job(key_id, job_id)  # 404 job_not_found for another key's job
            raise Problem(404, "item_not_found", f"job {job_id} has no item {index}")
        status, hints = found
        if status == "expired":  # deleted with the results (retention): not "it had none"
            raise files.expired(store.require_job(key_id, job_id),
                                f"the color hints of item {index}", verb="are")
        return hints

    @app.delete("/v1/jobs/{job_id}", tags=["jobs"], response_description="the job, canceled",
                summary="Cancel a job's unfinished items (and delete its results: ?purge=true)",
                responses=problems(401, 404, 422, 503, 507, said={
                    **STORAGE_SAID, 422: "purge is not true or false"}))
    def cancel_job(job_id: str, request: Request, key_id: str = Depends(api_key),
                   purge: bool = Query(False, description="also delete the job's results and "
                                       "uploaded originals now")) -> dict:
        """Cancel the job's unfinished items; with `?purge=true` also delete its results and
        uploaded originals now (its files answer 410 from then on)."""
        _cancel(state, key_id, job_id, purge)
        return _first_page(store, key_id, job_id, base_url(state, request))


def _cancel(state: ServiceState, key_id: str, job_id: str, purge: bool) -> None:
    store = state.store
    sender = state.webhooks.owner  # a cancel ends the job: its job.completed goes now
    if purge:  # what frees a full disk must be recordable on it: the reserve, once
        ended = with_room(store.path.parent, lambda: store.cancel(key_id, job_id, sender))
        expire_now(store, state.config.results_dir, job_id, BY_OWNER)  # canceled: none runs
    else:
        ended = store.cancel(key_id, job_id, sender)
    if ended:
        state.webhooks.submit(job_id)


def _install_item_routes(app: FastAPI, state: ServiceState, api_key: Callable[..., str],
                         files: ItemFiles) -> None:
    image_key = key_or_link_dependency(state.store, state.links)  # IIIF viewers: signed links

    item_path = "/v1/jobs/{job_id}/items/{index}"

    @_get_and_head(app, f"{item_path}/result", tags=["jobs"], response_class=Response,
                   responses={**download_answers(_IMAGES), **_FILE_PROBLEMS},
                   openapi_extra=DOWNLOAD_HEADERS,
                   summary="Download an item's colorized image",
                   response_description="the image, named after the original")
    def download(job_id: str, index: ItemIndex, request: Request,
                 key_id: str = Depends(image_key)) -> Response:
        _, item = files.done_item(key_id, job_id, index)
        suffix = Path(item["result_file"]).suffix
        return files.response(request, key_id, item, "result_file",
                              image_mime(suffix.lstrip(".")), download_name(item, job_id, suffix))

    @_get_and_head(app, f"{item_path}/provenance", tags=["jobs"], response_class=Response,
                   responses={**download_answers(_JSON), **_FILE_PROBLEMS},
                   openapi_extra=DOWNLOAD_HEADERS,
                   summary="An item's provenance record: model, context, hints, sources",
                   response_description="the provenance record (JSON)")
    def provenance(job_id: str, index: ItemIndex, request: Request,
                   key_id: str = Depends(image_key)) -> Response:  # the manifest's seeAlso
        _, item = files.done_item(key_id, job_id, index)
        return files.response(request, key_id, item, "provenance_file", "application/json")

    @_get_and_head(app, f"{item_path}/original", tags=["jobs"], summary="Download the "
                   "original an item was uploaded with", response_description="the image",
                   response_class=Response, openapi_extra=DOWNLOAD_HEADERS,
                   responses={**download_answers(_IMAGES), **problems(
                       401, 404, 410, 412, 416, 422, said={
                       401: _FILE_PROBLEMS[401]["description"],
                       404: "no such job for this API key, or an item that was not uploaded",
                       410: "the job's results, and with them its originals, were deleted",
                       422: _FILE_PROBLEMS[422]["description"]})})
    def original(job_id: str, index: ItemIndex, request: Request,
                 key_id: str = Depends(image_key)) -> Response:
        return files.original_response(request, key_id, job_id, index)

    _install_manifest_route(app, state, api_key, files)  # registered last, as OpenAPI lists it


def _install_manifest_route(app: FastAPI, state: ServiceState, api_key: Callable[..., str],
                            files: ItemFiles) -> None:
    @app.get("/v1/jobs/{job_id}/manifest", tags=["iiif"],
             summary="The job as a IIIF Presentation 3 manifest (original and colorized)",
             response_description="the manifest (JSON-LD)",
             responses=problems(401, 404, 409, 410, said={
                 409: "no item of the job is done yet: poll `GET /v1/jobs/{job_id}`",
                 410: "no item has a result (every one failed or was canceled), or the job's "
                      "results were deleted"}))
    def manifest(job_id: str, request: Request, key_id: str = Depends(api_key)) -> Response:
        """IIIF Presentation 3: each canvas offers the original, then the colorized image
        (image links signed, so IIIF viewers open them without the key)."""
        # Its done items only (all of them: a IIIF viewer does not follow pages), read and
        # sent a page at a time (manifest_stream): a 10,000-item job's was 220 MB at once.
        return manifest_response(files, key_id, job_id, base_url(state, request),
                                 sign=lambda url: state.links.sign(url, key_id))


def _page_of(store: JobStore, key_id: str, job_id: str, page: Page) -> dict[str, Any]:
    """`job_page`, or 404 job_not_found when the job is not this key's (or was forgotten)."""
    job = job_page(store, key_id, job_id, page)
    if job is None:
        raise JobNotFoundError(job_id)
    return job


def _first_page(store: JobStore, key_id: str, job_id: str, base: str,
                secret: str | None = None) -> dict[str, Any]:
    """The view POST and DELETE answer with: the job with its first page of items."""
    return job_view(_page_of(store, key_id, job_id, _FIRST), base, secret, page=_FIRST)


def _get_and_head(app: FastAPI, path: str, **route: Any
                  ) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """`@app.get` for a route that serves a file, answering HEAD too (the same status and
    headers, no body); only the GET is described in the OpenAPI document."""
    def register(endpoint: DecoratedCallable) -> DecoratedCallable:
        app.add_api_route(path, endpoint, methods=["GET"], **route)
        app.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False, **route)
        return endpoint

    return register
