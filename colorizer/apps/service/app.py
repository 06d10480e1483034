"""The FastAPI app: `create_app(pipeline, config)`; components go in, nothing global.

Who may call what:
- /livez, /readyz: anyone (health checks carry no collection data).
- /metrics: the operator, not the archives. It holds service-wide counters (queue depth,
  rejects by reason, stage latency) summed over every API key, so a tenant's key must not open
  it; with `ServiceConfig.metrics_token` set it needs `Authorization: Bearer <that token>`
  (Prometheus: `authorization: {credentials_file: ...}`), without one it is open like the
  health checks, which suits the loopback default. Set the token when the port is reachable
  from other machines (`chronochrome serve` warns when it is not).
- everything else: an API key (`Authorization: Bearer <key>` or `X-API-Key`), and a key sees
  only its own jobs (another key's are 404).

Errors are RFC 9457 problem+json. Colorization goes through the injected pipeline and
`worker.write_outputs`, the same path the worker and the CLI use. Request bodies are read in
`bodies`, turned into work in `intake`, and shown through `views`.
"""

from __future__ import annotations

import hmac
import json
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
from starlette.exceptions import HTTPException as StarletteHTTPException

from colorizer.apps.service.bodies import read_request
from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.fetch import SafeFetcher
from colorizer.apps.service.iiif import build_manifest
from colorizer.apps.service.intake import colorize_now, create_job
from colorizer.apps.service.metrics import Metrics
from colorizer.apps.service.problems import PROBLEM_JSON, Problem
from colorizer.apps.service.store import JobStore
from colorizer.apps.service.views import COLORIZE_BODY, ERRORS, JOB_BODY, job_view
from colorizer.apps.service.worker import Worker, remove_stale_temp_files
from colorizer.pipeline.provenance import IMAGE_FORMATS, normalize_format

_bearer = HTTPBearer(auto_error=False, description="an API key from `chronochrome keys create`")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="chronochrome"'}


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
        from colorizer.apps.service.signing import C2paSigner

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
    _install_health_routes(app, state)
    _install_job_routes(app, state)
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


def _install_health_routes(app: FastAPI, state: ServiceState) -> None:
    cfg, store = state.config, state.store

    def operator(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                        Depends(_bearer)]) -> None:
        """The metrics token when one is configured; API keys of archives do not count."""
        if cfg.metrics_token is None:
            return
        if credentials is None:
            raise Problem(401, "missing_metrics_token", "/metrics needs the operator's metrics "
                          "token: send 'Authorization: Bearer <token>' (ServiceConfig."
                          "metrics_token; API keys of archives do not open it)",
                          headers=_CHALLENGE)
        if not hmac.compare_digest(credentials.credentials.encode(),
                                   cfg.metrics_token.encode()):
            raise Problem(401, "invalid_metrics_token", "the metrics token is wrong (API keys "
                          "of archives do not open /metrics)", headers=_CHALLENGE)

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

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse,
             responses={401: ERRORS[401]})
    def metrics(_: None = Depends(operator)) -> PlainTextResponse:
        """Prometheus text: per-stage latency, queue depth, rejects by reason, requests."""
        return PlainTextResponse(state.metrics.render(store),
                                 media_type="text/plain; version=0.0.4")


