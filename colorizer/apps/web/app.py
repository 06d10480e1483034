"""The workbench's FastAPI app: `create_app(pipeline, config)`; components go in, nothing
global. The page (static/, plain HTML, CSS and JS shipped in the package: no CDN, it works
offline) talks to this JSON API:

    GET  /api/info                         what this workbench may open (paths, jobs);
                                           signed_downloads: {"signer"} where it signs;
                                           split_page: whether it splits album pages
    POST /api/photos                       open an upload (multipart field `file`)
    POST /api/photos/open-path             {"path": "..."}      (a workbench on this machine)
    POST /api/photos/open-job              {"service", "job", "key", "item"}  (likewise; the
                                           answer's split_page: the item's album-page choice)
    POST /api/photos/{id}/colorize         {"hint", "era", "region", "caption",
                                            "color_hints": [...], "negative": false,
                                            "split_page": true|false (absent: the server's),
                                            "references": [{"name", "data": "data:..."}]}
    GET  /api/photos/{id}/{kind}.png       original, colorized, uncertainty, regions (display size);
                                           positive: a negative's positive gray (the "before")
    GET  /api/photos/{id}/download?format=jpeg  the colorization at full size with its
                                           provenance, as `chronochrome colorize --format`
                                           writes it (png by default, jpeg, webp, tiff:
                                           download.py); &token=T (the page's): the file's
                                           answer sets cookie chronochrome-download-T
                                           (download_arrival.py)
    GET  /api/photos/{id}/region/{rid}.png, /api/photos/{id}/exemplar/{k}.png
    POST /api/check, /api/photos/{id}/check  check a colorization (someone else's, this one)
    GET  /api/photos/{id}/report.html|.pdf   the plausibility report      (check_routes.py)

Every error is JSON, {"error": {"reason": ..., "message": ...}}, which the page shows; an
unexpected one is logged here with its traceback and answered without it.
"""

from __future__ import annotations

import logging
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from colorizer import __version__
from colorizer.apps.web.body_cap import BodyCap
from colorizer.apps.web.check_routes import install_check_routes
from colorizer.apps.web.checks import WebChecks
from colorizer.apps.web.config import WebConfig
from colorizer.apps.web.download import download_format, file_answer
from colorizer.apps.web.download_arrival import MAX_AGE_S, arrival_cookie_name
from colorizer.apps.web.local_requests import from_loopback_page, require_loopback_page
from colorizer.apps.web.opening import Opened, open_job, open_path
from colorizer.apps.web.references import MAX_REFERENCES, decode_reference
from colorizer.apps.web.signed_downloads import signed_downloads
from colorizer.apps.web.workbench import Workbench
from colorizer.errors import ChronochromeError

if TYPE_CHECKING:
    from colorizer.apps.outputs import Signer
    from colorizer.pipeline.colorization import ColorizationPipeline

log = logging.getLogger("chronochrome.web")
STATIC = resources.files("colorizer.apps.web").joinpath("static")
_LOAD_STATUS = {"too_large": 413, "unsupported": 415, "not_found": 404,
                "photo_not_found": 404}


class PathIn(BaseModel):
    path: str = Field(max_length=4096)


class JobIn(BaseModel):
    service: str = Field(max_length=2048)
    job: str = Field(max_length=200)
    key: str = Field(max_length=500)
    item: int = Field(0, ge=0)


class ReferenceIn(BaseModel):
    """A reference photo (`colorize --exemplar`): its file's name and a base64 data: URI."""

    name: str = Field("reference photo", max_length=500)
    data: str


class ColorizeIn(BaseModel):
    hint: str = ""
    era: str = ""
    region: str = ""
    caption: str = ""  # the archive's caption (`colorize --caption`); the pipeline checks it
    color_hints: list[Any] = Field(default_factory=list, max_length=64)
    references: list[ReferenceIn] = Field(default_factory=list, max_length=MAX_REFERENCES)
    # A scanned negative ("This is a negative" on the page): strict, a "yes" is refused.
    negative: bool = Field(False, strict=True)
    # "Album page: colorize each print on its own" on the page; None: as the server does
    # (--no-split-page). Strict likewise: a "yes" would split, or not, without a word.
    split_page: bool | None = Field(None, strict=True)


def create_app(pipeline: ColorizationPipeline, config: WebConfig | None = None,
               signer: Signer | None = None) -> FastAPI:
    """`signer` (`chronochrome web --c2pa-cert/--c2pa-key`): every download C2PA-signed."""
    bench = Workbench(pipeline, config or WebConfig(), signer)
    app = FastAPI(title="chronochrome workbench", version=__version__, docs_url=None,
                  redoc_url=None, openapi_url=None)
    app.state.workbench = bench
    app.add_middleware(BodyCap, max_upload_bytes=bench.config.max_upload_bytes)
    _install_errors(app)
    _install_routes(app, bench)
    install_check_routes(app, WebChecks(bench))  # the checker is built on the first check
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app


