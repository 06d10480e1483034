"""POST /v1/check: check a colorization now (behind an API key, like /v1/colorize).

Multipart form: `file` the colorization (required), `original` the black-and-white original
(optional: then its lightness is compared), `hint` and `caption` (optional text). The answer
is the check's JSON (`CheckReport.to_dict`: findings with severity, evidence and box), or the
plausibility report as one HTML page with `?report=html`. Bad input is problem+json: 415 for
a file that is not an image, 422 for one that cannot be read or compared (with the loader's
or the check's one-line message), 503 when the service's pipeline cannot check.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from colorizer.apps.service.auth import api_key_dependency
from colorizer.apps.service.bodies import read_form, spooled_body
from colorizer.apps.service.html_pages import html_page
from colorizer.apps.service.intake import check_upload
from colorizer.apps.service.problems import Problem
from colorizer.apps.service.state import ServiceState
from colorizer.apps.service.views import problems

CHECK_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "the colorization"},
        "original": {"type": "string", "format": "binary",
                     "description": "the black-and-white original (optional)"},
        "hint": {"type": "string", "description": "free-text context, e.g. 'USSR 1950'"},
        "caption": {"type": "string", "description": "the archive's caption (optional)"}}}}}}}

# The JSON answer's keys (CheckReport.to_dict), for the OpenAPI document's readers.
_ANSWER_KEYS = {
    "passed": "true where there is no finding",
    "findings": ("each finding's kind, severity, message, evidence, share and box (x0, y0, "
                 "x1, y1 in the checked image's pixels)"),
    "context": "what was inferred (era, region, script) with its evidence",
    "facts": "the documented colors compared with",
    "luminance": "the lightness compared with the original's (null: no original given)",
    "size": "[width, height] of the checked image",
    "hint": "the hint used",
    "settings": "the check's thresholds and model",
    "notes": "what the check did or could not do, in words",
    "context_from": "where the hint and caption came from",
    "composite": ("present only for a before/after composite (a gray photo beside its "
                  "colorization): the colorization half, the only part checked "
                  "(colorization_box, colorization_side, gray_box, layout, size, "
                  "correlation); the findings' boxes are in the whole image's pixels"),
}
CHECK_ANSWER = {"type": "object",
                "properties": {key: {"description": said} for key, said in _ANSWER_KEYS.items()}}


class _Checkers:
    """One checker per service, built on first use from the service's pipeline."""

    def __init__(self, state: ServiceState):
        self.state = state
        self.lock = threading.Lock()
        self.checker: Any = None

    def get(self) -> Any:
        with self.lock:
            if self.checker is None:
                from colorizer.check.checker import ColorizationChecker
                from colorizer.pipeline.colorization import ColorizationPipeline

                pipeline = self.state.pipeline
                if not isinstance(pipeline, ColorizationPipeline):
                    raise Problem(503, "check_unavailable", "this service's pipeline cannot "
                                  "check colorizations (it is not a ColorizationPipeline)")
                self.checker = ColorizationChecker(pipeline)
            return self.checker


async def _form_fields(request: Request, cap: int, timeout: float | None
                       ) -> tuple[dict[str, tuple[str, bytes, str | None]], dict[str, str]]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "multipart/form-data":
        raise Problem(415, "unsupported_media_type", f"content type {ctype or 'none'!r} is not "
                      "accepted here: send multipart/form-data with `file` (and `original`)")
    # Spooled to a temporary file as it arrives and parsed a megabyte at a time, as a job's
    # body is: joined whole and parsed in one go, the body was held beside the parser's
    # copies of it (a 22 MB part rose the process 70 MB before any decode, now 21).
    body = await spooled_body(request, cap, timeout)
    try:
        form = await read_form(request, body, max_files=2, max_fields=20)
    finally:
        body.close()
    try:
        files, texts = {}, {}
        for key in ("file", "original"):
            value = form.get(key)
            if isinstance(value, UploadFile):
                files[key] = (value.filename or key, await value.read(), value.content_type)
        for key in ("hint", "caption"):
            value = form.get(key)
            if isinstance(value, str) and value.strip():
                texts[key] = value
    finally:
        await form.close()  # the parts' own temporary files
    if "file" not in files:
        raise Problem(422, "invalid_request", "send the colorization as the `file` part "
                      "(and optionally the original as `original`)")
    return files, texts