def _install_job_routes(app: FastAPI, state: ServiceState) -> None:
    cfg, store = state.config, state.store

    def api_key(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                x_api_key: Annotated[str | None, Header()] = None) -> str:
        secret = credentials.credentials if credentials else x_api_key
        if not secret:
            raise Problem(401, "missing_key", "this endpoint needs an API key: send "
                          "'Authorization: Bearer <key>' (create one with `chronochrome keys "
                          "create --name NAME`)", headers=_CHALLENGE)
        key_id = store.key_for(secret)
        if key_id is None:
            raise Problem(401, "invalid_key", "the API key is unknown or revoked",
                          headers=_CHALLENGE)
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

    @app.post("/v1/colorize", tags=["colorize"], openapi_extra=COLORIZE_BODY,
              responses={200: {"content": {"image/png": {}, "application/json": {}}}, **ERRORS})
    async def colorize(request: Request, key_id: str = Depends(api_key),
                       response: str | None = None) -> Response:
        """Colorize one small image now; the image (default) or JSON with links."""
        raw, uploads = await read_request(request, cfg.max_upload_bytes, cfg.job_max_items)
        if len(uploads) != 1:
            raise Problem(422, "invalid_request", "send exactly one image as the `file` part "
                          "or as the body; use POST /v1/jobs for several")
        item = raw["items"][0]
        fmt = normalize_format(raw.get("format") or cfg.output_format)
        want_json = response == "json" or "application/json" in request.headers.get("accept", "")
        out = await run_in_threadpool(colorize_now, state, key_id, uploads[0], item, fmt)
        url = f"{_base_url(state, request)}/v1/jobs/{out['job_id']}/items/0"
        if want_json:
            return JSONResponse({"job_id": out["job_id"], "result_url": f"{url}/result",
                                 "provenance_url": f"{url}/provenance",
                                 "provenance": out["record"]},
                                headers={"Location": f"{url}/result"})
        return Response(out["image"], media_type=out["mime"], headers={
            "Location": f"{url}/result", "Link": f'<{url}/provenance>; rel="describedby"'})

    @app.post("/v1/jobs", status_code=202, tags=["jobs"], openapi_extra=JOB_BODY,
              responses=ERRORS)
    async def submit(request: Request, key_id: str = Depends(api_key),
                     idempotency_key: str | None = Header(None, max_length=255)) -> JSONResponse:
        """Queue photos (uploads, URLs, IIIF images or manifests); 202 + Location."""
        raw, uploads = await read_request(request, cfg.max_upload_bytes, cfg.job_max_items)
        job, created, secret = await run_in_threadpool(create_job, state, key_id, raw, uploads,
                                                       idempotency_key)
        headers = {"Location": f"/v1/jobs/{job['id']}"}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return JSONResponse(job_view(job, _base_url(state, request), secret), status_code=202,
                            headers=headers)

    @app.get("/v1/jobs/{job_id}", tags=["jobs"], responses=ERRORS)
    def get_job(job_id: str, request: Request, key_id: str = Depends(api_key)) -> dict:
        return job_view(own_job(key_id, job_id), _base_url(state, request))

    @app.delete("/v1/jobs/{job_id}", tags=["jobs"], responses=ERRORS)
    def cancel_job(job_id: str, request: Request, key_id: str = Depends(api_key)) -> dict:
        if not store.cancel(key_id, job_id):
            raise Problem(404, "job_not_found", f"no job {job_id} for this API key")
        return job_view(own_job(key_id, job_id), _base_url(state, request))

    @app.get("/v1/jobs/{job_id}/items/{index}/result", tags=["jobs"], responses=ERRORS)
    def download(job_id: str, index: int, key_id: str = Depends(api_key)) -> FileResponse:
        _, item = own_item(key_id, job_id, index)
        suffix = Path(item["result_file"]).suffix
        return FileResponse(cfg.results_dir / item["result_file"],
                            media_type=IMAGE_FORMATS[suffix.lstrip(".")][2],
                            filename=f"{job_id}-{index}{suffix}")

    @app.get("/v1/jobs/{job_id}/items/{index}/provenance", tags=["jobs"], responses=ERRORS)
    def provenance(job_id: str, index: int, key_id: str = Depends(api_key)) -> FileResponse:
        _, item = own_item(key_id, job_id, index)
        return FileResponse(cfg.results_dir / item["provenance_file"],
                            media_type="application/json")

    @app.get("/v1/jobs/{job_id}/items/{index}/original", tags=["jobs"], responses=ERRORS)
    def original(job_id: str, index: int, key_id: str = Depends(api_key)) -> Response:
        job = own_job(key_id, job_id)
        if not 0 <= index < len(job["items"]) or job["items"][index]["source"]["kind"] != "upload":
            raise Problem(404, "item_not_found", f"job {job_id} has no uploaded item {index}")
        return Response(store.upload(job["items"][index]["id"]),
                        media_type="application/octet-stream")

    @app.get("/v1/jobs/{job_id}/manifest", tags=["iiif"], responses=ERRORS)
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
