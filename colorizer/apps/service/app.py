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

Errors are RFC 9457 problem+json, rendered in `http_errors`. Colorization goes through the
injected pipeline and `results.write_item_outputs`, the one output writer the worker and the
CLI use too. Request bodies are read in `bodies`, turned into work in `intake`, and shown
through `views`; the routes are in `health_routes` and `job_routes`, the checks of who may call
them in `auth`, and what they share in `state`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from colorizer import __version__
from colorizer.apps.outputs import Signer
from colorizer.apps.service.access_log import AccessLog
from colorizer.apps.service.check_routes import install_check_routes
from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.cors import ApiCors
from colorizer.apps.service.docs_page import install_docs_page
from colorizer.apps.service.fetch import SafeFetcher
from colorizer.apps.service.health_routes import install_health_routes
from colorizer.apps.service.http_errors import install_error_handlers
from colorizer.apps.service.job_routes import install_job_routes
from colorizer.apps.service.json_gzip import JsonGzip
from colorizer.apps.service.proxy_headers import ProxyHeaders
from colorizer.apps.service.signing import C2paSigner
from colorizer.apps.service.state import ServiceState
from colorizer.apps.service.store import JobStore
from colorizer.apps.service.store_storage import data_dir_error

if TYPE_CHECKING:
    from colorizer.pipeline.colorization import ColorizationPipeline

__all__ = ["ServiceState", "create_app"]


def create_app(pipeline: ColorizationPipeline, config: ServiceConfig | None = None, *,
               store: JobStore | None = None, fetcher: SafeFetcher | None = None,
               signer: Signer | None = None) -> FastAPI:
    """The service around one `ColorizationPipeline` (or anything called like one)."""
    config = config or ServiceConfig()
    store = store or JobStore(config.db_path, config.queue_cap, config.max_attempts)
    try:  # after the store, which says what is wrong with the data folder in one line
        config.results_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise data_dir_error(exc, config.db_path) or exc from exc
    if signer is None and config.c2pa is not None:
        signer = C2paSigner(config.c2pa)
    state = ServiceState(pipeline, config, store, fetcher or SafeFetcher(config.fetch), signer)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.start_workers()
        yield
        state.stop_workers()

    app = FastAPI(title="chronochrome", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # docs_page: no CDN scripts
                  description="Context-aware colorization of historical photographs for "
                              "archives: jobs, IIIF, provenance.")
    app.state.service = state
    # Inside the proxy headers (it logs the client they name) and outside every route: one
    # line per request without secrets, and a 500 with an id for an unexpected error.
    app.add_middleware(AccessLog)
    # Links name the address the client used, behind a proxy's prefix too (proxy_headers).
    app.add_middleware(ProxyHeaders, public_url=config.public_url,
                       trusted=config.forwarded_allow_ips)
    install_error_handlers(app, state.metrics, config.retry_after_seconds)
    install_health_routes(app, state)
    install_job_routes(app, state)
    install_check_routes(app, state)
    install_docs_page(app)
    # Outermost: big JSON answers gzipped when asked (json_gzip), and a browser app on another
    # origin may call /v1/ with its key (cors: its preflight never reaches a route).
    app.add_middleware(JsonGzip)
    app.add_middleware(ApiCors, origins=config.cors_origins)
    return app
