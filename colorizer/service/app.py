"""The FastAPI app: `create_app(pipeline, config)`; components go in, nothing global.

Every endpoint but /livez and /readyz needs an API key (`Authorization: Bearer <key>` or
`X-API-Key`); a key sees only its own jobs (another key's are 404). Errors are RFC 9457
problem+json. Colorization goes through the injected pipeline and `worker.write_outputs`,
the same path the worker and the CLI use.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from colorizer.provenance import IMAGE_FORMATS, normalize_format
from colorizer.service.config import ServiceConfig
from colorizer.service.fetch import FetchError, SafeFetcher
from colorizer.service.iiif import build_manifest
from colorizer.service.intake import (
    JobIn,
    build_items,
    check_upload,
    job_format,
    parse_job,
    request_hash,
    webhook_secret,
)
from colorizer.service.metrics import Metrics
from colorizer.service.problems import Problem
from colorizer.service.store import JobStore, NewItem, new_job_id
from colorizer.service.webhooks import new_secret
from colorizer.service.worker import Worker, remove_stale_temp_files, write_outputs

log = logging.getLogger("chronochrome.service")
PROBLEM_JSON = "application/problem+json"
_bearer = HTTPBearer(auto_error=False, description="an API key from `chronochrome keys create`")


class ServiceState:
    """What the routes share: the components and the in-process workers."""

    def __init__(self, pipeline: Any, config: ServiceConfig, store: JobStore,
                 fetcher: SafeFetcher, signer: Any) -> None:
        self.pipeline, self.config, self.store = pipeline, config, store
        self.fetcher, self.signer, self.metrics = fetcher, signer, Metrics()
        self.sync_slots = threading.BoundedSemaphore(config.sync_concurrency)
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start_workers(self) -> None:
        remove_stale_temp_files(self.config.results_dir, self.config.lease_seconds)
        for n in range(self.config.worker_threads):
            worker = Worker(self.pipeline, self.store, self.config, self.fetcher, self.signer)
            thread = threading.Thread(target=worker.run, args=(self.stop,), daemon=True,
                                      name=f"chronochrome-worker-{n}")
            thread.start()
            self.threads.append(thread)

    def stop_workers(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def create_app(pipeline: Any, config: ServiceConfig | None = None, *,
               store: JobStore | None = None, fetcher: SafeFetcher | None = None,
               signer: Any = None) -> FastAPI:
    """The service around one `ColorizationPipeline` (or anything called like one)."""
    config = config or ServiceConfig()
    config.results_dir.mkdir(parents=True, exist_ok=True)
    store = store or JobStore(config.db_path, config.queue_cap, config.max_attempts)
    if signer is None and config.c2pa is not None:
        from colorizer.service.signing import C2paSigner

        signer = C2paSigner(config.c2pa)
    state = ServiceState(pipeline, config, store, fetcher or SafeFetcher(config.fetch), signer)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        state.start_workers()
        yield
        state.stop_workers()

    from colorizer import __version__

    app = FastAPI(title="chronochrome", version=__version__, lifespan=lifespan,
                  description="Context-aware colorization of historical photographs for "
                              "archives: jobs, IIIF, provenance.")
    app.state.service = state
    _install_error_handlers(app, state)
    _install_routes(app, state)
    return app


def _problem_response(problem: Problem, request: Request) -> JSONResponse:
    return JSONResponse(problem.to_dict(instance=request.url.path), status_code=problem.status,
                        media_type=PROBLEM_JSON, headers=problem.headers)


def _install_error_handlers(app: FastAPI, state: ServiceState) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        state.metrics.reject(exc.reason)
        return _problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        state.metrics.reject("invalid_request")
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return _problem_response(Problem(422, "invalid_request", detail), request)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        reason = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        state.metrics.reject(reason)
        return _problem_response(Problem(exc.status_code, reason, str(exc.detail),
                                         headers=dict(exc.headers or {})), request)

    @app.middleware("http")
    async def count_requests(request: Request, call_next):
        response = await call_next(request)
        state.metrics.request(request.method, response.status_code)
        return response


def _base_url(state: ServiceState, request: Request) -> str:
    return (state.config.public_url or str(request.base_url)).rstrip("/")


async def _capped_body(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise Problem(413, "request_too_large", f"the request is {int(declared):,} bytes, above "
                      f"the limit of {cap:,}; send fewer or smaller files per request")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise Problem(413, "request_too_large", f"the request is above the limit of {cap:,} "
                          "bytes; send fewer or smaller files per request")
        chunks.append(chunk)
    return b"".join(chunks)


async def _form(request: Request, body: bytes, max_files: int) -> Any:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        return await Request(request.scope, receive).form(max_files=max_files, max_fields=1000)
    except StarletteHTTPException as exc:
        raise Problem(422, "invalid_multipart", f"the multipart body could not be read: "
                      f"{exc.detail}") from exc


async def _read_request(request: Request, state: ServiceState
                        ) -> tuple[dict[str, Any], list[tuple[str, bytes, str | None]]]:
    """(job-like JSON, uploaded files) of a JSON, multipart or raw image body."""
    cfg = state.config
    body = await _capped_body(request, cfg.max_upload_bytes)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        form = await _form(request, body, cfg.job_max_items)
        files = [f for f in form.getlist("file") if isinstance(f, UploadFile)]
        uploads = [(f.filename or f"file{i}", await f.read(), f.content_type)
                   for i, f in enumerate(files)]
        if "request" in form:
            return _json(str(form["request"])), uploads
        hints, captions = form.getlist("hint"), form.getlist("caption")
        items = [{"upload": i, "hint": _aligned(hints, i), "caption": _aligned(captions, i)}
                 for i in range(len(uploads))]
        raw = {"items": items, "format": form.get("format") or None}
        return raw, uploads
    if ctype == "application/json":
        return _json(body.decode("utf-8", "replace")), []
    if ctype.startswith("image/") or ctype == "application/octet-stream":
        return {"items": [{"upload": 0}]}, [("upload", body, ctype)]
    raise Problem(415, "unsupported_media_type", f"content type {ctype or 'none'!r} is not "
                  "accepted: send application/json, multipart/form-data or an image/* body")


def _aligned(values: list[Any], i: int) -> str | None:
    if not values:
        return None
    value = values[i] if i < len(values) else values[-1] if len(values) == 1 else None
    return str(value) if value else None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise Problem(422, "invalid_json", f"the body is not valid JSON ({exc})") from exc


def job_view(job: dict[str, Any], base: str, secret: str | None = None) -> dict[str, Any]:
    url = f"{base}/v1/jobs/{job['id']}"
    items = []
    counts: dict[str, int] = {}
    for item in job["items"]:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
        src = {k: v for k, v in item["source"].items()
               if k in ("kind", "url", "service", "name", "canvas_id")}
        view = {"index": item["idx"], "status": item["status"], "source": src,
                "hint": item["hint"], "caption": item["caption"], "attempts": item["attempts"]}
        if item["status"] == "done":
            view.update(result_url=f"{url}/items/{item['idx']}/result",
                        provenance_url=f"{url}/items/{item['idx']}/provenance",
                        result_sha256=item["result_sha256"])
        if item["status"] == "failed":
            view["error"] = {"status": item["error_status"], "reason": item["error_reason"],
                             "detail": item["error_detail"]}
        items.append(view)
    data = {"id": job["id"], "state": job["state"], "kind": job["kind"],
            "created": job["created"], "format": job["format"], "counts": counts,
            "items": items, "links": {"self": url, "manifest": f"{url}/manifest"}}
    if job.get("webhook_url"):
        data["webhook"] = {"url": job["webhook_url"], "state": job["webhook_state"],
                           "detail": job["webhook_detail"]}
        if secret:
            data["webhook"]["secret"] = secret  # shown once, when it was generated for you
    return data


_JOB_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": JobIn.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "array", "items": {"type": "string", "format": "binary"}},
        "request": {"type": "string", "description": "JobIn as JSON; items refer to files "
                                                     "by index (upload)"},
        "hint": {"type": "array", "items": {"type": "string"}},
        "caption": {"type": "array", "items": {"type": "string"}}}}}}}}
_COLORIZE_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}, "hint": {"type": "string"},
        "caption": {"type": "string"}, "format": {"type": "string"}}}},
    "image/*": {"schema": {"type": "string", "format": "binary"}}}}}
_ERRORS = {s: {"description": d, "content": {PROBLEM_JSON: {}}} for s, d in {
    401: "no or unknown API key", 404: "no such job for this key", 413: "too large",
    415: "unsupported media type", 422: "corrupt or invalid input",
    429: "queue at its cap (see Retry-After)"}.items()}


def _install_routes(app: FastAPI, state: ServiceState) -> None:
    cfg, store = state.config, state.store

    def api_key(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                x_api_key: Annotated[str | None, Header()] = None) -> str:
        secret = credentials.credentials if credentials else x_api_key
        headers = {"WWW-Authenticate": 'Bearer realm="chronochrome"'}
        if not secret:
            raise Problem(401, "missing_key", "this endpoint needs an API key: send "
                          "'Authorization: Bearer <key>' (create one with `chronochrome keys "
                          "create --name NAME`)", headers=headers)
        key_id = store.key_for(secret)
        if key_id is None:
            raise Problem(401, "invalid_key", "the API key is unknown or revoked",
                          headers=headers)
        return key_id

    def own_job(key_id: str, job_id: str) -> dict[str, Any]:
        job = store.job(key_id, job_id)
        if job is None:  # another key's job looks exactly like a missing one
            raise Problem(404, "job_not_found", f"no job {job_id} for this API key")
        return job

    def own_item(key_id: str, job_id: str, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
        job = own_job(key_id, job_id)
        if not 0 <= index < len(job["items"]):
            raise Problem(404, "item_not_found", f"job {job_id} has no item {index}")
        item = job["items"][index]
        if item["status"] != "done":
            raise Problem(409, "not_done", f"item {index} is {item['status']}; poll "
                          f"GET /v1/jobs/{job_id} until it is done")
        return job, item

    @app.get("/livez", tags=["health"])
    def livez() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        problems = []
        try:
            depth = store.queue_depth()
        except Exception as exc:  # noqa: BLE001 - any database failure means "not ready"
            depth, problems = None, [f"job store unavailable: {exc}"]
        if not os.access(cfg.results_dir, os.W_OK):
            problems.append(f"results folder {cfg.results_dir} is not writable")
        dead = [t.name for t in state.threads if not t.is_alive()]
        if dead:
            problems.append(f"worker threads stopped: {dead}")
        body = {"status": "not ready" if problems else "ready", "queue_depth": depth,
                "queue_cap": cfg.queue_cap, "worker_threads": len(state.threads),
                "problems": problems}
        return JSONResponse(body, status_code=503 if problems else 200)

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse)
    def metrics(key_id: str = Depends(api_key)) -> PlainTextResponse:
        return PlainTextResponse(state.metrics.render(store),
                                 media_type="text/plain; version=0.0.4")

    @app.post("/v1/colorize", tags=["colorize"], openapi_extra=_COLORIZE_BODY,
              responses={200: {"content": {"image/png": {}, "application/json": {}}}, **_ERRORS})
    async def colorize(request: Request, key_id: str = Depends(api_key),
                       response: str | None = None) -> Response:
        """Colorize one small image now; the image (default) or JSON with links."""
        raw, uploads = await _read_request(request, state)
        if len(uploads) != 1:
            raise Problem(422, "invalid_request", "send exactly one image as the `file` part "
                          "or as the body; use POST /v1/jobs for several")
        item = raw["items"][0]
        fmt = normalize_format(raw.get("format") or cfg.output_format)
        want_json = response == "json" or "application/json" in request.headers.get("accept", "")
        out = await run_in_threadpool(_colorize_now, state, key_id, uploads[0], item, fmt)
        base = _base_url(state, request)
        url = f"{base}/v1/jobs/{out['job_id']}/items/0"
        if want_json:
            return JSONResponse({"job_id": out["job_id"], "result_url": f"{url}/result",
                                 "provenance_url": f"{url}/provenance",
                                 "provenance": out["record"]},
                                headers={"Location": f"{url}/result"})
        return Response(out["image"], media_type=out["mime"], headers={
            "Location": f"{url}/result", "Link": f'<{url}/provenance>; rel="describedby"'})

    @app.post("/v1/jobs", status_code=202, tags=["jobs"], openapi_extra=_JOB_BODY,
              responses=_ERRORS)
    async def submit(request: Request, key_id: str = Depends(api_key),
                     idempotency_key: str | None = Header(None, max_length=255)) -> JSONResponse:
        """Queue photos (uploads, URLs, IIIF images or manifests); 202 + Location."""
        raw, uploads = await _read_request(request, state)
        job, created, secret = await run_in_threadpool(_create_job, state, key_id, raw, uploads,
                                                       idempotency_key)
        base = _base_url(state, request)
        headers = {"Location": f"/v1/jobs/{job['id']}"}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return JSONResponse(job_view(job, base, secret), status_code=202, headers=headers)

    @app.get("/v1/jobs/{job_id}", tags=["jobs"], responses=_ERRORS)
    def get_job(job_id: str, request: Request, key_id: str = Depends(api_key)) -> dict:
        return job_view(own_job(key_id, job_id), _base_url(state, request))

    @app.delete("/v1/jobs/{job_id}", tags=["jobs"], responses=_ERRORS)
    def cancel_job(job_id: str, request: Request, key_id: str = Depends(api_key)) -> dict:
        if not store.cancel(key_id, job_id):
            raise Problem(404, "job_not_found", f"no job {job_id} for this API key")
        return job_view(own_job(key_id, job_id), _base_url(state, request))

    @app.get("/v1/jobs/{job_id}/items/{index}/result", tags=["jobs"], responses=_ERRORS)
    def download(job_id: str, index: int, key_id: str = Depends(api_key)) -> FileResponse:
        _job, item = own_item(key_id, job_id, index)
        mime = IMAGE_FORMATS[Path(item["result_file"]).suffix.lstrip(".")][2]
        return FileResponse(cfg.results_dir / item["result_file"], media_type=mime,
                            filename=f"{job_id}-{index}{Path(item['result_file']).suffix}")

    @app.get("/v1/jobs/{job_id}/items/{index}/provenance", tags=["jobs"], responses=_ERRORS)
    def provenance(job_id: str, index: int, key_id: str = Depends(api_key)) -> FileResponse:
        _, item = own_item(key_id, job_id, index)
        return FileResponse(cfg.results_dir / item["provenance_file"],
                            media_type="application/json")

    @app.get("/v1/jobs/{job_id}/items/{index}/original", tags=["jobs"], responses=_ERRORS)
    def original(job_id: str, index: int, key_id: str = Depends(api_key)) -> Response:
        job = own_job(key_id, job_id)
        if not 0 <= index < len(job["items"]) or job["items"][index]["source"]["kind"] != "upload":
            raise Problem(404, "item_not_found", f"job {job_id} has no uploaded item {index}")
        return Response(store.upload(job["items"][index]["id"]),
                        media_type="application/octet-stream")

    @app.get("/v1/jobs/{job_id}/manifest", tags=["iiif"], responses=_ERRORS)
    def manifest(job_id: str, request: Request, key_id: str = Depends(api_key)) -> JSONResponse:
        """IIIF Presentation 3: each canvas offers the original, then the colorized image."""
        job = own_job(key_id, job_id)
        records = {i["idx"]: json.loads((cfg.results_dir / i["provenance_file"]).read_text())
                   for i in job["items"] if i["status"] == "done"}
        if not records:
            raise Problem(409, "not_done", f"job {job_id} has no finished item yet")
        body = build_manifest(job, _base_url(state, request), records)
        return JSONResponse(body, media_type="application/ld+json;profile="
                            '"http://iiif.io/api/presentation/3/context.json"')


def _colorize_now(state: ServiceState, key_id: str, upload: tuple[str, bytes, str | None],
                  item: dict[str, Any], fmt: str) -> dict[str, Any]:
    cfg = state.config
    name, data, ctype = upload
    sync_cap = min(cfg.sync_max_pixels, cfg.max_pixels)
    try:
        info, loaded = check_upload(data, ctype, name, sync_cap)
    except Problem as exc:
        if exc.reason == "too_large":
            exc.detail += f" (POST /v1/colorize is for small images; POST /v1/jobs takes up " \
                          f"to {cfg.max_pixels:,} pixels)"
        raise
    if not state.sync_slots.acquire(timeout=30):
        raise Problem(429, "busy", "synchronous colorization is at capacity; retry later or "
                      "use POST /v1/jobs", headers={"Retry-After": str(cfg.retry_after_seconds)})
    try:
        result = state.pipeline(loaded, hints=item.get("hint"), caption=item.get("caption"))
    finally:
        state.sync_slots.release()
    job_id = new_job_id()
    timings = dict(result.timings)
    source = {"kind": "upload", "name": name, "sha256": info["sha256"]}
    out = write_outputs(result, fmt, f"{job_id}-0", cfg.results_dir, source, state.signer,
                        timings)
    state.store.add_done_job(job_id, key_id, NewItem(source, item.get("hint"),
                                                     item.get("caption")), fmt, out)
    return {**out, "job_id": job_id}


def _create_job(state: ServiceState, key_id: str, raw: dict[str, Any],
                files: list[tuple[str, bytes, str | None]], idempotency_key: str | None
                ) -> tuple[dict[str, Any], bool, str | None]:
    cfg = state.config
    job = parse_job(raw)
    uploads = [(name, data, check_upload(data, ctype, name, cfg.max_pixels, index=i)[0])
               for i, (name, data, ctype) in enumerate(files)]
    fmt = job_format(job, cfg.output_format)
    secret, generated = webhook_secret(job), None
    if job.webhook is not None:
        try:
            state.fetcher.check_url(job.webhook.url)
        except FetchError as exc:
            raise Problem(422, exc.reason, f"webhook.url: {exc}") from exc
        if secret is None:
            secret = generated = new_secret()
    items, meta = build_items(job, uploads, state.fetcher, cfg.job_max_items)
    try:
        job_id, created = state.store.create_job(
            key_id, items, fmt=fmt, kind="batch", idempotency_key=idempotency_key,
            request_hash=request_hash(job, uploads),
            webhook_url=job.webhook.url if job.webhook else None, webhook_secret=secret,
            meta=meta)
    except Problem as exc:
        if exc.status == 429:
            exc.headers["Retry-After"] = str(cfg.retry_after_seconds)
        raise
    return state.store.job(key_id, job_id), created, generated if created else None
