"""/livez, /readyz (open to anyone: they carry no collection data) and /metrics (the operator's)."""

from __future__ import annotations

import os
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse

from colorizer.apps.service.auth import operator_dependency
from colorizer.apps.service.state import ServiceState
from colorizer.apps.service.views import problems


def install_health_routes(app: FastAPI, state: ServiceState) -> None:
    operator = operator_dependency(state.config.metrics_token)

    @app.get("/livez", tags=["health"], summary="Liveness: the service process answers",
             response_description='{"status": "alive"}')
    async def livez() -> dict[str, str]:
        # On the event loop, not the thread pool: when synchronous colorizations hold every
        # pool thread (48 at once), the liveness probe must still answer at once.
        return {"status": "alive"}

    @app.get("/readyz", tags=["health"], response_description="ready, with the queue's depth",
             summary="Readiness: the job store, results folder and workers can take work",
             responses={503: {"description": "not ready: `problems` lists why"}})
    def readyz() -> JSONResponse:
        body = readiness(state)
        return JSONResponse(body, status_code=503 if body["problems"] else 200)

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse,
             summary="Prometheus metrics of the whole service (the operator's)",
             response_description="Prometheus text format",
             responses=problems(401, said={401: "the metrics token is missing or wrong "
                                                "(only when the operator configured one)"}))
    def metrics(_: None = Depends(operator)) -> PlainTextResponse:
        """Prometheus text: per-stage latency, queue depth, rejects by reason, requests."""
        return PlainTextResponse(state.metrics.render(state.store),
                                 media_type="text/plain; version=0.0.4")


def readiness(state: ServiceState) -> dict[str, Any]:
    """Ready when the job store answers, results can be written and no worker thread died."""
    cfg, problems = state.config, []
    try:
        depth = state.store.queue_depth()
    except Exception as exc:  # noqa: BLE001 - any database failure means "not ready"
        depth, problems = None, [f"job store unavailable: {exc}"]
    if not os.access(cfg.results_dir, os.W_OK):
        problems.append(f"results folder {cfg.results_dir} is not writable")
    dead = [t.name for t in state.threads if not t.is_alive()]
    if dead:
        problems.append(f"worker threads stopped: {dead}")
    return {"status": "not ready" if problems else "ready", "queue_depth": depth,
            "queue_cap": cfg.queue_cap, "worker_threads": len(state.threads),
            "problems": problems}
