"""chronochrome's HTTP service for archives: jobs in SQLite, a worker, safe fetching, IIIF.

    from colorizer.apps.service import ServiceConfig, create_app
    app = create_app(pipeline, ServiceConfig(data_dir=Path("service-data")))

Modules, from the bottom of the imports up (each imports only modules listed before it):
`problems` (RFC 9457 errors), `store_errors` (what the store refuses), `store_schema` (the
database's tables and version), `fetch` (remote images with SSRF protection), `config_types` (a
JSON setting's type), `config` (ServiceConfig), `data_owner` (the data folder's user),
`stage_stats`, `store` (the SQLite job store and API keys), `job_log` (a job's end, logged),
`iiif` (Image API sizes, Presentation 3 manifests; its parts `iiif_image`, `iiif_languages`,
`iiif_terms`, `iiif_validation`, and `iiif_prints`: an album page's prints), `webhooks` (one
signed attempt), `webhook_events` (a job.completed body: counts and links; the items of a small
job), `webhook_sender` (the delivery threads), `webhook_schedule` (stored attempts and when the
next is due), `webhook_config` (the retry schedule), `webhook_routes` (send again), `signing`
(C2PA), `metrics` (Prometheus text), `results` (an item's files, through
`colorizer.apps.outputs`), `worker` (the job processor with lease renewal; `python -m
colorizer.apps.service.worker` runs it), `retention` (finished jobs' results deleted after the
retention period, and the sweeper thread), `state` (what the routes share), `schemas` (request
bodies as models), `bodies` (reading them), `intake` (requests -> jobs, synchronous
colorization), `views` (job JSON, OpenAPI extras), `links` (signed image links for IIIF
viewers), `auth` (who may call what), `http_errors` (every error as problem+json), `access_log`
(a line per request, no secrets; a 500 with an id), `service_logging` (text or JSON lines),
`original_blobs` (an uploaded original read from its blob a piece at a time), `item_files` (an
item's files as answers; 410 once gone), `manifest_stream` (a job's IIIF manifest, written a
page of canvases at a time), `health_routes`, `job_routes`, `openapi_answers` (the answers'
schemas in /openapi.json), `docs_page` (/docs without a CDN), `html_pages` (its HTML answers,
with their CSP), `app` (`create_app`), `header_timeout` (uvicorn's h11 with a deadline for
request headers), `connection_limit` (at most `max_connections` served; beyond, 503
problem+json), `server_process` (the port, signals and log of `serve`), `cli` (`chronochrome
serve`, `keys` and `results`), `cleanup_cli` (`chronochrome results cleanup`).
Nothing here runs at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["ServiceConfig", "create_app"]

if TYPE_CHECKING:
    from colorizer.apps.service.app import create_app
    from colorizer.apps.service.config import ServiceConfig


def __getattr__(name: str) -> object:
    if name == "create_app":
        from colorizer.apps.service.app import create_app

        return create_app
    if name == "ServiceConfig":
        from colorizer.apps.service.config import ServiceConfig

        return ServiceConfig
    raise AttributeError(f"module 'colorizer.apps.service' has no attribute {name!r}")