def _install_routes(app: FastAPI, bench: Workbench) -> None:
    cfg = bench.config
    # Only a signing workbench's info names its signer: the page's note beside Download.
    signed = signed_downloads(bench.signer)
    signing = {} if signed is None else {"signed_downloads": signed.as_json()}

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(str(STATIC / "index.html"), media_type="text/html")

    @app.get("/api/info")
    def info(request: Request) -> dict:
        here = cfg.local and from_loopback_page(request)  # local_requests: DNS rebinding
        return {"version": __version__, "paths": here and bool(cfg.path_roots),
                "roots": [str(r) for r in cfg.path_roots] if here else [],
                "jobs": here, "max_photos": cfg.max_photos,
                "max_upload_mb": round(cfg.max_upload_bytes / 1e6),
                # The person at the page started it: its messages name its flags.
                "local": cfg.local, **signing,
                # Whether this server splits album pages (the page's checkbox starts so).
                "split_page": bench.pipeline.config.split_page}

    @app.post("/api/photos")
    def upload(file: Annotated[UploadFile, File()]) -> dict:
        data = file.file.read(cfg.max_upload_bytes + 1)
        return bench.open(Opened(file.filename or "upload", data))

    @app.post("/api/photos/open-path")
    def by_path(body: PathIn, request: Request) -> dict:
        if cfg.local:  # (elsewhere open_path refuses it, in its own words)
            require_loopback_page(request, "opening a photo by path")
        return bench.open(open_path(body.path, cfg))

    @app.post("/api/photos/open-job")
    def by_job(body: JobIn, request: Request) -> dict:
        if cfg.local:
            require_loopback_page(request, "opening a service job")
        return bench.open(open_job(body.service, body.job, body.key, body.item, cfg))

    @app.post("/api/photos/{photo_id}/colorize")
    def colorize(photo_id: str, body: ColorizeIn) -> dict:
        references = [decode_reference(r.name, r.data, cfg.max_upload_bytes)
                      for r in body.references]
        return bench.colorize(photo_id, body.hint, body.era, body.region, body.color_hints,
                              negative=body.negative, caption=body.caption,
                              references=references, split_page=body.split_page)

    _install_file_routes(app, bench)


def _install_file_routes(app: FastAPI, bench: Workbench) -> None:
    """What the page fetches of an open photo: its download, its images."""

    @app.get("/api/photos/{photo_id}/download")
    def download(photo_id: str, fmt: Annotated[str, Query(alias="format")] = "png",
                 token: str | None = None) -> Response:
        fmt = download_format(fmt)
        arrived = arrival_cookie_name(token)  # the page's word that the file came
        answer = file_answer(*bench.download(photo_id, fmt), fmt)
        if arrived is not None:  # a refusal sets none: the page reads that in its frame
            answer.set_cookie(arrived, "arrived", max_age=MAX_AGE_S, path="/",
                              samesite="strict")
        return answer

    @app.get("/api/photos/{photo_id}/{kind}.png")
    def image(photo_id: str, kind: str) -> Response:
        return _png(bench.image(photo_id, kind))

    @app.get("/api/photos/{photo_id}/{kind}/{index}.png")
    def indexed_image(photo_id: str, kind: str, index: int) -> Response:
        return _png(bench.image(photo_id, kind, index))


def _png(data: bytes) -> Response:
    # Image URLs carry the colorization's version (?v=N): each version may be cached.
    return Response(data, media_type="image/png", headers={"Cache-Control": "no-cache"})


def _error(status: int, reason: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"reason": reason, "message": message}}, status_code=status)


def _invalid_part(error: dict[str, Any]) -> str:
    """One validation error in words: 'hint: ...', or for a body that is not JSON at all
    (FastAPI's "body.N: JSON decode error", N the 0-based offset) where it broke and why."""
    loc = error.get("loc", ())
    if error.get("type") == "json_invalid":
        at = f" (at character {loc[1] + 1})" if len(loc) > 1 and isinstance(loc[1], int) else ""
        why = (error.get("ctx") or {}).get("error", error.get("msg"))
        return f"the request body is not valid JSON{at}: {why}"
    return f"{'.'.join(str(p) for p in loc)}: {error.get('msg')}"


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(ChronochromeError)
    async def expected(request: Request, exc: ChronochromeError) -> JSONResponse:
        reason = getattr(exc, "reason", "invalid_input")
        status = getattr(exc, "status", None) or _LOAD_STATUS.get(reason, 422)
        return _error(status, reason, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [_invalid_part(e) for e in exc.errors()]
        return _error(422, "invalid_request", "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("workbench: %s %s failed", request.method, request.url.path)
        return _error(500, "internal_error", f"the workbench failed ({type(exc).__name__}); "
                      "the server's log has the details")
