"""/livez, /readyz (open to anyone: they carry no collection data) and /metrics (the operator's).

/readyz says how full the queue is in figures that name no API key: the whole queue's depth,
cap and room, each key's share (`key_queue_cap`) and how many keys hold all of theirs
(`keys_at_share_cap`). A department sees its own held items and room with its key at
`GET /v1/queue` (`queue_routes`); which department fills the queue is the operator's to see
(/metrics). A key at its share does not make the service "not ready": other keys still get in.

`worker_processes` counts the processes that run workers on this data folder (this one when it
has worker threads, and each `serve --worker-only`); with `--workers 0` and none of them, items
wait forever: `warnings` says so, with a 200 (a worker-only restart must not take the API out
of its load balancer).
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse

from colorizer.apps.service.auth import operator_dependency
from colorizer.apps.service.key_share import keys_at_share_cap
from colorizer.apps.service.liveness import live_processes, locks_dir
from colorizer.apps.service.state import ServiceState
from colorizer.apps.service.storage_room import room_problem
from colorizer.apps.service.views import problems

_NO_WORKER = ("no worker process runs on this data folder (this service has --workers 0): "
              "queued items wait; start `chronochrome serve --worker-only` with its --data-dir")


def install_health_routes(app: FastAPI, state: ServiceState) -> None:
    operator = operator_dependency(state.config.metrics_token)

    @app.get("/livez", tags=["health"], summary="Liveness: the service process answers",
             response_description='{"status": "alive"}')
    async def livez() -> dict[str, str]:
        # On the event loop, not the thread pool: when synchronous colorizations hold every
        # pool thread (48 at once), the liveness probe must still answer at once.
        return {"status": "alive"}

    @app.get("/readyz", tags=["health"], response_description="ready, with the queue's depth, "
             "room and shares (figures that name no API key)",
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
        return PlainTextResponse(state.metrics.render(state.store,
                                                      state.config.key_queue_cap),
                                 media_type="text/plain; version=0.0.4")


def readiness(state: ServiceState) -> dict[str, Any]:
    """Ready when the job store answers, results can be written (the folder is writable, its
    disk has `min_free_bytes` free) and no worker thread died."""
    cfg, problems = state.config, []
    try:
        depth = state.store.queue_depth()
        at_share = keys_at_share_cap(state.store.connection(), cfg.key_queue_cap)
    except Exception as exc:  # noqa: BLE001 - any database failure means "not ready"
        depth, at_share, problems = None, None, [f"job store unavailable: {exc}"]
    if not os.access(cfg.results_dir, os.W_OK):
        problems.append(f"results folder {cfg.results_dir} is not writable")
    elif short := room_problem(cfg.data_dir, cfg.min_free_bytes):  # jobs would wait, or 507
        problems.append(short)
    dead = [t.name for t in state.threads if not t.is_alive()]
    if dead:
        problems.append(f"worker threads stopped: {dead}")
    processes = _worker_processes(state)
    warnings = [] if processes else [_NO_WORKER]
    return {"status": "not ready" if problems else "ready", "queue_depth": depth,
            "queue_cap": cfg.queue_cap,
            "queue_room": None if depth is None else max(0, cfg.queue_cap - depth),
            "key_queue_cap": cfg.key_queue_cap, "keys_at_share_cap": at_share,
            "worker_threads": len(state.threads), "worker_processes": processes,
            "problems": problems, "warnings": warnings}


def _worker_processes(state: ServiceState) -> int:
    """Processes with workers on this data folder: the other processes' held lock files, and
    this one when a worker thread of it runs (it holds its lock with or without them)."""
    others = live_processes(locks_dir(state.config.data_dir))
    if state.lock is not None and state.lock.path.exists():
        others -= 1
    return max(0, others) + any(t.is_alive() for t in state.threads)