def install_check_routes(app: FastAPI, state: ServiceState) -> None:
    api_key: Callable[..., str] = api_key_dependency(state.store)
    checkers = _Checkers(state)
    cfg = state.config

    @app.post("/v1/check", tags=["check"], openapi_extra=CHECK_BODY,
              summary="Check a colorization: findings (JSON) or the plausibility report",
              response_description="the findings (JSON), or the report (HTML)",
              responses={200: {"content": {"application/json": {"schema": CHECK_ANSWER},
                                              "text/html": {}}},
                         **problems(401, 408, 413, 415, 422, 503, 507, said={
                             422: "invalid input, an image that cannot be read, or a "
                                  "colorization that cannot be compared with its original "
                                  "(not_comparable: it cannot be lined up with it, or does "
                                  "not look like the same photo)",
                             503: "this service's pipeline cannot check colorizations, or "
                                  "its data folder is read-only (the body is kept there "
                                  "while it arrives)",
                             507: "the service's data folder is full: the body could not "
                                  "be kept while it arrived; retry later"})})
    async def check(request: Request, key_id: str = Depends(api_key),
                    report: str | None = Query(
                        None, description="html: the plausibility report instead of JSON",
                        # the one value: declared, but checked below, where a 422 can name
                        # the CLI's PDF report
                        json_schema_extra={"enum": ["html"]})) -> Response:
        """Check a colorization: findings with evidence and a severity (JSON), or the
        plausibility report (`?report=html`)."""
        if report not in (None, "html"):
            raise Problem(422, "invalid_request", f"report={report!r}: the only report format "
                          "here is html (PDF: `chronochrome check --report OUT.pdf`)")
        files, texts = await _form_fields(request, cfg.max_upload_bytes,
                                          cfg.request_timeout_seconds)
        checker = await run_in_threadpool(checkers.get)
        # Off the event loop: while a 108 MP pair was decoded on it, /livez waited 3.2 s
        # (0.2 s now; measured 2026-12-07).
        # The service's own cap (--max-pixels), as its jobs are loaded: a server set for 108 MP
        # scans answered 413 to their check under the pipeline's default cap.
        loaded = await run_in_threadpool(_decoded, files, cfg.max_pixels)
        out = await run_in_threadpool(_run, checker, loaded, texts, report == "html")
        if isinstance(out, str):
            return html_page(out)  # with its Content-Security-Policy
        return JSONResponse(out)


def _decoded(files: dict[str, tuple[str, bytes, str | None]], max_pixels: int
             ) -> dict[str, Any]:
    """The uploads' `LoadedImage`s, refused as `check_upload` refuses them; each file's bytes
    are let go once it is decoded (they are not needed beside its pixels while it is checked)."""
    from colorizer.check.report_prints import prints_of_file

    loaded = {}
    for key in list(files):
        name, data, ctype = files.pop(key)
        loaded[key] = check_upload(data, ctype, name, max_pixels)[1]
        if key == "file":  # a split album page's prints, as its XMP records them (report)
            loaded["prints"] = prints_of_file(data)
        del data
    return loaded


def _run(checker: Any, loaded: dict[str, Any], texts: dict[str, str], html: bool
         ) -> dict[str, Any] | str:
    from colorizer.check.checker import CheckInputError
    from colorizer.check.report_html import report_html
    from colorizer.check.report_images import ShownImage

    try:
        result = checker(loaded["file"], original=loaded.get("original"),
                         hint=texts.get("hint"), caption=texts.get("caption"))
    except CheckInputError as exc:
        raise Problem(422, "not_comparable", str(exc)) from exc
    if not html:  # the server's folders (its weights' path) are no client's business
        from colorizer.pipeline.result import shareable_json

        data = result.to_dict()
        return shareable_json(data, [data.get("settings", {}).get("model", {}).get("path")])

    # The pictures at the page's size, reduced band by band from the pixels the check read
    # (report_images.py, as the CLI's report): not full-size 8-bit copies of both uploads.
    original = ShownImage.of(loaded["original"]) if "original" in loaded else None
    return report_html(result, ShownImage.of(loaded["file"]), original, None,
                       loaded["file"].name, prints=loaded["prints"])
