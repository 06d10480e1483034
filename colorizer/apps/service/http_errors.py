"""Every error the API answers with, rendered as RFC 9457 problem+json in one place.

`Problem`s raised by the routes, FastAPI's validation errors, Starlette's 404/405 and the job
store's own errors (`store_errors`) all end here; each refusal is counted by reason. A full
or read-only data disk is 507 or 503 (`store_storage`), whether SQLite or a result file met
it: it was a 500 with a plain-text body.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from colorizer.apps.service.metrics import Metrics
from colorizer.apps.service.problems import PROBLEM_JSON, Problem
from colorizer.apps.service.store_errors import (
    IdempotencyConflictError,
    JobNotFoundError,
    QueueFullError,
    StorageError,
    StoreError,
)
from colorizer.apps.service.store_storage import storage_error

# StoreError subclass -> HTTP status; anything else the store refuses is a conflict.
_STORE_STATUS: dict[type[StoreError], int] = {
    JobNotFoundError: 404,
    IdempotencyConflictError: 422,  # the request body, not the server's state, is at fault
    QueueFullError: 429,
}


def problem_from_store_error(exc: StoreError, retry_after_seconds: int) -> Problem:
    """The problem response of a store refusal (a full queue says when to retry)."""
    status = next((s for cls, s in _STORE_STATUS.items() if isinstance(exc, cls)), 409)
    if isinstance(exc, QueueFullError):
        return Problem(status, exc.reason, str(exc), queue_depth=exc.queue_depth,
                       headers={"Retry-After": str(retry_after_seconds)})
    if isinstance(exc, StorageError):  # 507 Insufficient Storage; read-only: 503
        return Problem(507 if exc.full else 503, exc.reason, str(exc),
                       headers={"Retry-After": str(retry_after_seconds)})
    return Problem(status, exc.reason, str(exc))


def allowed_methods(request: Request) -> str:
    """Every method the request's path answers to, for a 405's `Allow`. Starlette's names only
    the first route whose path matched: `Allow: GET` for /v1/jobs/{id}, which DELETE cancels
    too, so a client (or a schema checker) that reads it was told DELETE does not exist."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)  # PARTIAL: this path, another method
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI, metrics: Metrics, retry_after_seconds: int) -> None:
    def respond(problem: Problem, request: Request) -> JSONResponse:
        metrics.reject(problem.reason)
        request.state.problem_reason = problem.reason  # for the access line (access_log)
        return JSONResponse(problem.to_dict(instance=request.url.path),
                            status_code=problem.status, media_type=PROBLEM_JSON,
                            headers=problem.headers)

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return respond(exc, request)

    @app.exception_handler(StoreError)
    async def on_store_error(request: Request, exc: StoreError) -> JSONResponse:
        return respond(problem_from_store_error(exc, retry_after_seconds), request)

    @app.exception_handler(OSError)
    async def on_os_error(request: Request, exc: OSError) -> JSONResponse:
        error = storage_error(exc, request.app.state.service.config.data_dir)
        if error is None:
            raise exc  # not the disk: a 500, as before
        return respond(problem_from_store_error(error, retry_after_seconds), request)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return respond(Problem(422, "invalid_request", detail), request)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        reason = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return respond(Problem(exc.status_code, reason, str(exc.detail), headers=headers),
                       request)

    @app.middleware("http")
    async def count_and_protect(request: Request,
                                call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        metrics.request(request.method, response.status_code)
        # Every answer is private to one key or operational: never sniffed as another type
        # (an /original served as octet-stream must not render as HTML), never cached by a
        # shared cache.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cache-Control", "no-store")
        return response
