"""Bounded load test of the HTTP service on loopback; prints throughput and latency.

    python -m eval.load_service                        # 400 requests, 32 clients, queue cap 16
    python -m eval.load_service --requests 100 --clients 8 --weights path/to/model

Starts the service (uvicorn, 127.0.0.1, random port) with a tiny random model unless --weights
is given, sends `--requests` POST /v1/jobs (one small upload each) from `--clients` threads,
retries nothing, then waits for every accepted job and checks: no 5xx, every accepted job
completed exactly once, every rejected request got 429 with Retry-After.
"""

from __future__ import annotations

import argparse
import io
import json
import socket
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI

    from colorizer.apps.service.config import ServiceConfig


def _tiny_model(folder: Path) -> Path:
    import torch

    from colorizer.model.generator import ColorGenerator, GeneratorConfig

    torch.manual_seed(0)
    config = GeneratorConfig(width16=16, width8=16, width4=16, heads=2, cond_dim=8,
                             grid_samples=24)
    ColorGenerator(config).save_pretrained(folder, metadata={"version": "load-test"})
    return folder


def _photo(seed: int, size: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (size, size), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "L").save(buffer, format="PNG")
    return buffer.getvalue()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_load(requests: int = 400, clients: int = 32, queue_cap: int = 16, workers: int = 1,
             image_size: int = 64, weights: Path | None = None, data_dir: Path | None = None,
             drain_timeout: float = 300.0) -> dict[str, Any]:
    """Start the service, send the requests, wait for the accepted jobs; the figures."""
    import httpx

    from colorizer.apps.service.app import create_app
    from colorizer.apps.service.config import ServiceConfig
    from colorizer.pipeline.colorization import ColorizationPipeline

    scratch = Path(tempfile.mkdtemp(prefix="chronochrome-load-"))
    weights = weights or _tiny_model(scratch / "tiny-model")
    pipeline = ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                    render_size=64)
    # One key sends every request: its share is the whole queue (key_share), or the figures
    # would measure half of it.
    config = ServiceConfig(data_dir=data_dir or scratch / "svc", queue_cap=queue_cap,
                           per_key_queue_cap=queue_cap, worker_threads=workers,
                           retry_after_seconds=1)
    app = create_app(pipeline, config)
    _, key = app.state.service.store.create_key("load-test")
    server = _LoopbackServer(app)
    photos = [_photo(i, image_size) for i in range(8)]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {key}"},
                      timeout=60.0, limits=limits) as client:
        started = time.perf_counter()
        outcomes = _submit_all(client, photos, requests, clients)
        submit_seconds = time.perf_counter() - started
        accepted = [o.location for o in outcomes if o.status == 202]
        _wait_for(client, accepted, drain_timeout)
        total_seconds = time.perf_counter() - started
        metrics = client.get("/metrics").text
    server.stop()
    return _figures(outcomes, config, metrics, clients, submit_seconds, total_seconds)


class _LoopbackServer:
    """uvicorn on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, app: FastAPI) -> None:
        import uvicorn

        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                    log_level="error", limit_concurrency=256))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@dataclass(frozen=True)
class _Outcome:
    """One POST /v1/jobs as the client saw it."""

    status: int
    seconds: float
    location: str | None  # of an accepted job
    retry_after: bool  # the answer carried Retry-After


def _submit_all(client: httpx.Client, photos: list[bytes], requests: int,
                clients: int) -> list[_Outcome]:
    """POST /v1/jobs `requests` times (one upload each) from `clients` threads, no retries."""
    outcomes: list[_Outcome] = []
    lock = threading.Lock()

    def send(n: int) -> None:
        start = time.perf_counter()
        response = client.post("/v1/jobs", files={"file": (f"{n}.png", photos[n % len(photos)],
                                                            "image/png")},
                                headers={"Idempotency-Key": f"load-{n}"})
        elapsed = time.perf_counter() - start
        location = response.headers.get("location") if response.status_code == 202 else None
        with lock:
            outcomes.append(_Outcome(response.status_code, elapsed, location,
                                     "retry-after" in response.headers))

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(send, range(requests)))
    return outcomes


def _wait_for(client: httpx.Client, locations: list[str | None], timeout: float) -> None:
    """Poll the accepted jobs until all succeeded or `timeout` seconds passed."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        states = [client.get(loc).json()["state"] for loc in locations]
        if all(s == "succeeded" for s in states):
            return
        time.sleep(0.5)


def _figures(outcomes: list[_Outcome], config: ServiceConfig, metrics: str, clients: int,
             submit_seconds: float, total_seconds: float) -> dict[str, Any]:
    """Statuses, latencies, throughput, and what the store and the results folder say was
    completed."""
    db = sqlite3.connect(config.db_path)
    rows = db.execute("SELECT i.status, i.completions FROM items i JOIN jobs j ON j.id = i.job_id "
                      "WHERE j.kind = 'batch'").fetchall()
    result_files = [p for p in config.results_dir.iterdir() if p.suffix == ".png"]
    latencies = sorted(o.seconds for o in outcomes)
    statuses: dict[int, int] = {}
    for outcome in outcomes:
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    accepted = statuses.get(202, 0)
    return {
        "requests": len(outcomes), "clients": clients, "queue_cap": config.queue_cap,
        "statuses": statuses,
        "server_errors": sum(n for s, n in statuses.items() if s >= 500),
        "accepted": accepted,
        "rejected_429": statuses.get(429, 0),
        "rejected_429_with_retry_after": sum(1 for o in outcomes
                                             if o.status == 429 and o.retry_after),
        "completed_jobs": sum(1 for s, _ in rows if s == "done"),
        "completed_exactly_once": all(c == 1 for s, c in rows if s == "done")
        and all(s == "done" for s, _ in rows),
        "result_files": len(result_files),
        "submit_throughput_rps": round(len(outcomes) / submit_seconds, 1),
        "job_throughput_per_s": round(accepted / total_seconds, 1),
        "latency_p50_ms": round(1000 * statistics.median(latencies), 1),
        "latency_p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
        "submit_seconds": round(submit_seconds, 2), "total_seconds": round(total_seconds, 2),
        "queue_full_rejects_metric": next((line.split()[-1] for line in metrics.splitlines()
                                           if 'reason="queue_full"' in line), "0"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.load_service", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--queue-cap", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="in-process worker threads")
    parser.add_argument("--image-size", type=int, default=64, help="side of the test photos")
    parser.add_argument("--weights", type=Path, default=None, help="default: a tiny random model")
    args = parser.parse_args(argv)
    figures = run_load(args.requests, args.clients, args.queue_cap, args.workers,
                       args.image_size, args.weights)
    print(json.dumps(figures, indent=1))
    ok = (figures["server_errors"] == 0 and figures["completed_exactly_once"]
          and figures["completed_jobs"] == figures["accepted"]
          and figures["result_files"] == figures["accepted"]
          and figures["rejected_429"] + figures["accepted"] == figures["requests"]
          and figures["rejected_429_with_retry_after"] == figures["rejected_429"])
    print("PASS" if ok else "FAIL", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
